import * as tf from '@tensorflow/tfjs-core';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { ImageConverterConfig } from '../../core/presets/presetSchema';
import type { UserPreprocessing } from '../../protocol/engineProtocol';
import type { LoadedImage } from '../data/imageLoader';
import { rescaleLikeKeras, resizeLikeKeras } from '../models/vit/vitImageConverter';
import { applyUserPreprocessing } from '../sanity/userPreprocessing';
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

/** Runs the frozen prefix over all images in chunks and keeps the result (features or tokens) as one tensor. */
export async function cachePrefix(model: TrainableViT, pixels: Float32Array, n: number, chunk = 16, onChunk?: () => Promise<void>): Promise<tf.Tensor> {
  const [H, W, C] = model.cfg.imageShape;
  const parts: tf.Tensor[] = [];
  try {
    for (let i = 0; i < n; i += chunk) {
      const m = Math.min(chunk, n - i);
      const x = tf.tensor4d(pixels.subarray(i * H * W * C, (i + m) * H * W * C), [m, H, W, C]);
      parts.push(model.frozenPrefix(x));
      x.dispose();
      await onChunk?.();
    }
    if (parts.length === 0) return tf.zeros([0]);
    return parts.length === 1 ? (parts[0] as tf.Tensor).clone() : tf.concat(parts, 0);
  } finally {
    tf.dispose(parts);
  }
}
