import type { ImageConverterConfig } from '../../../core/presets/presetSchema';
import type { LoadedPreset } from '../../../core/presets/presetLoader';
import { UserError } from '../../../core/userError';

/** One decoded image, HWC, 8-bit. */
export interface RawImage {
  height: number;
  width: number;
  channels: number;
  data: Uint8Array;
}

/** How pixels reach the converter (keras-hub facts sheet §5.4). */
export type ConverterPath =
  /** Pixels as float32: predict()/fit()/evaluate() through tf.data; no rounding after resize. */
  | 'float'
  /** Pixels as uint8 to an eager call: the resized image is rounded half-to-even before scaling. */
  | 'uint8-eager';

const f = Math.fround;

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Sparse 1-D resampling weights: for each output index, taps and float32 weights (jax scale_and_translate style). */
function axisWeights(inLen: number, outLen: number, antialias: boolean, nearest: boolean): { idx: Int32Array; w: Float32Array; taps: number } {
  const scale = outLen / inLen;
  if (nearest) {
    const idx = new Int32Array(outLen);
    for (let o = 0; o < outLen; o++) idx[o] = Math.min(inLen - 1, Math.floor((o + 0.5) / scale));
    return { idx, w: new Float32Array(outLen).fill(1), taps: 1 };
  }
  const kscale = antialias && scale < 1 ? 1 / scale : 1;
  const taps = Math.ceil(2 * kscale) + 2;
  const idx = new Int32Array(outLen * taps).fill(-1);
  const w = new Float32Array(outLen * taps);
  for (let o = 0; o < outLen; o++) {
    const u = f(f(o + 0.5) / f(scale)) - 0.5;
    const lo = Math.floor(u - kscale);
    let sum = 0;
    let k = 0;
    const tmp: [number, number][] = [];
    for (let i = Math.max(0, lo); i <= Math.min(inLen - 1, Math.ceil(u + kscale)); i++) {
      const wt = Math.max(0, 1 - Math.abs(u - i) / kscale);
      if (wt > 0) {
        tmp.push([i, wt]);
        sum += wt;
      }
    }
    for (const [i, wt] of tmp) {
      idx[o * taps + k] = i;
      w[o * taps + k] = f(wt / sum);
      k++;
    }
  }
  return { idx, w, taps };
}

/** Separable resize of an HWC float image: rows first, then columns; float32 rounding after each pass. */
function resize(src: Float64Array | Float32Array, h: number, w: number, c: number, th: number, tw: number, cfg: ImageConverterConfig): Float32Array {
  const nearest = cfg.interpolation === 'nearest';
  const wy = axisWeights(h, th, cfg.antialias, nearest);
  const wx = axisWeights(w, tw, cfg.antialias, nearest);
  const mid = new Float32Array(th * w * c);
  for (let o = 0; o < th; o++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let t = 0; t < wy.taps; t++) {
          const i = wy.idx[o * wy.taps + t] as number;
          if (i < 0) break;
          acc += (wy.w[o * wy.taps + t] as number) * (src[(i * w + x) * c + ch] as number);
        }
        mid[(o * w + x) * c + ch] = acc;
      }
    }
  }
  const out = new Float32Array(th * tw * c);
  for (let y = 0; y < th; y++) {
    for (let o = 0; o < tw; o++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let t = 0; t < wx.taps; t++) {
          const i = wx.idx[o * wx.taps + t] as number;
          if (i < 0) break;
          acc += (wx.w[o * wx.taps + t] as number) * (mid[(y * w + i) * c + ch] as number);
        }
        out[(y * tw + o) * c + ch] = acc;
      }
    }
  }
  return out;
}

