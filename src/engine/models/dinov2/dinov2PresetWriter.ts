import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDINOV2BackboneConfig, swigluInnerDim } from '../../../core/presets/dinov2Config';
import { metadataJson } from '../../../core/presets/presetWriter';
import { seededRandom } from '../../../core/seededRandom';
import { UserError } from '../../../core/userError';
import type { WeightArray } from '../../weights/h5Reader';
import { writeKerasWeights, type KerasVarsGroup } from '../../weights/h5Writer';
import { interpolatePositionTable } from './dinov2PositionTable';

/** The official DINOv2 converter contract: ImageNet mean/std as scale/offset (convert_dinov2_checkpoints.py). */
export const DINOV2_IMAGENET_CONVERTER = {
  scale: [1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)],
  offset: [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225],
};

export interface DINOV2PresetSpec {
  /** DINOV2Backbone constructor arguments with keras names (image_shape, patch_size, …) */
  backbone: Record<string, unknown>;
  /** DINOV2ImageConverter overrides (image_size defaults to the backbone's image_shape; bicubic, ImageNet statistics) */
  converter?: Record<string, unknown>;
  seed: number;
  note: string;
  /** added to the saved interpolated table only: a fine-tuned table that save_to_preset did not copy back (tests) */
  savedTableDelta?: number;
}

/**
 * Writes a DINOv2 preset directory with random weights in the exact layout of DINOV2Backbone.save_to_preset()
 * (facts sheet §4): embedding vars cls, [mask], [registers], interpolated table, stored table; LayerScale; GELU MLP or
 * SwiGLU. For the bench and for tests of configs the fixtures do not cover. The directory must be new or empty.
 */
