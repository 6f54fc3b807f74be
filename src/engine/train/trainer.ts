import type { TrainMode } from '../../protocol/trainProtocol';
import type { ViTBackboneArrays, ViTHeadArrays } from '../models/vit/vitWeights';
import type { ModelRunner } from '../runners/modelRunner';
import type { OptimizerName } from './optimizer';

/** Rows of the frozen prefix's output, cached once: pooled features (head), tokens (last-k) or the images (full). */
export interface PrefixCache {
  data: Float32Array;
  /** shape of one row, e.g. [T, D] */
  rowShape: number[];
  n: number;
}

export interface TrainerOptions {
  mode: TrainMode;
  k: number;
  numClasses: number;
  seed: number;
  optimizer: OptimizerName;
  /** sgd momentum */
  momentum?: number;
  /** global-norm gradient clipping (null: none) */
  clipNorm?: number | null;
  /** micro-batches summed before each optimizer step */
  accumulate: number;
  /** label smoothing ε of the cross-entropy (targets (1 − ε)·onehot + ε/C, as keras CategoricalCrossentropy); 0 or absent: none */
  labelSmoothing?: number;
}

export interface MicroStep {
  loss: number;
  /** argmax of each example's logits */
  predictions: number[];
}

export interface AppliedStep {
  /** L2 norm of the averaged gradient per parameter group (embeddings, block_<i>, final_ln, head), before clipping */
  gradNorms: Record<string, number>;
  gradNorm: number;
}

/**
 * A classifier being fine-tuned on one backend. `trainRun.ts` and the pipeline checks use this interface only, so
 * they never branch per backend (as `ModelRunner` serves forward passes): ONNX Runtime by default, TF.js as the
 * reference and fallback.
 */
export interface Trainer {
  /** "onnx", or the TF.js backend name */
  readonly backend: string;
  readonly mode: TrainMode;
  /** index of the first trainable block (0 for full, L for head) */
  readonly firstTrainableBlock: number;
  readonly pooling: 'token' | 'gap';
  readonly trainableCount: number;
  /** the backbone's parameter count (count_params() of the ViTBackbone) */
  readonly parameterCount: number;
  /** the frozen prefix over `n` converted images, on `runner` (ONNX Runtime) when given, else on the trainer's backend */
  prefix(pixels: Float32Array, n: number, runner: ModelRunner | null, onChunk?: () => Promise<void>): Promise<PrefixCache>;
  /** forward + backward on cache rows `idx`; the gradient is added to the pending sum */
  accumulate(x: PrefixCache, idx: number[], labels: number[]): Promise<MicroStep>;
  /** one optimizer step with the pending gradients averaged over the micro-batches since the last step */
  apply(lr: number): Promise<AppliedStep>;
  /** logits (n, classes) row-major for every cache row */
  logits(x: PrefixCache): Promise<Float32Array>;
  /** a fresh head from `seed` (and fresh optimizer state): the pipeline checks' restarts */
  resetHead(seed: number): Promise<void>;
  /** current weights in the layouts the Keras writer expects */
  toArrays(): Promise<{ backbone: ViTBackboneArrays; head: ViTHeadArrays }>;
  dispose(): Promise<void>;
}

/** Copies cache rows `idx` into one batch. */
export function gatherRows(x: PrefixCache, idx: readonly number[], out?: Float32Array): Float32Array {
  const row = x.rowShape.reduce((a, b) => a * b, 1);
  const batch = out ?? new Float32Array(idx.length * row);
  idx.forEach((r, i) => batch.set(x.data.subarray(r * row, (r + 1) * row), i * row));
  return batch;
}

export function argmaxRows(logits: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < logits.length / classes; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if ((logits[i * classes + c] as number) > (logits[i * classes + best] as number)) best = c;
    out.push(best);
  }
  return out;
}

export function firstTrainableBlock(mode: TrainMode, k: number, numLayers: number): number {
  return mode === 'full' ? 0 : mode === 'last-k' ? Math.max(0, numLayers - Math.max(1, Math.min(numLayers, k))) : numLayers;
}
