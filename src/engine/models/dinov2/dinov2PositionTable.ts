import { axisWeights } from '../vit/vitImageConverter';

const f = Math.fround;

/** One separable pass along an axis of a (rows, cols, D) float32 grid: resamples `rows` (axis 0) to `outLen`. */
function resampleRows(src: Float32Array, rows: number, rowStride: number, outLen: number, antialias: boolean): Float32Array {
  const wt = axisWeights(rows, outLen, antialias, 'bicubic');
  const out = new Float32Array(outLen * rowStride);
  for (let o = 0; o < outLen; o++) {
    for (let j = 0; j < rowStride; j++) {
      let acc = 0;
      for (let t = 0; t < wt.taps; t++) {
        const i = wt.idx[o * wt.taps + t] as number;
        if (i < 0) break;
        acc += (wt.w[o * wt.taps + t] as number) * (src[i * rowStride + j] as number);
      }
      out[o * rowStride + j] = f(acc);
    }
  }
  return out;
}

/** The width pass over a (rows, cols, D) float32 grid: resamples the columns of each row to `outLen`. */
function resampleCols(src: Float32Array, rows: number, cols: number, D: number, outLen: number, antialias: boolean): Float32Array {
  const wt = axisWeights(cols, outLen, antialias, 'bicubic');
  const out = new Float32Array(rows * outLen * D);
  for (let y = 0; y < rows; y++) {
    for (let o = 0; o < outLen; o++) {
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let t = 0; t < wt.taps; t++) {
          const i = wt.idx[o * wt.taps + t] as number;
          if (i < 0) break;
          acc += (wt.w[o * wt.taps + t] as number) * (src[(y * cols + i) * D + d] as number);
        }
        out[(y * outLen + o) * D + d] = f(acc);
      }
    }
  }
  return out;
}

/**
 * keras-hub's `_interpolate_position_embeddings` (facts sheet §3.2): the stored table (1 + s², D) keeps row 0 (class
 * token); the s×s patch rows (row-major, row = y) are resized to g×g with `ops.image.resize(interpolation="bicubic",
 * antialias)` as the numpy/jax backends compute it — height pass first, then width, an axis whose size does not change
 * is skipped. Returns (1 + g², D) row-major float32.
 */
export function interpolatePositionTable(stored: Float32Array, D: number, s: number, g: number, antialias: boolean): Float32Array {
  let grid = stored.subarray(D, D + s * s * D) as Float32Array;
  if (g !== s) grid = resampleRows(grid, s, s * D, g, antialias);
  if (g !== s) grid = resampleCols(grid, g, s, D, g, antialias);
  const out = new Float32Array((1 + g * g) * D);
  out.set(stored.subarray(0, D), 0);
  out.set(grid.length === g * g * D ? grid : grid.slice(0, g * g * D), D);
  return out;
}
