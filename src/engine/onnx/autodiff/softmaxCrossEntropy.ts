import type { OnnxGraphBuilder } from '../onnxGraphBuilder';

/**
 * Mean softmax cross-entropy of (batch, classes) logits against (batch, classes) target distributions: one-hot
 * sparse labels, or labels smoothed as (1 − ε)·onehot + ε/C, built by the caller. Returns the loss and its gradient
 * with respect to the logits, (softmax(logits) − targets) / batch, which seeds the backward pass (it is exact and
 * cheaper than differentiating log-softmax).
 */
export function softmaxCrossEntropy(g: OnnxGraphBuilder, logits: string, targets: string): { loss: string; dLogits: string } {
  const logp = g.op('LogSoftmax', [logits], { axis: -1 });
  const perExample = g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [targets, logp]), g.ints([1])], { keepdims: 0 })]);
  const loss = g.op('ReduceMean', [perExample], { axes: [0], keepdims: 0 });
  const batch = g.op('Cast', [g.op('Shape', [logits], { start: 0, end: 1 })], { to: g.elemType });
  const dLogits = g.op('Div', [g.op('Sub', [g.op('Exp', [logp]), targets]), batch]);
  return { loss, dLogits };
}

/** Row-major (batch, classes) targets for integer labels, smoothed by `smoothing` (0 = one-hot). */
export function labelTargets(labels: readonly number[], classes: number, smoothing = 0, out = new Float32Array(labels.length * classes)): Float32Array {
  const off = smoothing / classes;
  out.fill(off);
  labels.forEach((l, i) => (out[i * classes + l] = 1 - smoothing + off));
  return out;
}
