/**
 * An independent, straightforward float64 DINOv2 written from the facts sheet (keras-hub-dinov2.md §3–§5), for tests
 * of configs the fixtures do not cover. It reads weights by their h5 paths and shares no code with the engine's model.
 */

type Weights = Map<string, { shape: number[]; data: Float32Array }>;

function keys(x: number): number {
  if (x < 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
  if (x < 2) return -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2;
  return 0;
}

/** w[i][o] for an axis m → n, keras numpy backend bicubic (§3.3). */
export function bicubicMatrix(m: number, n: number, antialias: boolean): number[][] {
  const s = n / m;
  const ks = antialias ? Math.max(1 / s, 1) : 1;
  const w = Array.from({ length: m }, () => new Array<number>(n).fill(0));
  for (let o = 0; o < n; o++) {
    const u = (o + 0.5) / s - 0.5;
    let sum = 0;
    for (let i = 0; i < m; i++) {
      w[i]![o] = keys(Math.abs(u - i) / ks);
      sum += w[i]![o]!;
    }
    for (let i = 0; i < m; i++) w[i]![o] = Math.abs(sum) <= 1000 * 2 ** -23 ? 0 : w[i]![o]! / sum;
  }
  return w;
}

/** (h, w, c) → (th, tw, c): height pass first, then width; an unchanged axis is skipped. */
export function resize64(img: Float64Array, h: number, w: number, c: number, th: number, tw: number, antialias: boolean): Float64Array {
  let cur = img;
  if (th !== h) {
    const m = bicubicMatrix(h, th, antialias);
    const out = new Float64Array(th * w * c);
    for (let o = 0; o < th; o++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      let acc = 0;
      for (let i = 0; i < h; i++) acc += m[i]![o]! * cur[(i * w + x) * c + k]!;
      out[(o * w + x) * c + k] = acc;
    }
    cur = out;
  }
  if (tw !== w) {
    const m = bicubicMatrix(w, tw, antialias);
    const out = new Float64Array(th * tw * c);
    for (let y = 0; y < th; y++) for (let o = 0; o < tw; o++) for (let k = 0; k < c; k++) {
      let acc = 0;
      for (let i = 0; i < w; i++) acc += m[i]![o]! * cur[(y * w + i) * c + k]!;
      out[(y * tw + o) * c + k] = acc;
    }
    cur = out;
  }
  return cur;
}

/** The converter (§5): centre crop to the square target, bicubic resize (not clamped), x·scale + offset. */
export function convert64(px: Uint8Array, h: number, w: number, size: number, scale: number[], offset: number[], antialias: boolean): Float64Array {
  const side = Math.min(h, w);
  const top = Math.floor((h - side) / 2);
  const left = Math.floor((w - side) / 2);
  const crop = new Float64Array(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let k = 0; k < 3; k++) crop[(y * side + x) * 3 + k] = px[((y + top) * w + x + left) * 3 + k]!;
  const r = side === size ? crop : resize64(crop, side, side, 3, size, size, antialias);
  return r.map((v, i) => v * scale[i % 3]! + offset[i % 3]!);
}

function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 80; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f);
}

function layerNorm(x: number[], gamma: Float32Array, beta: Float32Array): number[] {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const v = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  return x.map((xi, i) => ((xi - mean) / Math.sqrt(v + 1e-6)) * gamma[i]! + beta[i]!);
}

/** y = x·W + b for a row vector, W stored (in, out) row-major. */
function matvec(x: number[], W: Float32Array, b: Float32Array, out: number): number[] {
  const y = Array.from(b.subarray(0, out), Number);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < out; j++) y[j]! += x[i]! * W[i * out + j]!;
  return y;
}

export interface Ref64Config {
  P: number; L: number; D: number; N: number; M: number; R: number; mask: boolean; swiglu: boolean;
  image: number; pe: number; antialias: boolean;
}

export interface Ref64Result { table: number[][]; embeddings: number[][][]; output: number[][][] }

