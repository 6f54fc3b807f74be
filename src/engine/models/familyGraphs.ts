import type { BackboneFamily, LoadedPreset } from '../../core/presets/presetLoader';
import type { OnnxGraphBuilder } from '../onnx/onnxGraphBuilder';
import type { H5Weights } from '../weights/h5Reader';
import type { WeightIssue } from '../weights/weightHealth';
import { DINOV2_FAMILY_GRAPH } from './dinov2/dinov2FamilyGraph';
import { VIT_FAMILY_GRAPH } from './vit/vitFamilyGraph';

/** What a family's graph build returns; the ONNX runner and cache are shared by every family. */
export interface FamilyGraph {
  graph: OnnxGraphBuilder;
  /** the backbone's count_params() as keras reports it */
  parameterCount: number;
  /** issues and notes of extra files the family read (the task head) */
  weightIssues: WeightIssue[];
  weightNotes: string[];
}

export interface FamilyGraphBuilder {
  /** fixture names of the first block's internals, output as `block_1.<name>` when asked */
  block1Internals: readonly string[];
  build(preset: LoadedPreset, weights: H5Weights, req: { withHead: boolean; internals: boolean }): Promise<FamilyGraph>;
}

/** Backbone family → its ONNX graph. A new family: a folder under models/ and one line here (and in presetLoader, familyTfjsRunners). */
export const FAMILY_GRAPHS: Record<BackboneFamily, FamilyGraphBuilder> = {
  vit: VIT_FAMILY_GRAPH,
  dinov2: DINOV2_FAMILY_GRAPH,
};
