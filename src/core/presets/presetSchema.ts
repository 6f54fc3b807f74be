import { UserError } from '../userError';
import { nonFiniteMarker, shownJson } from './lenientJson';

/** Normalised ViTBackbone config (keras_hub ViTBackbone constructor arguments, defaults applied). */
export interface ViTBackboneConfig {
  imageShape: [number, number, number];
  patchSize: [number, number];
  numLayers: number;
  numHeads: number;
  hiddenDim: number;
  mlpDim: number;
  dropoutRate: number;
  attentionDropout: number;
  layerNormEpsilon: number;
  useMhaBias: boolean;
  useMlpBias: boolean;
  useClassToken: boolean;
  usePatchBias: boolean;
  dtype: string;
}

/** Normalised image converter: the effective per-channel map y = x * scale + offset (after optional resize). */
export interface ImageConverterConfig {
  className: string;
  imageSize: [number, number] | null;
  /** Per-channel factor applied first (length = channels), or null when the converter does not scale. */
  scale: number[] | null;
  offset: number[] | null;
  /** Old format (keras-hub < 0.21): ((x * scale) - normMean) / normStd instead of x * scale + offset. */
  normMean: number[] | null;
  normStd: number[] | null;
  interpolation: string;
  antialias: boolean;
  cropToAspectRatio: boolean;
  padToAspectRatio: boolean;
}

export interface ImageClassifierConfig {
  className: string;
  numClasses: number;
  pooling: string;
  activation: string | null;
  dropout: number;
  intermediateDim: number | null;
}

export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

export function fail(file: string, problem: string): never {
  throw new UserError('E_PRESET_INVALID', `${file}: ${problem}`, { file });
}

export function int(cfg: Json, key: string, file: string, fallback?: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(file, `"${key}" must be a positive integer, got ${shownJson(cfg[key])}.`);
  return v;
}

export function num(cfg: Json, key: string, file: string, fallback: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(file, `"${key}" must be a finite number, got ${shownJson(cfg[key])}.`);
  return v;
}

export function bool(cfg: Json, key: string, file: string, fallback: boolean): boolean {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'boolean') fail(file, `"${key}" must be true or false, got ${shownJson(cfg[key])}.`);
  return v;
}

export function pair(value: unknown, key: string, file: string): [number, number] {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0)) {
    return [value[0] as number, value[1] as number];
  }
  fail(file, `"${key}" must be a positive integer or a pair of them, got ${shownJson(value)}.`);
}

/** The `config` object of a serialized Keras object, plus its class name. */
export function unwrapKerasObject(value: unknown, file: string): { className: string; config: Json } {
  const obj = asObject(value);
  if (!obj) fail(file, 'expected a JSON object.');
  const config = asObject(obj.config);
  const className = typeof obj.class_name === 'string' ? obj.class_name : '';
  if (!config || !className) fail(file, 'expected a serialized Keras object with "class_name" and "config".');
  return { className, config };
}

export function dtypeName(value: unknown): string {
  if (typeof value === 'string') return value;
  const cfg = asObject(asObject(value)?.config);
  return typeof cfg?.name === 'string' ? cfg.name : 'float32';
}

export const SUPPORTED_BACKBONES = ['ViTBackbone', 'DINOV2Backbone'];

/** Parses config.json of a ViT preset. Accepts old uploads (int patch size, no class-token keys). */
export function parseViTBackboneConfig(value: unknown, file: string): ViTBackboneConfig {
  const { className, config } = unwrapKerasObject(value, file);
  if (className !== 'ViTBackbone') {
    throw new UserError(
      'E_UNSUPPORTED_BACKBONE',
      `${file}: backbone class "${className}" is not supported yet; ViT Doctor runs ${SUPPORTED_BACKBONES.join(', ')}.`,
      { file, hint: 'Lint rules and hovers still work for other families; the sanity batch needs a ViT or DINOv2 preset.' },
    );
  }
  const shape = config.image_shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0)) {
    fail(file, `"image_shape" must be [height, width, channels] with known sizes, got ${shownJson(shape)}.`);
  }
  const imageShape = shape as [number, number, number];
  const patchSize = pair(config.patch_size, 'patch_size', file);
  if (imageShape[0] % patchSize[0] !== 0 || imageShape[1] % patchSize[1] !== 0) {
    fail(file, `"image_shape" ${imageShape[0]}×${imageShape[1]} is not divisible by "patch_size" ${patchSize[0]}×${patchSize[1]}: the patch grid would drop pixels (keras-hub requires divisibility).`);
  }
  const cfg: ViTBackboneConfig = {
    imageShape,
    patchSize,
    numLayers: int(config, 'num_layers', file),
    numHeads: int(config, 'num_heads', file),
    hiddenDim: int(config, 'hidden_dim', file),
    mlpDim: int(config, 'mlp_dim', file),
    dropoutRate: num(config, 'dropout_rate', file, 0),
    attentionDropout: num(config, 'attention_dropout', file, 0),
    layerNormEpsilon: num(config, 'layer_norm_epsilon', file, 1e-6),
    useMhaBias: bool(config, 'use_mha_bias', file, true),
    useMlpBias: bool(config, 'use_mlp_bias', file, true),
    useClassToken: bool(config, 'use_class_token', file, true),
    usePatchBias: bool(config, 'use_patch_bias', file, true),
    dtype: dtypeName(config.dtype),
  };
  if (cfg.hiddenDim % cfg.numHeads !== 0) {
    fail(file, `"hidden_dim" ${cfg.hiddenDim} is not divisible by "num_heads" ${cfg.numHeads}: each attention head needs hidden_dim / num_heads dimensions.`);
  }
  return cfg;
}