/** The backbone forward (§3) on converted images (B, S, S, 3) in float64. */
export function dinov2Forward64(c: Ref64Config, W: Weights, images: Float64Array, B: number): Ref64Result {
  const get = (p: string): Float32Array => {
    const w = W.get(p);
    if (!w) throw new Error(`reference: no ${p}`);
    return w.data;
  };
  const { P, D, N, R } = c;
  const K = D / N;
  const g = Math.floor(c.image / P);
  const g0 = Math.floor(c.pe / P);
  const e = 'layers/dinov2_embedding';
  const last = 1 + (c.mask ? 1 : 0) + (R > 0 ? 1 : 0) + 1;
  const S = get(`${e}/vars/${last}`);
  let table: number[][];
  if (c.pe === c.image) table = Array.from({ length: 1 + g0 * g0 }, (_, t) => Array.from(S.subarray(t * D, (t + 1) * D), Number));
  else {
    const grid = new Float64Array(g0 * g0 * D);
    for (let i = 0; i < g0 * g0 * D; i++) grid[i] = S[D + i]!;
    const r = resize64(grid, g0, g0, D, g, g, c.antialias);
    table = [Array.from(S.subarray(0, D), Number), ...Array.from({ length: g * g }, (_, t) => Array.from(r.subarray(t * D, (t + 1) * D)))];
  }
  const cls = get(`${e}/vars/0`);
  const regs = R > 0 ? get(`${e}/vars/${c.mask ? 2 : 1}`) : null;
  const kern = get(`${e}/patch_embeddings/projection/vars/0`);
  const pb = get(`${e}/patch_embeddings/projection/vars/1`);
  const embeddings: number[][][] = [];
  const output: number[][][] = [];
  for (let b = 0; b < B; b++) {
    const toks: number[][] = [Array.from(cls, Number).map((v, d) => v + table[0]![d]!)];
    for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) {
      const t = Array.from(pb, Number);
      for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) for (let k = 0; k < 3; k++) {
        const v = images[((b * c.image + i * P + y) * c.image + j * P + x) * 3 + k]!;
        for (let d = 0; d < D; d++) t[d]! += v * kern[((y * P + x) * 3 + k) * D + d]!;
      }
      toks.push(t.map((v, d) => v + table[1 + i * g + j]![d]!));
    }
    let xs = [toks[0]!, ...Array.from({ length: R }, (_, r) => Array.from(regs!.subarray(r * D, (r + 1) * D), Number)), ...toks.slice(1)];
    embeddings.push(xs.map((r) => [...r]));
    for (let l = 0; l < c.L; l++) {
      const p = `layers/dinov2_encoder/layers/dinov2_layer${l === 0 ? '' : `_${l}`}`;
      const a = `${p}/attention/attention`;
      const ln1 = xs.map((t) => layerNorm(t, get(`${p}/norm1/vars/0`), get(`${p}/norm1/vars/1`)));
      const q = ln1.map((t) => matvec(t, get(`${a}/query_dense/vars/0`), get(`${a}/query_dense/vars/1`), D));
      const k = ln1.map((t) => matvec(t, get(`${a}/key_dense/vars/0`), get(`${a}/key_dense/vars/1`), D));
      const v = ln1.map((t) => matvec(t, get(`${a}/value_dense/vars/0`), get(`${a}/value_dense/vars/1`), D));
      const ctx = xs.map(() => new Array<number>(D).fill(0));
      for (let h = 0; h < N; h++) for (let i = 0; i < xs.length; i++) {
        const sc = xs.map((_, j) => { let s = 0; for (let z = 0; z < K; z++) s += (q[i]![h * K + z]! / Math.sqrt(K)) * k[j]![h * K + z]!; return s; });
        const mx = Math.max(...sc);
        const ex = sc.map((s) => Math.exp(s - mx));
        const tot = ex.reduce((x, y) => x + y, 0);
        for (let j = 0; j < xs.length; j++) for (let z = 0; z < K; z++) ctx[i]![h * K + z]! += (ex[j]! / tot) * v[j]![h * K + z]!;
      }
      const l1 = get(`${p}/layer_scale1/vars/0`);
      const l2 = get(`${p}/layer_scale2/vars/0`);
      const hs = ctx.map((t, i) => matvec(t, get(`${a}/output_dense/vars/0`), get(`${a}/output_dense/vars/1`), D).map((y, d) => y * l1[d]! + xs[i]![d]!));
      xs = hs.map((h1) => {
        const m = layerNorm(h1, get(`${p}/norm2/vars/0`), get(`${p}/norm2/vars/1`));
        let f: number[];
        if (c.swiglu) {
          const Ma = Math.floor((Math.floor((c.M * 2) / 3) + 7) / 8) * 8;
          const t = matvec(m, get(`${p}/mlp/weights_in/vars/0`), get(`${p}/mlp/weights_in/vars/1`), 2 * Ma);
          const gated = t.slice(0, Ma).map((x1, i) => (x1 / (1 + Math.exp(-x1))) * t[Ma + i]!);
          f = matvec(gated, get(`${p}/mlp/weights_out/vars/0`), get(`${p}/mlp/weights_out/vars/1`), D);
        } else {
          const t = matvec(m, get(`${p}/mlp/fc1/vars/0`), get(`${p}/mlp/fc1/vars/1`), c.M).map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2)));
          f = matvec(t, get(`${p}/mlp/fc2/vars/0`), get(`${p}/mlp/fc2/vars/1`), D);
        }
        return f.map((y, d) => y * l2[d]! + h1[d]!);
      });
    }
    output.push(xs.map((t) => layerNorm(t, get('layers/layer_normalization/vars/0'), get('layers/layer_normalization/vars/1'))));
  }
  return { table, embeddings, output };
}
