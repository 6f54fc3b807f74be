/** Host/CLI ⇄ engine contract. The host (or CLI) sends requests; the engine answers and sends notifications. */
import type { ChannelStats, Histogram } from './statsTypes';
import type { CheckParams, CheckResult, TrainParams, TrainProgressEvent, TrainResult } from './trainProtocol';

/** auto = onnx (forward passes and training as ONNX graphs; TF.js loaded as the reference when training first runs), else a TF.js backend for everything. */
export const BACKEND_CHOICES = ['auto', 'onnx', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * How the user's own code prepares pixels before the backbone, to reproduce it in the sanity batch.
 * `preset` = the preset's ImageConverter (correct); `none` = raw 0–255; `rescale` = x / 255;
 * `imagenet` = (x / 255 - ImageNet mean) / ImageNet std; `caffe` = BGR minus ImageNet mean (keras.applications caffe mode);
 * `tf` = x / 127.5 - 1.
 */
export type UserPreprocessing = 'preset' | 'none' | 'rescale' | 'imagenet' | 'caffe' | 'tf';
export const USER_PREPROCESSING: readonly UserPreprocessing[] = ['preset', 'none', 'rescale', 'imagenet', 'caffe', 'tf'];

/**
 * How the user's code pools tokens: `token` = features[:, 0, :]; `gap` = mean over all tokens; `patch_mean` = mean of
 * the patch tokens only (DINOv2: features[:, 1 + registers:, :]); `after_cls_mean` = features[:, 1:, :].mean(1), which
 * on a DINOv2 with registers averages the registers in too.
 */
export type UserPooling = 'token' | 'gap' | 'patch_mean' | 'after_cls_mean';
export const USER_POOLINGS: readonly UserPooling[] = ['token', 'gap', 'patch_mean', 'after_cls_mean'];

/** Sent by the host/CLI: run one batch through converter, backbone and head and report. */
export interface SanityParams {
  preset: string;
  images: string[];
  /** Folder with one sub-folder per class; images under it get that label (and are used when `images` is empty). */
  labels?: string;
  batch?: number;
  userPreprocessing?: UserPreprocessing;
  userPooling?: UserPooling;
  /** The `from_logits` of the user's loss; undefined = not known. */
  userFromLogits?: boolean;
  /** Reproduce the uint8 eager converter path (rounds the resized image) instead of predict()/fit()'s float path. */
  converterPath?: 'float' | 'uint8-eager';
  dumpTensors?: boolean;
  /** Return the converted images de-normalised to PNG data URIs (for the statistics panel). */
  thumbnails?: boolean;
  cwd?: string;
  seed?: number;
}

export interface StageReport {
  id: string;
  label: string;
  shape: (number | null)[];
  detail: string;
  /** mean / std of the tensor at this stage, when it is a float activation */
  mean?: number;
  std?: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  title: string;
  detail: string;
  fix: string;
}

export interface ImageInfo {
  file: string;
  width: number;
  height: number;
  format: string;
  sourceChannels: number;
  label?: string;
}

export interface InputStatsReport {
  /** Decoded 0–255 pixels before any preprocessing. */
  raw: ChannelStats[];
  /** What reached the backbone (after the user's preprocessing). */
  fed: ChannelStats[];
  /** The same images through the preset's converter: what the backbone was trained on. */
  expected: ChannelStats[];
  expectedRange: { min: number[]; max: number[]; formula: string; rangeText: string };
  histograms: { raw: Histogram[]; fed: Histogram[]; expected: Histogram[] };
}

export interface LossReport {
  numClasses: number;
  lnC: number;
  /** ln(C) + σ²/2, σ² = variance of the fresh head's logits: what a head with this initialisation scale should start at. */
  expected: number;
  /** Cross-entropy of a freshly initialised head (as from_preset(num_classes=C)) on the fed input. */
  loss: number;
  /** The same head on correctly preprocessed input. */
  lossCorrect: number;
  verdict: 'ok' | 'high' | 'low';
}

export interface PresetSummary {
  name: string;
  dir: string;
  source: 'directory' | 'kagglehub-cache';
  backboneClass: string;
  imageShape: number[];
  patchSize: number[];
  numLayers: number;
  numHeads: number;
  hiddenDim: number;
  mlpDim: number;
  useClassToken: boolean;
  numTokens: number;
  /** the model family ("vit", "dinov2"), from the backbone class */
  family?: string;
  /** where the tokens sit: [CLS], registers (DINOv2 with registers, no position embedding), patches from `patchStart` */
  tokenLayout?: { grid: [number, number]; classToken: boolean; registers: number; patchStart: number };
  /** DINOv2: the stored position table's grid and whether it was interpolated (bicubic, at build time) to the built grid */
  positionTable?: { storedGrid: [number, number]; builtGrid: [number, number]; interpolated: boolean; antialias: boolean };
  parameterCount: number;
  task: { numClasses: number; pooling: string; activation: string | null; intermediateDim: number | null } | null;
  converter: { formula: string; rangeText: string; resize: string; file: string | null } | null;
  keras: { kerasVersion?: string; kerasHubVersion?: string };
}

export interface DumpTensor {
  shape: number[];
  data: number[] | Float32Array;
}

export interface SanityReport {
  preset: PresetSummary;
  backend: { name: string; notes: string[] };
  images: ImageInfo[];
  /** files found but not used (not an image, hidden, dangling link, cannot be decoded), with the reason */
  skipped: { file: string; reason: string }[];
  userPreprocessing: UserPreprocessing;
  userPooling: UserPooling;
  converterPath: 'float' | 'uint8-eager';
  stages: StageReport[];
  inputStats: InputStatsReport;
  /** Cosine similarity of pooled features: fed input vs correctly preprocessed input (1 when they are the same). */
  featureSimilarity: number | null;
  loss: LossReport | null;
  predictions: { file: string; top: { index: number; probability: number }[] }[];
  findings: Finding[];
  /** Milliseconds per phase; `load` = the sum of `loadPhases` (hashWeightsMs, readWeightsMs, buildGraphMs or loadCachedGraphMs, createSessionMs). */
  timings: { loadMs: number; loadPhases: Record<string, number>; decodeMs: number; preprocessMs: number; forwardMs: number; totalMs: number };
  tensors?: Record<string, DumpTensor | DumpTensor[]>;
  thumbnails?: string[];
}

export interface ReadyEvent {
  protocolVersion: number;
  engineVersion: string;
  node: string;
  backend: { name: string; notes: string[] };
}

export interface ProgressEvent {
  requestId: number;
  stage: string;
  /** 0..1 */
  fraction: number;
  message: string;
}

export interface LogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface EngineRequests {
  [method: string]: { params: unknown; result: unknown };
  'engine/sanityPass': { params: SanityParams; result: SanityReport };
  'engine/train': { params: TrainParams; result: TrainResult };
  'engine/checkPipeline': { params: CheckParams; result: CheckResult };
  'engine/shutdown': { params: Record<string, never>; result: null };
}

export interface EngineNotifications {
  [method: string]: unknown;
  'engine/ready': ReadyEvent;
  'engine/progress': ProgressEvent;
  /** Training and pipeline-check events, tagged with the request they belong to. */
  'engine/trainProgress': TrainProgressEvent;
  'engine/log': LogEvent;
  /** The engine cannot start (e.g. the requested backend is unavailable); it exits right after. */
  'engine/fatal': { code: string; message: string };
}

/** Requests the engine receives carry no notifications back other than EngineNotifications. */
export type HostNotifications = Record<string, never>;