function perChannel(value: unknown, channels: number, key: string, file: string): number[] | null {
  if (value === null || value === undefined) return null;
  const bad = [value, ...(Array.isArray(value) ? value : [])].map(nonFiniteMarker).find((m) => m !== null);
  if (bad) fail(file, `"${key}" contains ${bad}: ${shownJson(value)}.`);
  if (typeof value === 'number' && Number.isFinite(value)) return new Array<number>(channels).fill(value);
  if (Array.isArray(value) && value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    if (value.length === 1) return new Array<number>(channels).fill(value[0] as number);
    if (value.length === channels) return value as number[];
  }
  const n = Array.isArray(value) ? value.length : null;
  fail(file, `"${key}" must be a number or a list of ${channels} numbers (one per channel)${n !== null ? `, got a list of ${n}` : ''}: ${shownJson(value)}.`);
}

/**
 * Parses an image converter, given either image_converter.json or the converter nested in preprocessor.json.
 * Legacy keys: height/width → image_size; mean/variance folded into scale/offset; norm_mean/norm_std kept.
 */
export function parseImageConverterConfig(value: unknown, file: string, channels = 3): ImageConverterConfig {
  const { className, config } = unwrapKerasObject(value, file);
  let imageSize: [number, number] | null = null;
  if (config.image_size !== null && config.image_size !== undefined) imageSize = pair(config.image_size, 'image_size', file);
  else if (typeof config.height === 'number' && typeof config.width === 'number') imageSize = pair([config.height, config.width], 'height/width', file);
  let scale = perChannel(config.scale, channels, 'scale', file);
  let offset = perChannel(config.offset, channels, 'offset', file);
  const mean = perChannel(config.mean, channels, 'mean', file);
  const variance = perChannel(config.variance, channels, 'variance', file);
  if (scale?.some((v) => !(v > 0))) fail(file, `"scale" must be positive (it multiplies pixel values; zero or negative erases or inverts the image): ${shownJson(config.scale)}.`);
  if (variance?.some((v) => !(v > 0))) fail(file, `"variance" must be positive (it is divided by): ${shownJson(config.variance)}.`);
  if (mean && variance) {
    const s = scale ?? new Array<number>(channels).fill(1);
    scale = s.map((v, i) => v / Math.sqrt(variance[i] as number));
    offset = mean.map((m, i) => -m / Math.sqrt(variance[i] as number));
  }
  const normMean = perChannel(config.norm_mean, channels, 'norm_mean', file);
  const normStd = perChannel(config.norm_std, channels, 'norm_std', file);
  if (normStd?.some((v) => v === 0)) fail(file, `"norm_std" contains 0 (a division by zero): ${shownJson(config.norm_std)}.`);
  const crop = bool(config, 'crop_to_aspect_ratio', file, true);
  const pad = bool(config, 'pad_to_aspect_ratio', file, false);
  if (crop && pad) fail(file, '"crop_to_aspect_ratio" and "pad_to_aspect_ratio" cannot both be true.');
  const interpolation = typeof config.interpolation === 'string' ? config.interpolation : 'bilinear';
  return {
    className,
    imageSize,
    scale,
    offset,
    normMean,
    normStd,
    interpolation,
    antialias: bool(config, 'antialias', file, false),
    cropToAspectRatio: crop,
    padToAspectRatio: pad,
  };
}

/** Parses task.json of an image classifier. */
export function parseImageClassifierConfig(value: unknown, file: string): ImageClassifierConfig {
  const { className, config } = unwrapKerasObject(value, file);
  const activation = config.activation;
  if (activation !== null && activation !== undefined && typeof activation !== 'string') {
    fail(file, `"activation" must be a string or null, got ${JSON.stringify(activation)}.`);
  }
  const inter = config.intermediate_dim;
  return {
    className,
    numClasses: int(config, 'num_classes', file),
    pooling: typeof config.pooling === 'string' ? config.pooling : 'token',
    activation: activation === 'linear' ? null : ((activation as string | null | undefined) ?? null),
    dropout: num(config, 'dropout', file, 0),
    intermediateDim: inter === null || inter === undefined ? null : int(config, 'intermediate_dim', file),
  };
}
