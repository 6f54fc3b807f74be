import type { ImageConverterConfig } from './presetSchema';

/** What a preset expects as backbone input: the converter folded into y = x * a + b per channel. */
export interface InputContract {
  /** Per-channel factor a of y = x * a + b, where x is the 0–255 pixel value. */
  scale: number[];
  offset: number[];
  /** Range of y for x in [0, 255], per channel. */
  expectedMin: number[];
  expectedMax: number[];
  /** Human formula, e.g. "x / 127.5 - 1". */
  formula: string;
  /** Range as text, e.g. "[-1, 1]". */
  rangeText: string;
  imageSize: [number, number] | null;
  resize: string;
}

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

function round(v: number): string {
  const r = Math.round(v * 1e4) / 1e4;
  return String(Object.is(r, -0) ? 0 : r);
}

function channelFormula(a: number, b: number): string {
  let mul: string;
  if (near(a, 1)) mul = 'x';
  else if (a !== 0 && near(1 / a, Math.round(1 / a * 10) / 10)) mul = `x / ${round(1 / a)}`;
  else mul = `x * ${a.toPrecision(6)}`;
  if (near(b, 0)) return mul;
  return b < 0 ? `${mul} - ${round(-b)}` : `${mul} + ${round(b)}`;
}

/** Folds either converter format into the effective per-channel affine map. */
export function effectiveAffine(conv: Pick<ImageConverterConfig, 'scale' | 'offset' | 'normMean' | 'normStd'>, channels = 3): { scale: number[]; offset: number[] } {
  const scale = conv.scale ?? new Array<number>(channels).fill(1);
  const offset = conv.offset ?? new Array<number>(channels).fill(0);
  if (conv.normMean || conv.normStd) {
    const mean = conv.normMean ?? new Array<number>(channels).fill(0);
    const std = conv.normStd ?? new Array<number>(channels).fill(1);
    // old format: ((x * scale) - mean) / std  (offset unused by the old ViT converter)
    return { scale: scale.map((s, i) => s / (std[i] as number)), offset: mean.map((m, i) => -m / (std[i] as number)) };
  }
  return { scale: [...scale], offset: [...offset] };
}

export function inputContract(conv: ImageConverterConfig, channels = 3): InputContract {
  const { scale, offset } = effectiveAffine(conv, channels);
  const lo = scale.map((a, i) => Math.min(0, 255 * a) + (offset[i] as number));
  const hi = scale.map((a, i) => Math.max(0, 255 * a) + (offset[i] as number));
  const formulas = scale.map((a, i) => channelFormula(a, offset[i] as number));
  const same = formulas.every((f) => f === formulas[0]);
  const formula = same ? (formulas[0] as string) : formulas.map((f, i) => `${'RGB'[i] ?? `c${i}`}: ${f}`).join(', ');
  const rangeSame = lo.every((v) => near(v, lo[0] as number)) && hi.every((v) => near(v, hi[0] as number));
  const rangeText = rangeSame
    ? `[${round(lo[0] as number)}, ${round(hi[0] as number)}]`
    : lo.map((v, i) => `[${round(v)}, ${round(hi[i] as number)}]`).join(' ');
  const resize = conv.imageSize
    ? `${conv.cropToAspectRatio ? 'centre-crop to aspect ratio, then ' : conv.padToAspectRatio ? 'pad to aspect ratio, then ' : ''}${conv.interpolation} resize to ${conv.imageSize[0]}x${conv.imageSize[1]}${conv.antialias ? ' (antialias)' : ''}`
    : 'no resize';
  return { scale, offset, expectedMin: lo, expectedMax: hi, formula, rangeText, imageSize: conv.imageSize, resize };
}
