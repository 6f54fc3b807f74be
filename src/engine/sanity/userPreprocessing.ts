import type { UserPreprocessing } from '../../protocol/engineProtocol';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
/** keras.applications caffe mode: RGB→BGR, then minus these per-channel means (BGR order). */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

/**
 * Reproduces common hand-written preprocessing on resized 0–255 RGB pixels (HWC interleaved).
 * `preset` is handled by the caller (the preset's converter).
 */
export function applyUserPreprocessing(mode: Exclude<UserPreprocessing, 'preset'>, pixels: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const x = pixels[i + c] as number;
      let y: number;
      switch (mode) {
        case 'none':
          y = x;
          break;
        case 'rescale':
          y = x / 255;
          break;
        case 'tf':
          y = x / 127.5 - 1;
          break;
        case 'imagenet':
          y = (x / 255 - (IMAGENET_MEAN[c] ?? 0)) / (IMAGENET_STD[c] ?? 1);
          break;
        case 'caffe': {
          // channel c of the output holds input channel (2 - c) minus its mean
          const src = pixels[i + (channels - 1 - c)] as number;
          y = src - (CAFFE_MEAN_BGR[c] ?? 0);
          break;
        }
      }
      out[i + c] = y;
    }
  }
  return out;
}

export const USER_PREPROCESSING_TEXT: Record<UserPreprocessing, string> = {
  preset: "the preset's ImageConverter",
  none: 'raw 0–255 pixels (no preprocessing)',
  rescale: 'x / 255 only (Rescaling(1/255))',
  imagenet: 'ImageNet mean/std normalisation',
  caffe: 'keras.applications caffe mode (BGR, mean subtracted)',
  tf: 'x / 127.5 - 1',
};
