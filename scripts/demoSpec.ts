/** The bundled demo's specification: classes, preset config, and the image generator (shared by makeDemo and tests). */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import type { ImageClassifierConfig, ImageConverterConfig, ViTBackboneConfig } from '../src/core/presets/presetSchema';
import { seededRandom } from '../src/core/seededRandom';

export const DEMO_CLASSES = ['circle', 'cross', 'stripes_h', 'stripes_v'] as const;

/** Classes of the synthetic pretraining set (a superset of the demo's, as ImageNet is for real fine-tunes). */
export const PRETRAIN_CLASSES = ['circle', 'cross', 'stripes_h', 'stripes_v', 'square', 'ring', 'checker', 'stripes_d'] as const;
export type ShapeClass = (typeof PRETRAIN_CLASSES)[number];

export const DEMO_BACKBONE: ViTBackboneConfig = {
  imageShape: [48, 48, 3], patchSize: [8, 8], numLayers: 4, numHeads: 4, hiddenDim: 64, mlpDim: 128,
  dropoutRate: 0, attentionDropout: 0, layerNormEpsilon: 1e-6, useMhaBias: true, useMlpBias: true,
  useClassToken: true, usePatchBias: true, dtype: 'float32',
};

export const DEMO_CONVERTER: ImageConverterConfig = {
  className: 'ViTImageConverter', imageSize: [48, 48], scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1],
  normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false,
};

export const DEMO_TASK: ImageClassifierConfig = {
  className: 'ViTImageClassifier', numClasses: DEMO_CLASSES.length, pooling: 'token', activation: null, dropout: 0, intermediateDim: null,
};

/** Draws one RGB image of a class: a shape in a random colour on a random background, with noise. */
export function drawDemoImage(cls: ShapeClass, w: number, h: number, rand: () => number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  const bg = [rand() * 255, rand() * 255, rand() * 255];
  const fg = bg.map((v) => (v + 96 + rand() * 64) % 256);
  const cx = w * (0.35 + rand() * 0.3);
  const cy = h * (0.35 + rand() * 0.3);
  const r = Math.min(w, h) * (0.2 + rand() * 0.15);
  const period = 4 + Math.floor(rand() * 6);
  const phase = Math.floor(rand() * period);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let on = false;
      if (cls === 'circle') on = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      else if (cls === 'cross') on = (Math.abs(x - cx) < r / 3 && Math.abs(y - cy) < r * 1.2) || (Math.abs(y - cy) < r / 3 && Math.abs(x - cx) < r * 1.2);
      else if (cls === 'stripes_h') on = (y + phase) % period < period / 2;
      else if (cls === 'stripes_v') on = (x + phase) % period < period / 2;
      else if (cls === 'square') on = Math.abs(x - cx) < r && Math.abs(y - cy) < r;
      else if (cls === 'ring') on = Math.abs(Math.hypot(x - cx, y - cy) - r) < Math.max(1.5, r / 4);
      else if (cls === 'checker') on = (Math.floor((x + phase) / period) + Math.floor((y + phase) / period)) % 2 === 0;
      else on = (x + y + phase) % period < period / 2;
      const col = on ? fg : bg;
      for (let c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round((col[c] as number) + (rand() - 0.5) * 24)));
    }
  }
  return px;
}

export async function writeDemoImages(dir: string, perClass: number, seed: number, classes: readonly ShapeClass[] = DEMO_CLASSES): Promise<void> {
  const rand = seededRandom(seed);
  for (const cls of classes) {
    const d = join(dir, cls);
    mkdirSync(d, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const w = 40 + Math.floor(rand() * 56);
      const h = 40 + Math.floor(rand() * 56);
      const px = drawDemoImage(cls, w, h, rand);
      const img = sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 3 } });
      if (i % 3 === 2) await img.jpeg({ quality: 92 }).toFile(join(d, `${cls}_${String(i).padStart(2, '0')}.jpg`));
      else await img.png().toFile(join(d, `${cls}_${String(i).padStart(2, '0')}.png`));
    }
  }
}

