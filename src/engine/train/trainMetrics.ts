/**
 * Mean sparse softmax cross-entropy and accuracy of row-major (n, classes) logits, in float64; with `smoothing` ε
 * against the targets (1 − ε)·onehot + ε/C (the loss the trainers minimise with --label-smoothing).
 */
export function meanCrossEntropy(logits: Float32Array, labels: readonly number[], classes: number, smoothing = 0): { loss: number; accuracy: number } {
  if (labels.length === 0) return { loss: NaN, accuracy: NaN };
  let loss = 0;
  let right = 0;
  labels.forEach((label, i) => {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let max = -Infinity;
    let best = 0;
    row.forEach((v, c) => {
      if (v > max) {
        max = v;
        best = c;
      }
    });
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    let mean = 0;
    for (const v of row) mean += v / classes;
    // −Σ t_c·log p_c = logsumexp − Σ t_c·z_c, with Σ t_c·z_c = (1 − ε)·z_label + ε·mean(z)
    loss += Math.log(sum) + max - (1 - smoothing) * (row[label] as number) - smoothing * mean;
    if (best === label) right++;
  });
  return { loss: loss / labels.length, accuracy: right / labels.length };
}

/** Variance of every logit (what tf.moments over the whole tensor gives), for the expected initial loss. */
export function logitVariance(logits: Float32Array): number {
  let mean = 0;
  for (const v of logits) mean += v;
  mean /= logits.length;
  let v2 = 0;
  for (const v of logits) v2 += (v - mean) ** 2;
  return v2 / logits.length;
}

/**
 * The lowest mean cross-entropy smoothed targets allow (their entropy, reached when the predicted distribution equals
 * them): 0 without smoothing.
 */
export function smoothedTargetEntropy(classes: number, smoothing: number): number {
  if (smoothing <= 0) return 0;
  const off = smoothing / classes;
  const on = 1 - smoothing + off;
  return -(on * Math.log(on)) - (classes - 1) * off * Math.log(off);
}
