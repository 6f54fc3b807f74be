/** Training and pipeline-check messages (host/CLI ⇄ engine). */
import type { UserPreprocessing } from './engineProtocol';

export type TrainMode = 'head' | 'last-k' | 'full';

/** How head mode pools a DINOv2 backbone's tokens into features: the CLS token, or the mean of the patch tokens (registers excluded). */
export type TrainPooling = 'token' | 'patch_mean';
export const TRAIN_POOLINGS: readonly TrainPooling[] = ['token', 'patch_mean'];

/** Sent by the host/CLI: a short fine-tune on an image folder (one sub-folder per class). */
export interface TrainParams {
  preset: string;
  data: string;
  mode?: TrainMode;
  /** Blocks unfrozen in last-k mode (default 2). */
  k?: number;
  epochs?: number;
  /** Default: head 1e-3, last-k 1e-4, full 5e-5. */
  lr?: number;
  batch?: number;
  /** Gradient accumulation: optimizer step every N batches (effective batch = batch × N). */
  accumulate?: number;
  optimizer?: 'adam' | 'adamw' | 'sgd';
  /** Clip the averaged gradient to this global L2 norm before each optimizer step (default: no clipping). */
  clipNorm?: number;
  /** Label smoothing ε in [0, 1]: cross-entropy against (1 − ε)·onehot + ε/C, as keras CategoricalCrossentropy(label_smoothing=ε). Default 0. */
  labelSmoothing?: number;
  warmupSteps?: number;
  validationSplit?: number;
  seed?: number;
  preprocessing?: UserPreprocessing;
  /** DINOv2 presets: the pooled feature the head trains on (default token = CLS). ViT presets pool as their config says. */
  pooling?: TrainPooling;
  /** Folder to save the trained preset in (config.json, task.json, model.weights.h5, task.weights.h5). */
  out?: string;
  maxPerClass?: number;
  cwd?: string;
}

export interface DataEvent {
  type: 'data';
  classNames: string[];
  counts: number[];
  train: number;
  val: number;
  imbalance: number;
  skipped: { file: string; reason: string }[];
}

export interface PlanEvent {
  type: 'plan';
  mode: TrainMode;
  trainableParams: number;
  frozenParams: number;
  memoryEstimateMb: number;
  memoryLimitMb: number;
  lr: number;
  optimizer: string;
  stepsPerEpoch: number;
  note: string;
  /** where the frozen prefix ran (onnx, or the TF.js backend) and where gradients run, with the reason */
  backends: { features: string; gradients: string; why: string };
}

export interface StepEvent {
  type: 'step';
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
  gradNorm: number;
  /** Gradient norm per parameter group: embeddings, block_1…block_L, final_ln, head. */
  gradNorms: Record<string, number>;
  lr: number;
  imagesPerSec: number;
}

export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
}

export interface HealthEvent {
  type: 'health';
  severity: 'warning' | 'error';
  code: 'nan-loss' | 'exploding-gradients' | 'vanishing-gradients' | 'high-lr' | 'imbalance' | 'skipped-files';
  message: string;
  step?: number;
}

export type TrainEvent = DataEvent | PlanEvent | StepEvent | EpochEvent | HealthEvent;

export interface TrainResult {
  steps: StepEvent[];
  epochs: EpochEvent[];
  health: HealthEvent[];
  data: DataEvent;
  plan: PlanEvent;
  stopped: 'completed' | 'nan' | 'cancelled';
  savedTo: string | null;
  seconds: number;
  /** Validation images in order, and the final model's logits on them (for confusion matrices and reload checks). */
  valFiles: string[];
  valLogits: number[][];
}

export interface CheckParams {
  preset: string;
  data: string;
  /** The user's preprocessing variants to compare against the preset converter (default: none, rescale, imagenet). */
  compare?: UserPreprocessing[];
  epochs?: number;
  seed?: number;
  /** Label smoothing ε in [0, 1] of the head's cross-entropy (the overfit target becomes the smoothed targets' entropy + 0.05). Default 0. */
  labelSmoothing?: number;
  /** DINOv2 presets: the pooled feature the head trains on (default token = CLS). */
  pooling?: TrainPooling;
  maxPerClass?: number;
  cwd?: string;
}

export interface OverfitCurve {
  losses: number[];
  finalLoss: number;
  passed: boolean;
}

export interface CheckResult {
  classNames: string[];
  initLoss: { loss: number; lnC: number; expected: number; verdict: 'ok' | 'high' | 'low' };
  overfit: OverfitCurve & { verdict: string; likelyCauses: string[] };
  baseline: OverfitCurve & { ignoresInput: boolean; verdict: string };
  ab: { preprocessing: UserPreprocessing; valAccuracy: number; valLoss: number; curve: number[] }[];
  abVerdict: string;
  seconds: number;
}

export interface TrainProgressEvent {
  requestId: number;
  event: TrainEvent | { type: 'check'; stage: string; message: string };
}
