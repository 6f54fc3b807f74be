import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metadataJson, vitBackboneJson, vitImageConverterJson, vitPreprocessorJson, vitTaskJson } from '../../../core/presets/presetWriter';
import type { ImageClassifierConfig, ImageConverterConfig, ViTBackboneConfig } from '../../../core/presets/presetSchema';
import { vitParameterCount } from '../../../core/presets/vitCatalog';
import { withFsErrors } from '../../../core/fsErrors';
import { UserError } from '../../../core/userError';
import { writeKerasWeights } from '../../weights/h5Writer';
import type { ViTBackboneArrays, ViTHeadArrays } from './vitWeights';
import { vitBackboneGroups, vitHeadGroups } from './vitWeightsWriter';

export interface ViTPresetContent {
  backbone: ViTBackboneConfig;
  converter: ImageConverterConfig;
  task: ImageClassifierConfig | null;
  backboneArrays: ViTBackboneArrays;
  headArrays: ViTHeadArrays | null;
  note: string;
}

/** Writes a preset directory in the layout of keras-hub save_to_preset(). The directory must be new or empty. */
export async function writeViTPreset(dir: string, c: ViTPresetContent, opts: { overwrite?: boolean } = {}): Promise<void> {
  if (existsSync(dir) && withFsErrors(dir, 'the output folder', () => readdirSync(dir), 'list').length > 0 && !opts.overwrite) {
    throw new UserError('E_FILE_EXISTS', `${dir}: is not empty; refusing to overwrite a preset.`, { file: dir });
  }
  withFsErrors(dir, 'the output folder', () => mkdirSync(dir, { recursive: true }), 'create');
  const json = (name: string, v: unknown): void => withFsErrors(join(dir, name), 'the preset file', () => writeFileSync(join(dir, name), `${JSON.stringify(v, null, 2)}\n`), 'write');
  const [ph, pw] = c.backbone.patchSize;
  const params = vitParameterCount({
    ...c.backbone, channels: c.backbone.imageShape[2],
    numPositions: (c.backbone.imageShape[0] / ph) * (c.backbone.imageShape[1] / pw) + (c.backbone.useClassToken ? 1 : 0),
  });
  json('config.json', vitBackboneJson(c.backbone));
  json('metadata.json', metadataJson(params, c.task ? ['ImageClassifier'] : [], c.note));
  json('image_converter.json', { ...(vitImageConverterJson(c.converter) as object) });
  json('preprocessor.json', vitPreprocessorJson(c.converter));
  await writeKerasWeights(join(dir, 'model.weights.h5'), vitBackboneGroups(c.backbone, c.backboneArrays), opts);
  if (c.task && c.headArrays) {
    json('task.json', vitTaskJson(c.backbone, c.converter, c.task));
    await writeKerasWeights(join(dir, 'task.weights.h5'), vitHeadGroups(c.task, c.headArrays), opts);
  }
}
