import * as tf from '@tensorflow/tfjs-core';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { ImageConverterConfig } from '../../core/presets/presetSchema';
import type { UserPreprocessing } from '../../protocol/engineProtocol';
import type { LoadedImage } from '../data/imageLoader';
import { rescaleLikeKeras, resizeLikeKeras } from '../models/vit/vitImageConverter';
import { applyUserPreprocessing } from '../sanity/userPreprocessing';
import type { ModelRunner, StagedOutputs, StageTensor } from '../runners/modelRunner';
import type { TrainableViT } from './trainableVit';

/** Images resized like the preset's converter, then mapped by the preset's scale/offset or by a user's mode. */
export function preprocessImages(preset: LoadedPreset, images: LoadedImage[], mode: UserPreprocessing): Float32Array {
  const [H, W, C] = preset.backbone.imageShape;
  const conv: ImageConverterConfig = preset.converter ?? {
    className: 'none', imageSize: [H, W], scale: null, offset: null, normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false,
  };
  const out = new Float32Array(images.length * H * W * C);
  images.forEach((im, i) => {
    const r = resizeLikeKeras(im, conv, 'float');
    const y = mode === 'preset' ? rescaleLikeKeras(r.data, C, conv) : applyUserPreprocessing(mode, r.data, C);
    out.set(y, i * H * W * C);
  });
  return out;
}

/**
 * The frozen prefix's output taken from a runner's staged outputs, as arrays: the pooled final-LayerNorm tokens
 * (head), the tokens entering the first trainable block (last-k).
 */
export function prefixRowsFromStages(mode: 'head' | 'last-k', pooling: 'token' | 'gap', firstTrainableBlock: number, s: StagedOutputs): StageTensor {
  if (mode === 'head') {
    const [B, T, D] = s.backboneOutput.shape as [number, number, number];
    const pooled = new Float32Array(B * D);
    const x = s.backboneOutput.data;
    for (let b = 0; b < B; b++) {
      if (pooling === 'token') pooled.set(x.subarray(b * T * D, b * T * D + D), b * D);
      else for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) pooled[b * D + d]! += (x[(b * T + t) * D + d] as number) / T;
    }
    return { shape: [B, D], data: pooled };
  }
  return firstTrainableBlock === 0 ? s.embeddings : (s.blocks[firstTrainableBlock - 1] as StageTensor);
}

/** The same as a tensor, for the TF.js trainer. */
export function prefixFromStages(model: TrainableViT, s: StagedOutputs): tf.Tensor {
  const t = prefixRowsFromStages(model.mode === 'head' ? 'head' : 'last-k', model.pooling, model.firstTrainableBlock, s);
  return tf.tensor(t.data, t.shape);
}

/**
 * Runs the frozen prefix over all images in chunks and keeps the result (features or tokens) as one tensor. With a
 * forward runner (ONNX Runtime) the prefix runs there, else on TF.js; full mode keeps the images.
 */
export async function cachePrefix(model: TrainableViT, pixels: Float32Array, n: number, chunk = 16, onChunk?: () => Promise<void>, runner?: ModelRunner | null): Promise<tf.Tensor> {
  const [H, W, C] = model.cfg.imageShape;
  const parts: tf.Tensor[] = [];
  try {
    for (let i = 0; i < n; i += chunk) {
      const m = Math.min(chunk, n - i);
      const slice = pixels.subarray(i * H * W * C, (i + m) * H * W * C);
      if (runner && model.mode !== 'full') parts.push(prefixFromStages(model, await runner.run(slice, m)));
      else {
        const x = tf.tensor4d(slice, [m, H, W, C]);
        parts.push(model.frozenPrefix(x));
        x.dispose();
      }
      await onChunk?.();
    }
    if (parts.length === 0) return tf.zeros([0]);
    return parts.length === 1 ? (parts[0] as tf.Tensor).clone() : tf.concat(parts, 0);
  } finally {
    tf.dispose(parts);
  }
}
