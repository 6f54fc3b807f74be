/** Mean sparse softmax cross-entropy and accuracy of row-major (n, classes) logits, in float64. */
export function meanCrossEntropy(logits: Float32Array, labels: readonly number[], classes: number): { loss: number; accuracy: number } {
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
    loss += Math.log(sum) + max - (row[label] as number);
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
