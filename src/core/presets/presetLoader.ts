import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLenientJson } from './lenientJson';
import { fileOrMissing, fsUserError } from '../fsErrors';
import { UserError } from '../userError';
import { dinov2CommonView, parseDINOV2BackboneConfig, type DINOV2BackboneConfig } from './dinov2Config';
import {
  parseImageClassifierConfig,
  parseImageConverterConfig,
  parseViTBackboneConfig,
  unwrapKerasObject,
  type ImageClassifierConfig,
  type ImageConverterConfig,
  type ViTBackboneConfig,
} from './presetSchema';

/** The JSON side of a Keras Hub preset directory (weights are read by the engine). */
export interface LoadedPreset {
  dir: string;
  backboneClass: string;
  /** the model family, from the backbone class: which engine folder runs it */
  family: BackboneFamily;
  /** the transformer fields every family has (for DINOv2 a view of `dinov2`: eps 1e-6, biases on, class token on) */
  backbone: ViTBackboneConfig;
  /** the full DINOV2Backbone config when family is "dinov2" */
  dinov2: DINOV2BackboneConfig | null;
  converter: ImageConverterConfig | null;
  /** Which file the converter came from. */
  converterFile: string | null;
  task: ImageClassifierConfig | null;
  metadata: Record<string, unknown> | null;
  weightsFile: string;
  taskWeightsFile: string | null;
  /** task.json without task.weights.h5 or the reverse: what is missing and what cannot be shown because of it */
  taskFilesIssue: string | null;
  /** Raw parsed JSON of each file present, for display and diffs. */
  raw: Record<string, unknown>;
}

export type BackboneFamily = 'vit' | 'dinov2';

/** Backbone class → family and the parse of its config.json. A new family is one line here plus its engine folder. */
const FAMILY_PARSERS: Record<string, (raw: unknown, file: string) => { family: BackboneFamily; backbone: ViTBackboneConfig; dinov2: DINOV2BackboneConfig | null }> = {
  ViTBackbone: (raw, file) => ({ family: 'vit', backbone: parseViTBackboneConfig(raw, file), dinov2: null }),
  DINOV2Backbone: (raw, file) => {
    const d = parseDINOV2BackboneConfig(unwrapKerasObject(raw, file).config, file);
    return { family: 'dinov2', backbone: dinov2CommonView(d), dinov2: d };
  },
};

export const PRESET_FILES = ['config.json', 'metadata.json', 'preprocessor.json', 'image_converter.json', 'task.json'] as const;

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw fsUserError(e, file, 'the preset file') ?? e;
  }
  try {
    return parseLenientJson(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UserError('E_PRESET_INVALID', `${file}: is not valid JSON (${(e as Error).message}).`, {
      file,
      hint: 'Re-save the preset with save_to_preset() or download it again.',
    });
  }
}

/** Reads and validates the JSON files of a preset directory written by keras-hub save_to_preset(). */
export function loadPresetDir(dir: string): LoadedPreset {
  const configFile = join(dir, 'config.json');
  if (!fileOrMissing(configFile, 'the preset config')) {
    throw new UserError('E_PRESET_INVALID', `${configFile}: missing; a Keras Hub preset directory must contain config.json.`, {
      file: configFile,
      hint: 'Point --preset at the folder that save_to_preset() wrote (it holds config.json and model.weights.h5).',
    });
  }
  const raw: Record<string, unknown> = {};
  for (const name of PRESET_FILES) {
    const f = join(dir, name);
    if (fileOrMissing(f, 'the preset file')) raw[name] = readJson(f);
  }
  const backboneClass = unwrapKerasObject(raw['config.json'], configFile).className;
  const parsed = (FAMILY_PARSERS[backboneClass] ?? FAMILY_PARSERS.ViTBackbone!)(raw['config.json'], configFile);
  const backbone = parsed.backbone;
  const channels = backbone.imageShape[2];

  let converter: ImageConverterConfig | null = null;
  let converterFile: string | null = null;
  const convJson = raw['image_converter.json'];
  const preJson = raw['preprocessor.json'] as { config?: { image_converter?: unknown } } | undefined;
  const taskJson = raw['task.json'] as { config?: { preprocessor?: { config?: { image_converter?: unknown } } | null } } | undefined;
  if (convJson !== undefined) {
    converterFile = join(dir, 'image_converter.json');
    converter = parseImageConverterConfig(convJson, converterFile, channels);
  } else if (preJson?.config?.image_converter) {
    converterFile = join(dir, 'preprocessor.json');
    converter = parseImageConverterConfig(preJson.config.image_converter, converterFile, channels);
  } else if (taskJson?.config?.preprocessor?.config?.image_converter) {
    converterFile = join(dir, 'task.json');
    converter = parseImageConverterConfig(taskJson.config.preprocessor.config.image_converter, converterFile, channels);
  }

  const task = raw['task.json'] !== undefined ? parseImageClassifierConfig(raw['task.json'], join(dir, 'task.json')) : null;
  const weightsFile = join(dir, 'model.weights.h5');
  if (!fileOrMissing(weightsFile, 'the weights file')) {
    const sharded = existsSync(join(dir, 'model.weights.json'));
    throw new UserError(
      'E_WEIGHTS_MISSING',
      `${weightsFile}: missing${sharded ? ' (this preset is sharded into model_*.weights.h5, which is not supported yet)' : ''}.`,
      { file: weightsFile, hint: 'Download the full preset, or save it again with save_to_preset().' },
    );
  }
  const taskWeights = join(dir, 'task.weights.h5');
  const hasTaskWeights = fileOrMissing(taskWeights, 'the task weights file') !== null;
  const taskFilesIssue = task && !hasTaskWeights
    ? `${join(dir, 'task.json')} is present but task.weights.h5 is missing: the preset's classifier head (${task.numClasses} classes) cannot run, so the report shows the backbone and pooled features only — no logits, predictions or softmax/from_logits check against the shipped head.`
    : !task && hasTaskWeights
      ? `${taskWeights} is present but task.json is missing: the head's configuration (classes, pooling, activation) is unknown, so the head is not run and the report shows the backbone only.`
      : null;
  return {
    dir,
    backboneClass,
    family: parsed.family,
    backbone,
    dinov2: parsed.dinov2,
    converter,
    converterFile,
    task,
    metadata: (raw['metadata.json'] as Record<string, unknown> | undefined) ?? null,
    weightsFile,
    taskWeightsFile: task && hasTaskWeights ? taskWeights : null,
    taskFilesIssue,
    raw,
  };
}
