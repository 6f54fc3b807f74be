import type { ChannelStats, Histogram } from '../../protocol/statsTypes';

/** Per-channel min/max/mean/std (population) and non-finite count over interleaved HWC pixels. */
export function channelStats(values: ArrayLike<number>, channels: number): ChannelStats[] {
  const out: ChannelStats[] = [];
  for (let c = 0; c < channels; c++) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    let nonFinite = 0;
    for (let i = c; i < values.length; i += channels) {
      const v = values[i] as number;
      if (!Number.isFinite(v)) {
        nonFinite++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sumSq += v * v;
      n++;
    }
    const mean = n ? sum / n : NaN;
    const variance = n ? Math.max(0, sumSq / n - mean * mean) : NaN;
    out.push({ min: n ? min : NaN, max: n ? max : NaN, mean, std: Math.sqrt(variance), nonFinite });
  }
  return out;
}

/** Histogram of one channel of interleaved HWC values over [lo, hi) in `bins` equal bins (values outside are clamped to the end bins). */
export function histogram(values: ArrayLike<number>, channels: number, channel: number, lo: number, hi: number, bins = 48): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins || 1;
  for (let i = channel; i < values.length; i += channels) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
    counts[b] = (counts[b] as number) + 1;
  }
  return { lo, hi, counts };
}

/** Least-squares fit y ≈ a·x + b for one channel of two aligned arrays, with R². */
export function affineFit(x: ArrayLike<number>, y: ArrayLike<number>, channels: number, channel: number): { a: number; b: number; r2: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = channel; i < x.length; i += channels) {
    const xv = x[i] as number;
    const yv = y[i] as number;
    n++;
    sx += xv;
    sy += yv;
    sxx += xv * xv;
    sxy += xv * yv;
    syy += yv * yv;
  }
  const vx = sxx / n - (sx / n) ** 2;
  const vy = syy / n - (sy / n) ** 2;
  if (vx <= 1e-12) return { a: NaN, b: NaN, r2: NaN };
  const cov = sxy / n - (sx / n) * (sy / n);
  const a = cov / vx;
  const b = sy / n - a * (sx / n);
  const r2 = vy <= 1e-12 ? 1 : (cov * cov) / (vx * vy);
  return { a, b, r2 };
}
