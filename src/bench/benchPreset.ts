import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImageClassifierConfig, ViTBackboneConfig } from '../core/presets/presetSchema';
import { seededRandom } from '../core/seededRandom';
import { initViTBackboneArrays, initViTHeadArrays } from '../engine/models/vit/vitInit';
import { writeViTPreset } from '../engine/models/vit/vitPresetWriter';

/** ViT-B/16 at 224, as vit_base_patch16_224_imagenet (86M backbone parameters), with a 1000-class head. */
export const VIT_B16: ViTBackboneConfig = {
  imageShape: [224, 224, 3], patchSize: [16, 16], numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072,
  dropoutRate: 0, attentionDropout: 0, layerNormEpsilon: 1e-6, useMhaBias: true, useMlpBias: true, useClassToken: true, usePatchBias: true, dtype: 'float32',
};
export const VIT_B16_HEAD: ImageClassifierConfig = { className: 'ViTImageClassifier', numClasses: 1000, pooling: 'token', activation: null, dropout: 0, intermediateDim: null };

/** Writes a ViT-B/16 preset with random (Keras-style initialised) weights in the exact keras-hub layout. */
export async function writeViTB16Preset(dir: string): Promise<void> {
  await writeViTPreset(dir, {
    backbone: VIT_B16,
    converter: { className: 'ViTImageConverter', imageSize: [224, 224], scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1], normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false },
    task: VIT_B16_HEAD, backboneArrays: initViTBackboneArrays(VIT_B16, 1), headArrays: initViTHeadArrays(VIT_B16_HEAD, 768, 2), note: 'bench',
  });
}

/** Writes `n` 224×224 RGB PNGs (smooth gradients plus seeded noise) named img_0.png … */
export async function writeBenchImages(dir: string, n: number, size = 224): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const r = seededRandom(11);
  const files: string[] = [];
  for (let k = 0; k < n; k++) {
    const px = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) px[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(((x + y * (c + 1) + k * 40) % 256) * 0.8 + r() * 50)));
      }
    }
    const file = join(dir, `img_${k}.png`);
    await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
    files.push(file);
  }
  return files;
}
