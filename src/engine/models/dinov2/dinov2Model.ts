import * as tf from '@tensorflow/tfjs-core';
import type { DINOV2BackboneConfig } from '../../../core/presets/dinov2Config';
import type { LoadedPreset } from '../../../core/presets/presetLoader';
import { readH5Weights } from '../../weights/h5Reader';
import { scanNonFinite, storedDtypeNote, type WeightIssue } from '../../weights/weightHealth';
import { createDINOV2BackboneParams, listDINOV2BackboneTensors, type DINOV2BackboneParams } from './dinov2Backbone';
import { dinov2ParameterCount, mapDINOV2BackboneWeights } from './dinov2Weights';

/** A loaded DINOv2 backbone on TF.js (keras-hub has no DINOv2 task: no head). */
export interface DINOV2Model {
  config: DINOV2BackboneConfig;
  backbone: DINOV2BackboneParams;
  parameterCount: number;
  weightIssues: WeightIssue[];
  weightNotes: string[];
}

export async function loadDINOV2Model(preset: LoadedPreset, opts: { asVariables?: boolean } = {}): Promise<DINOV2Model> {
  const cfg = preset.dinov2;
  if (!cfg) throw new Error(`${preset.dir}: not a DINOv2 preset`);
  const weights = await readH5Weights(preset.weightsFile);
  const arrays = mapDINOV2BackboneWeights(cfg, weights, preset.weightsFile);
  const note = storedDtypeNote(weights, preset.weightsFile);
  return {
    config: cfg,
    backbone: createDINOV2BackboneParams(arrays, opts.asVariables),
    parameterCount: dinov2ParameterCount(cfg, arrays),
    weightIssues: scanNonFinite(weights, preset.weightsFile),
    weightNotes: note ? [note] : [],
  };
}

export function disposeDINOV2Model(m: DINOV2Model): void {
  tf.dispose(listDINOV2BackboneTensors(m.backbone));
}
