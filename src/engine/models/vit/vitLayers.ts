import * as tf from '@tensorflow/tfjs-core';

/** LayerNormalization over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, biased variance. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const { mean, variance } = tf.moments(x, axis, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}

/** Dense over the last axis: x · W (+ b). Works for any leading shape. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    const inDim = x.shape[x.rank - 1] as number;
    const y = tf.matMul(tf.reshape(x, [-1, inDim]), kernel as tf.Tensor2D);
    const withBias = bias ? tf.add(y, bias) : y;
    return tf.reshape(withBias, [...lead, kernel.shape[1] as number]);
  });
}

/** Exact GELU, as keras.activations.gelu (approximate=False): 0.5 x (1 + erf(x / sqrt 2)). */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

export interface MhaParams {
  wq: tf.Tensor; bq: tf.Tensor | null;
  wk: tf.Tensor; bk: tf.Tensor | null;
  wv: tf.Tensor; bv: tf.Tensor | null;
  wo: tf.Tensor; bo: tf.Tensor | null;
}

/**
 * keras.layers.MultiHeadAttention self-attention with key_dim = D // N: q is scaled by 1/sqrt(K) before the
 * dot product; softmax over keys; no mask. Kernels are pre-reshaped to (D, N*K) and (N*K, D).
 */
export function multiHeadSelfAttention(
  x: tf.Tensor,
  p: MhaParams,
  numHeads: number,
  keyDim: number,
  onProbs?: (probs: tf.Tensor) => void,
): tf.Tensor {
  return tf.tidy(() => {
    const [B, T] = x.shape as [number, number, number];
    const heads = (t: tf.Tensor): tf.Tensor4D => tf.transpose(tf.reshape(t, [B, T, numHeads, keyDim]), [0, 2, 1, 3]) as tf.Tensor4D;
    const q = heads(tf.mul(dense(x, p.wq, p.bq), 1 / Math.sqrt(keyDim)));
    const k = heads(dense(x, p.wk, p.bk));
    const v = heads(dense(x, p.wv, p.bv));
    const probs = tf.softmax(tf.matMul(q, k, false, true));
    onProbs?.(probs);
    const ctx = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B, T, numHeads * keyDim]);
    return dense(ctx, p.wo, p.bo);
  });
}
