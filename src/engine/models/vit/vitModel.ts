import * as tf from '@tensorflow/tfjs-core';
import type { LoadedPreset } from '../../../core/presets/presetLoader';
import type { ImageClassifierConfig, ViTBackboneConfig } from '../../../core/presets/presetSchema';
import { UserError } from '../../../core/userError';
import { readH5Weights } from '../../weights/h5Reader';
import { scanNonFinite, storedDtypeNote, type WeightIssue } from '../../weights/weightHealth';
import { createViTBackboneParams, listViTBackboneTensors, type ViTBackboneParams } from './vitBackbone';
import { createViTHeadParams, listViTHeadTensors, type ViTHeadParams } from './vitImageClassifier';
import { mapViTBackboneWeights, mapViTHeadWeights } from './vitWeights';

/** A loaded ViT: backbone params, and the preset's classifier head when it ships one. */
export interface ViTModel {
  config: ViTBackboneConfig;
  backbone: ViTBackboneParams;
  task: ImageClassifierConfig | null;
  head: ViTHeadParams | null;
  parameterCount: number;
  /** variables holding NaN/Inf, found while reading */
  weightIssues: WeightIssue[];
  /** e.g. half-precision weights widened to float32 */
  weightNotes: string[];
}

export async function loadViTModel(preset: LoadedPreset, opts: { asVariables?: boolean } = {}): Promise<ViTModel> {
  if (preset.family !== 'vit') {
    const file = `${preset.dir}/config.json`;
    throw new UserError('E_UNSUPPORTED_BACKBONE', `${file}: ${preset.backboneClass} runs in the sanity batch and trains in head mode (features from its own runner); this ViT model path needs a ViT preset.`, {
      file, hint: 'Run `vit-doctor sanity`, or `train`/`check` in head mode, on this preset; last-k/full need a ViTBackbone preset.',
    });
  }
  const weights = await readH5Weights(preset.weightsFile);
  const arrays = mapViTBackboneWeights(preset.backbone, weights, preset.weightsFile);
  const weightIssues = scanNonFinite(weights, preset.weightsFile);
  const weightNotes = [storedDtypeNote(weights, preset.weightsFile)];
  let head: ViTHeadParams | null = null;
  if (preset.task && preset.taskWeightsFile) {
    const taskWeights = await readH5Weights(preset.taskWeightsFile);
    head = createViTHeadParams(mapViTHeadWeights(preset.task, preset.backbone.hiddenDim, taskWeights, preset.taskWeightsFile), opts.asVariables);
    weightIssues.push(...scanNonFinite(taskWeights, preset.taskWeightsFile));
    weightNotes.push(storedDtypeNote(taskWeights, preset.taskWeightsFile));
  }
  const backbone = createViTBackboneParams(arrays, opts.asVariables);
  const parameterCount = listViTBackboneTensors(backbone).reduce((n, t) => n + t.size, 0);
  return { config: preset.backbone, backbone, task: head ? preset.task : null, head, parameterCount, weightIssues, weightNotes: weightNotes.filter((n): n is string => n !== null) };
}

export function disposeViTModel(m: ViTModel): void {
  tf.dispose(listViTBackboneTensors(m.backbone));
  if (m.head) tf.dispose(listViTHeadTensors(m.head));
}
