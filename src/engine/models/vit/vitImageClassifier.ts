import * as tf from '@tensorflow/tfjs-core';
import type { ImageClassifierConfig } from '../../../core/presets/presetSchema';
import type { WeightArray } from '../../weights/h5Reader';
import { dense } from './vitLayers';
import type { ViTHeadArrays } from './vitWeights';

export interface ViTHeadParams {
  preLogitsKernel: tf.Tensor | null;
  preLogitsBias: tf.Tensor | null;
  kernel: tf.Tensor;
  bias: tf.Tensor;
}

export interface ViTHeadOutputs {
  pooled: tf.Tensor2D;
  logits: tf.Tensor2D;
  /** softmax(logits) */
  probabilities: tf.Tensor2D;
  /** What ViTImageClassifier(x) returns: logits when activation is None, else the activation applied. */
  output: tf.Tensor2D;
}

export function createViTHeadParams(a: ViTHeadArrays, asVariables = false): ViTHeadParams {
  const t = (w: WeightArray | null): tf.Tensor | null => {
    if (!w) return null;
    const x = tf.tensor(w.data, w.shape, 'float32');
    if (!asVariables) return x;
    const v = tf.variable(x, true);
    x.dispose();
    return v;
  };
  return { preLogitsKernel: t(a.preLogitsKernel), preLogitsBias: t(a.preLogitsBias), kernel: t(a.kernel) as tf.Tensor, bias: t(a.bias) as tf.Tensor };
}

export function listViTHeadTensors(p: ViTHeadParams): tf.Tensor[] {
  return [p.preLogitsKernel, p.preLogitsBias, p.kernel, p.bias].filter((t): t is tf.Tensor => t !== null);
}

/** Pooling of ViTImageClassifier: "token" = sequence index 0; "gap" = mean over all tokens (class token included). */
export function vitPool(tokens: tf.Tensor3D, pooling: string): tf.Tensor2D {
  return tf.tidy(() => {
    if (pooling === 'token') return tf.squeeze(tf.slice(tokens, [0, 0, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
    if (pooling === 'gap') return tf.mean(tokens, 1) as tf.Tensor2D;
    throw new Error(`pooling "${pooling}" is not supported (keras-hub ViTImageClassifier accepts "token" and "gap").`);
  });
}

function applyActivation(logits: tf.Tensor2D, activation: string | null): tf.Tensor2D {
  switch (activation) {
    case null:
    case 'linear':
      return logits.clone();
    case 'softmax':
      return tf.softmax(logits);
    case 'sigmoid':
      return tf.sigmoid(logits);
    default:
      throw new Error(`head activation "${activation}" is not supported (None, "linear", "softmax" and "sigmoid" are).`);
  }
}

/** ViTImageClassifier head on backbone tokens: pool → [pre_logits tanh] → (dropout = identity) → predictions. */
export function vitHeadForward(task: Pick<ImageClassifierConfig, 'pooling' | 'activation'>, p: ViTHeadParams, tokens: tf.Tensor3D): ViTHeadOutputs {
  const pooled = vitPool(tokens, task.pooling);
  const logits = tf.tidy(() => {
    const h = p.preLogitsKernel ? tf.tanh(dense(pooled, p.preLogitsKernel, p.preLogitsBias)) : pooled;
    return dense(h, p.kernel, p.bias) as tf.Tensor2D;
  });
  return { pooled, logits, probabilities: tf.softmax(logits), output: applyActivation(logits, task.activation) };
}