export async function writeDINOV2Preset(dir: string, spec: DINOV2PresetSpec): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UserError('E_FILE_EXISTS', `${dir}: is not empty; refusing to overwrite a preset.`, { file: dir });
  mkdirSync(dir, { recursive: true });
  const configJson = {
    module: 'keras_hub.src.models.dinov2.dinov2_backbone', class_name: 'DINOV2Backbone',
    config: { name: 'dinov2_backbone', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null }, ...spec.backbone },
    registered_name: 'keras_hub>DINOV2Backbone',
  };
  const cfg = parseDINOV2BackboneConfig(configJson.config, join(dir, 'config.json'));
  const rand = seededRandom(spec.seed);
  // roughly N(0, std) (sum of uniforms), enough for random-weight tests and benches
  const arr = (shape: number[], std: number, mean = 0): WeightArray => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = mean + std * (rand() + rand() + rand() - 1.5) * 2;
    return { shape, data };
  };
  const D = cfg.hiddenDim;
  const N = cfg.numHeads;
  const K = D / N;
  const P = cfg.patchSize;
  const R = cfg.numRegisterTokens;
  const n0 = Math.floor(cfg.positionEmbeddingShape[0] / P) * Math.floor(cfg.positionEmbeddingShape[1] / P);
  const g = Math.floor(cfg.imageShape[0] / P);
  const stored = arr([1, 1 + n0, D], 0.5);
  const same = cfg.positionEmbeddingShape[0] === cfg.imageShape[0] && cfg.positionEmbeddingShape[1] === cfg.imageShape[1];
  const interp: WeightArray = same ? { shape: stored.shape, data: Float32Array.from(stored.data) } : { shape: [1, 1 + g * g, D], data: interpolatePositionTable(stored.data, D, Math.round(Math.sqrt(n0)), g, cfg.antialiasInInterpolation) };
  if (spec.savedTableDelta) interp.data.set(interp.data.map((v, i) => v + (i % 7 === 0 ? spec.savedTableDelta! : 0)));
  const e = 'layers/dinov2_embedding';
  const groups: KerasVarsGroup[] = [
    { path: '', name: 'dinov2_backbone', vars: [] },
    { path: 'layers/input_layer', name: 'images', vars: [] },
    {
      path: e, name: 'dinov2_embedding',
      vars: [arr([1, 1, D], 0.5), ...(cfg.useMaskToken ? [arr([1, D], 0.5)] : []), ...(R > 0 ? [arr([1, R, D], 0.5)] : []), interp, stored],
    },
    { path: `${e}/patch_embeddings/projection`, name: 'projection', vars: [arr([P, P, 3, D], 1 / Math.sqrt(P * P * 3)), arr([D], 0.1)] },
    { path: 'layers/dinov2_encoder', name: 'dinov2_encoder', vars: [] },
    { path: 'layers/layer_normalization', name: 'layernorm', vars: [arr([D], 0.2, 1), arr([D], 0.2)] },
  ];
  const M = cfg.intermediateDim;
  const Ma = swigluInnerDim(M);
  for (let i = 0; i < cfg.numLayers; i++) {
    const b = `layers/dinov2_encoder/layers/dinov2_layer${i === 0 ? '' : `_${i}`}`;
    const a = `${b}/attention/attention`;
    groups.push(
      { path: `${b}/norm1`, name: 'norm1', vars: [arr([D], 0.2, 1), arr([D], 0.2)] },
      { path: `${a}/query_dense`, name: 'query', vars: [arr([D, N, K], 1 / Math.sqrt(D)), arr([N, K], 0.1)] },
      { path: `${a}/key_dense`, name: 'key', vars: [arr([D, N, K], 1 / Math.sqrt(D)), arr([N, K], 0.1)] },
      { path: `${a}/value_dense`, name: 'value', vars: [arr([D, N, K], 1 / Math.sqrt(D)), arr([N, K], 0.1)] },
      { path: `${a}/output_dense`, name: 'attention_output', vars: [arr([N, K, D], 1 / Math.sqrt(D)), arr([D], 0.1)] },
      { path: `${b}/layer_scale1`, name: 'layer_scale1', vars: [arr([D], 0.3, 0.5)] },
      { path: `${b}/norm2`, name: 'norm2', vars: [arr([D], 0.2, 1), arr([D], 0.2)] },
      ...(cfg.useSwigluFfn
        ? [
            { path: `${b}/mlp/weights_in`, name: 'weights_in', vars: [arr([D, 2 * Ma], 1 / Math.sqrt(D)), arr([2 * Ma], 0.1)] },
            { path: `${b}/mlp/weights_out`, name: 'weights_out', vars: [arr([Ma, D], 1 / Math.sqrt(Ma)), arr([D], 0.1)] },
          ]
        : [
            { path: `${b}/mlp/fc1`, name: 'fc1', vars: [arr([D, M], 1 / Math.sqrt(D)), arr([M], 0.1)] },
            { path: `${b}/mlp/fc2`, name: 'fc2', vars: [arr([M, D], 1 / Math.sqrt(M)), arr([D], 0.1)] },
          ]),
      { path: `${b}/layer_scale2`, name: 'layer_scale2', vars: [arr([D], 0.3, 0.5)] },
    );
  }
  const json = (name: string, v: unknown): void => writeFileSync(join(dir, name), `${JSON.stringify(v, null, 2)}\n`);
  const params = groups.reduce((s, grp) => s + grp.vars.reduce((t, v) => t + v.data.length, 0), 0);
  json('config.json', configJson);
  json('metadata.json', metadataJson(params, [], spec.note));
  json('image_converter.json', {
    module: 'keras_hub.src.models.dinov2.dinov2_image_converter', class_name: 'DINOV2ImageConverter',
    config: {
      name: 'dinov2_image_converter', image_size: [cfg.imageShape[0], cfg.imageShape[1]], ...DINOV2_IMAGENET_CONVERTER,
      interpolation: 'bicubic', antialias: false, crop_to_aspect_ratio: true, pad_to_aspect_ratio: false, bounding_box_format: 'yxyx', ...spec.converter,
    },
    registered_name: 'keras_hub>DINOV2ImageConverter',
  });
  await writeKerasWeights(join(dir, 'model.weights.h5'), groups);
}
