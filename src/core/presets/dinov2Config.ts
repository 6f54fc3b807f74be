import { UserError } from '../userError';
import { shownJson } from './lenientJson';
import type { ViTBackboneConfig } from './presetSchema';

/**
 * Normalised DINOV2Backbone config (keras_hub/src/models/dinov2/dinov2_backbone.py constructor, defaults applied;
 * facts sheet keras-hub-dinov2.md §2). Every LayerNorm uses eps 1e-6 (hard-coded, not a config key).
 */
export interface DINOV2BackboneConfig {
  patchSize: number;
  numLayers: number;
  hiddenDim: number;
  numHeads: number;
  /** MLP inner width M as configured; SwiGLU uses (int(M·2/3) + 7) // 8 · 8 instead (see `swigluInnerDim`) */
  intermediateDim: number;
  layerScaleInitValue: number;
  numRegisterTokens: number;
  useMaskToken: boolean;
  useSwigluFfn: boolean;
  dropoutRate: number;
  dropPathRate: number;
  /** (H, W, C), H = W */
  imageShape: [number, number, number];
  /** pixel size (H, W) the stored position table was trained for */
  positionEmbeddingShape: [number, number];
  antialiasInInterpolation: boolean;
  applyLayernorm: boolean;
  dtype: string;
}

export const DINOV2_LAYER_NORM_EPSILON = 1e-6;

type Json = Record<string, unknown>;

function fail(file: string, problem: string): never {
  throw new UserError('E_PRESET_INVALID', `${file}: ${problem}`, { file });
}

function int(cfg: Json, key: string, file: string, fallback?: number, allowZero = false): number {
  const v = cfg[key] ?? fallback;
  if (v === undefined) fail(file, `"${key}" is missing (DINOV2Backbone requires it).`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) {
    fail(file, `"${key}" must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${shownJson(cfg[key])}.`);
  }
  return v;
}

function num(cfg: Json, key: string, file: string, fallback: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(file, `"${key}" must be a finite number, got ${shownJson(cfg[key])}.`);
  return v;
}

function bool(cfg: Json, key: string, file: string, fallback: boolean): boolean {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'boolean') fail(file, `"${key}" must be true or false, got ${shownJson(cfg[key])}.`);
  return v;
}

function sizes(value: unknown, key: string, file: string, min: number): number[] {
  if (!Array.isArray(value) || value.length < min || !value.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0)) {
    fail(file, `"${key}" must be a list of at least ${min} positive integers, got ${shownJson(value)}.`);
  }
  return value as number[];
}

function dtypeName(value: unknown): string {
  if (typeof value === 'string') return value;
  const cfg = (value as { config?: { name?: unknown } } | null)?.config;
  return typeof cfg?.name === 'string' ? cfg.name : 'float32';
}

/** SwiGLU inner width as DINOV2SwiGLUFFN computes it: (int(M·2/3) + 7) // 8 · 8 (6144 → 4096). */
export function swigluInnerDim(intermediateDim: number): number {
  return Math.floor((Math.floor((intermediateDim * 2) / 3) + 7) / 8) * 8;
}

/** Parses the `config` object of a DINOV2Backbone config.json; errors name the file and the key. */
export function parseDINOV2BackboneConfig(config: Json, file: string): DINOV2BackboneConfig {
  const shape = sizes(config.image_shape ?? [224, 224, 3], 'image_shape', file, 3);
  if (shape.length !== 3) fail(file, `"image_shape" must be [height, width, channels], got ${shownJson(config.image_shape)}.`);
  if (shape[0] !== shape[1]) fail(file, `"image_shape" ${shape[0]}×${shape[1]} is not square; DINOV2Backbone requires height == width.`);
  if (shape[2] !== 3) fail(file, `"image_shape" has ${shape[2]} channels; DINOV2Backbone's patch embedding takes 3 (RGB).`);
  const pe = sizes(config.position_embedding_shape ?? [518, 518, 3], 'position_embedding_shape', file, 2);
  const patchSize = int(config, 'patch_size', file);
  const cfg: DINOV2BackboneConfig = {
    patchSize,
    numLayers: int(config, 'num_layers', file),
    hiddenDim: int(config, 'hidden_dim', file),
    numHeads: int(config, 'num_heads', file),
    intermediateDim: int(config, 'intermediate_dim', file),
    layerScaleInitValue: num(config, 'layer_scale_init_value', file, 1),
    numRegisterTokens: int(config, 'num_register_tokens', file, 0, true),
    useMaskToken: bool(config, 'use_mask_token', file, true),
    useSwigluFfn: bool(config, 'use_swiglu_ffn', file, false),
    dropoutRate: num(config, 'dropout_rate', file, 0),
    dropPathRate: num(config, 'drop_path_rate', file, 0),
    imageShape: [shape[0]!, shape[1]!, shape[2]!],
    positionEmbeddingShape: [pe[0]!, pe[1]!],
    antialiasInInterpolation: bool(config, 'antialias_in_interpolation', file, false),
    applyLayernorm: bool(config, 'apply_layernorm', file, false),
    dtype: dtypeName(config.dtype),
  };
  if (cfg.hiddenDim % cfg.numHeads !== 0) {
    fail(file, `"hidden_dim" ${cfg.hiddenDim} is not divisible by "num_heads" ${cfg.numHeads}: each attention head needs hidden_dim / num_heads dimensions.`);
  }
  if (shape[0]! < patchSize) fail(file, `"image_shape" ${shape[0]}×${shape[1]} is smaller than one ${patchSize}×${patchSize} patch.`);
  if (pe[0]! < patchSize || pe[1]! < patchSize) fail(file, `"position_embedding_shape" ${pe[0]}×${pe[1]} is smaller than one ${patchSize}×${patchSize} patch.`);
  return cfg;
}

/** Patch grid side g = H // P (pixels beyond g·P on the bottom/right are ignored by the 'valid' convolution). */
export function dinov2Grid(cfg: DINOV2BackboneConfig): number {
  return Math.floor(cfg.imageShape[0] / cfg.patchSize);
}

/** The transformer fields shared with ViT, so that family-blind code (shapes, counts) reads one type. */
export function dinov2CommonView(cfg: DINOV2BackboneConfig): ViTBackboneConfig {
  return {
    imageShape: [...cfg.imageShape],
    // the grid covers g·P pixels; the 'valid' convolution ignores the rest
    patchSize: [cfg.patchSize, cfg.patchSize],
    numLayers: cfg.numLayers,
    numHeads: cfg.numHeads,
    hiddenDim: cfg.hiddenDim,
    mlpDim: cfg.useSwigluFfn ? swigluInnerDim(cfg.intermediateDim) : cfg.intermediateDim,
    dropoutRate: cfg.dropoutRate,
    attentionDropout: cfg.dropoutRate,
    layerNormEpsilon: DINOV2_LAYER_NORM_EPSILON,
    useMhaBias: true,
    useMlpBias: true,
    useClassToken: true,
    usePatchBias: true,
    dtype: cfg.dtype,
  };
}
