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

/** Keys cubic kernel with a = -0.5, as keras' numpy/jax backends (jax.image scale_and_translate) use for "bicubic". */
function keysCubic(x: number): number {
  if (x < 1) return ((1.5 * x - 2.5) * x) * x + 1;
  if (x < 2) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return 0;
}

const F32_EPS = 1.1920928955078125e-7;

/**
 * Sparse 1-D resampling weights: for each output index, taps and float32 weights (jax scale_and_translate style:
 * half-pixel sample positions, kernel widened by 1/scale when antialiasing a downsample, taps outside the input
 * dropped and each output's weights renormalised — no edge replication). Bilinear keeps float32 sample positions (as
 * the ViT fixtures were matched); bicubic computes positions and weights in float64 as keras' numpy backend does.
 */
export function axisWeights(inLen: number, outLen: number, antialias: boolean, interpolation: string): { idx: Int32Array; w: Float32Array; taps: number } {
  const scale = outLen / inLen;
  if (interpolation === 'nearest') {
    const idx = new Int32Array(outLen);
    for (let o = 0; o < outLen; o++) idx[o] = Math.min(inLen - 1, Math.floor((o + 0.5) / scale));
    return { idx, w: new Float32Array(outLen).fill(1), taps: 1 };
  }
  const cubic = interpolation === 'bicubic';
  const kscale = antialias && scale < 1 ? 1 / scale : 1;
  const radius = (cubic ? 2 : 1) * kscale;
  const taps = Math.ceil(2 * radius) + 2;
  const idx = new Int32Array(outLen * taps).fill(-1);
  const w = new Float32Array(outLen * taps);
  for (let o = 0; o < outLen; o++) {
    const u = cubic ? (o + 0.5) * (inLen / outLen) - 0.5 : f(f(o + 0.5) / f(scale)) - 0.5;
    let sum = 0;
    let k = 0;
    const tmp: [number, number][] = [];
    for (let i = Math.max(0, Math.floor(u - radius)); i <= Math.min(inLen - 1, Math.ceil(u + radius)); i++) {
      const x = Math.abs(u - i) / kscale;
      const wt = cubic ? keysCubic(x) : Math.max(0, 1 - x);
      if (wt !== 0) {
        tmp.push([i, wt]);
        sum += wt;
      }
    }
    if (Math.abs(sum) <= 1000 * F32_EPS) continue;
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
  const wy = axisWeights(h, th, cfg.antialias, cfg.interpolation);
  const wx = axisWeights(w, tw, cfg.antialias, cfg.interpolation);
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

const SUPPORTED_INTERPOLATION = ['bilinear', 'bicubic', 'nearest'];

/** The converter's settings the engine can reproduce exactly; anything else is an error naming the preset file and key. */
export function assertConverterSupported(preset: LoadedPreset): void {
  const c = preset.converter;
  if (c?.imageSize && !SUPPORTED_INTERPOLATION.includes(c.interpolation)) {
    const file = preset.converterFile ?? preset.dir;
    throw new UserError('E_CONVERTER_UNSUPPORTED', `${file}: "interpolation" is "${c.interpolation}", which the engine does not reproduce yet (${SUPPORTED_INTERPOLATION.join(', ')} are).`, {
      file,
      hint: 'Lint and hover still work for this preset; the sanity batch and training need bilinear, bicubic or nearest resizing.',
    });
  }
}

/** Resizes one image as keras.layers.Resizing inside ImageConverter does; returns float32 HWC pixels (0–255 scale). */
export function resizeLikeKeras(img: RawImage, cfg: ImageConverterConfig, path: ConverterPath = 'float'): { data: Float32Array; height: number; width: number } {
  if (!cfg.imageSize) return { data: Float32Array.from(img.data), height: img.height, width: img.width };
  const [th, tw] = cfg.imageSize;
  if (!SUPPORTED_INTERPOLATION.includes(cfg.interpolation)) {
    throw new UserError('E_CONVERTER_UNSUPPORTED', `interpolation "${cfg.interpolation}" is not implemented by the engine yet (bilinear, bicubic and nearest are).`);
  }
  if (img.height === th && img.width === tw) return { data: Float32Array.from(img.data), height: th, width: tw };
  const fitted = fitAspect(img, th, tw, cfg);
  const out = resize(fitted.data, fitted.h, fitted.w, img.channels, th, tw, cfg);
  if (path === 'uint8-eager') {
    // keras' numpy backend: round half to even, then clip to [min, max] of the (cropped) input image. Bilinear and
    // nearest never leave that range, so this only matters for bicubic overshoot; it is also within [0, 255].
    let lo = 255;
    let hi = 0;
    for (let i = 0; i < fitted.data.length; i++) {
      const v = fitted.data[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    for (let i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, roundHalfEven(out[i] as number)));
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
