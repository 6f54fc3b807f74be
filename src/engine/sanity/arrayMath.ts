/** Plain-array math for reports: the same on every backend, no tensors involved. */

export function meanStd(a: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  const mean = s / Math.max(1, a.length);
  let v = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - mean;
    v += d * d;
  }
  return { mean, std: Math.sqrt(v / Math.max(1, a.length)) };
}

/**
 * (B, T, D) tokens → (B, D): `token` = index 0, `gap` = mean over all T tokens, `patch_mean` = mean over the patch
 * tokens from `patchStart`, `after_cls_mean` = mean over tokens 1.. (features[:, 1:, :], registers included).
 */
export function poolTokens(tokens: Float32Array, B: number, T: number, D: number, pooling: 'token' | 'gap' | 'patch_mean' | 'after_cls_mean', patchStart = 0): Float32Array {
  const out = new Float32Array(B * D);
  // "gap" averages every token (keras-hub ViT pooling="gap"); "patch_mean" only the patch tokens (DINOv2 users'
  // output[:, 1 + registers:].mean(1)): registers and the class token excluded
  const from = pooling === 'patch_mean' ? patchStart : pooling === 'after_cls_mean' ? 1 : 0;
  for (let b = 0; b < B; b++) {
    const base = b * T * D;
    if (pooling === 'token') {
      out.set(tokens.subarray(base, base + D), b * D);
      continue;
    }
    for (let t = from; t < T; t++) for (let d = 0; d < D; d++) out[b * D + d]! += tokens[base + t * D + d] as number;
    for (let d = 0; d < D; d++) out[b * D + d]! /= T - from;
  }
  return out;
}

/** Mean over rows of the cosine similarity of a[i] and b[i] ((n, d) each). */
export function meanRowCosine(a: Float32Array, b: Float32Array, n: number, d: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < d; j++) {
      const x = a[i * d + j] as number;
      const y = b[i * d + j] as number;
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    total += dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-12);
  }
  return total / Math.max(1, n);
}

/** (n, k) · (k, m) → (n, m). */
export function matMul(a: Float32Array, b: Float32Array, n: number, k: number, m: number): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p] as number;
      if (x === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j]! += x * (b[p * m + j] as number);
    }
  }
  return out;
}

/** Mean sparse softmax cross-entropy of (n, c) logits against integer labels (log-sum-exp, stable). */
export function softmaxCrossEntropy(logits: Float32Array, labels: number[], c: number): number {
  let total = 0;
  labels.forEach((y, i) => {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, logits[i * c + j] as number);
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp((logits[i * c + j] as number) - max);
    total += max + Math.log(sum) - (logits[i * c + y] as number);
  });
  return total / Math.max(1, labels.length);
}

export function variance(a: Float32Array): number {
  return meanStd(a).std ** 2;
}
