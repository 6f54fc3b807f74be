import type { WeightIssue } from '../weights/weightHealth';
import type { ImageClassifierConfig, ViTBackboneConfig } from '../../core/presets/presetSchema';

/** A float32 tensor as a flat row-major array and its shape. */
export interface StageTensor {
  shape: number[];
  data: Float32Array;
}

/** The preset head's outputs (ViTImageClassifier). */
export interface HeadStages {
  pooled: StageTensor;
  preLogits: StageTensor | null;
  logits: StageTensor;
  /** softmax(logits) */
  probabilities: StageTensor;
  /** what the task model returns: logits when activation is None, else the activation applied */
  taskOutput: StageTensor;
}

/** Every stage of one forward pass, the same on every backend. */
export interface StagedOutputs {
  embeddings: StageTensor;
  /** encoder block outputs, block 1 first */
  blocks: StageTensor[];
  backboneOutput: StageTensor;
  head: HeadStages | null;
  /** block-1 internals (fixture names: ln_1, attention_probs, ...) when the runner was created with internals */
  internals: Record<string, StageTensor> | null;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** called after each encoder block where the backend runs block by block, else once at the end */
  onProgress?: (done: number, total: number) => void;
}

/** Load phases in milliseconds, named as the report shows them. */
export type LoadTimings = Record<string, number>;

/**
 * A loaded model on one backend: converted images in, staged outputs out. The sanity batch, the pipeline checks and
 * the head-only feature cache use this interface only, so they never branch per backend.
 */
export interface ModelRunner {
  readonly backend: { name: string; notes: string[] };
  readonly config: ViTBackboneConfig;
  /** the preset's task when its head weights were loaded, else null */
  readonly task: ImageClassifierConfig | null;
  readonly parameterCount: number;
  readonly loadTimings: LoadTimings;
  /** weight variables holding NaN/Inf (reported before the forward pass) */
  readonly weightIssues: WeightIssue[];
  /** `images`: (batch, H, W, C) converted pixels, row-major. */
  run(images: Float32Array, batch: number, opts?: RunOptions): Promise<StagedOutputs>;
  dispose(): Promise<void>;
}