/** Centre crop (or zero pad) to the target aspect ratio with Keras' integer arithmetic. */
function fitAspect(img: RawImage, th: number, tw: number, cfg: ImageConverterConfig): { data: Float32Array; h: number; w: number } {
  const { height: H, width: W, channels: C } = img;
  if (cfg.cropToAspectRatio) {
    const cropH = Math.min(H, Math.max(1, Math.trunc((W * th) / tw)));
    const cropW = Math.min(W, Math.max(1, Math.trunc((H * tw) / th)));
    const top = Math.trunc((H - cropH) / 2);
    const left = Math.trunc((W - cropW) / 2);
    const data = new Float32Array(cropH * cropW * C);
    for (let y = 0; y < cropH; y++) {
      for (let x = 0; x < cropW; x++) {
        for (let ch = 0; ch < C; ch++) data[(y * cropW + x) * C + ch] = img.data[((y + top) * W + x + left) * C + ch] as number;
      }
    }
    return { data, h: cropH, w: cropW };
  }
  if (cfg.padToAspectRatio) {
    const padH = Math.max(H, Math.trunc((W * th) / tw));
    const padW = Math.max(W, Math.trunc((H * tw) / th));
    const top = Math.trunc((padH - H) / 2);
    const left = Math.trunc((padW - W) / 2);
    const data = new Float32Array(padH * padW * C);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let ch = 0; ch < C; ch++) data[((y + top) * padW + x + left) * C + ch] = img.data[(y * W + x) * C + ch] as number;
      }
    }
    return { data, h: padH, w: padW };
  }
  return { data: Float32Array.from(img.data), h: H, w: W };
}

const SUPPORTED_INTERPOLATION = ['bilinear', 'nearest'];

/** The converter's settings the engine can reproduce exactly; anything else is an error naming the preset file and key. */
export function assertConverterSupported(preset: LoadedPreset): void {
  const c = preset.converter;
  if (c?.imageSize && !SUPPORTED_INTERPOLATION.includes(c.interpolation)) {
    const file = preset.converterFile ?? preset.dir;
    throw new UserError('E_CONVERTER_UNSUPPORTED', `${file}: "interpolation" is "${c.interpolation}", which the engine does not reproduce yet (${SUPPORTED_INTERPOLATION.join(' and ')} are).`, {
      file,
      hint: 'Lint and hover still work for this preset; the sanity batch and training need bilinear or nearest resizing.',
    });
  }
}

/** Resizes one image as keras.layers.Resizing inside ImageConverter does; returns float32 HWC pixels (0–255 scale). */
export function resizeLikeKeras(img: RawImage, cfg: ImageConverterConfig, path: ConverterPath = 'float'): { data: Float32Array; height: number; width: number } {
  if (!cfg.imageSize) return { data: Float32Array.from(img.data), height: img.height, width: img.width };
  const [th, tw] = cfg.imageSize;
  if (!SUPPORTED_INTERPOLATION.includes(cfg.interpolation)) {
    throw new UserError('E_CONVERTER_UNSUPPORTED', `interpolation "${cfg.interpolation}" is not implemented by the engine yet (bilinear and nearest are).`);
  }
  if (img.height === th && img.width === tw) return { data: Float32Array.from(img.data), height: th, width: tw };
  const fitted = fitAspect(img, th, tw, cfg);
  const out = resize(fitted.data, fitted.h, fitted.w, img.channels, th, tw, cfg);
  if (path === 'uint8-eager') {
    for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, roundHalfEven(out[i] as number)));
  }
  return { data: out, height: th, width: tw };
}

/** Applies scale/offset (new format) or scale then (x - norm_mean) / norm_std (old format), float32 per step. */
export function rescaleLikeKeras(pixels: Float32Array, channels: number, cfg: ImageConverterConfig): Float32Array {
  const out = new Float32Array(pixels.length);
  const scale = cfg.scale?.map(f);
  const offset = cfg.offset?.map(f);
  const mean = cfg.normMean?.map(f);
  const std = cfg.normStd?.map(f);
  for (let i = 0; i < pixels.length; i++) {
    const ch = i % channels;
    let v = pixels[i] as number;
    if (scale) v = f(v * (scale[ch] as number));
    if (mean || std) {
      if (mean) v = f(v - (mean[ch] as number));
      if (std) v = f(v / (std[ch] as number));
    } else if (offset) v = f(v + (offset[ch] as number));
    out[i] = v;
  }
  return out;
}

/** The full ViTImageConverter: resize (crop to aspect) then rescale. Output float32 HWC. */
export function convertImage(img: RawImage, cfg: ImageConverterConfig, path: ConverterPath = 'float'): { data: Float32Array; height: number; width: number } {
  const resized = resizeLikeKeras(img, cfg, path);
  return { data: rescaleLikeKeras(resized.data, img.channels, cfg), height: resized.height, width: resized.width };
}
