import type { FamilyGraphBuilder } from '../familyGraphs';
import { buildDINOV2Graph, DINOV2_BLOCK1_INTERNALS } from './dinov2OnnxGraph';
import { dinov2ParameterCount, mapDINOV2BackboneWeights } from './dinov2Weights';

/** DINOV2Backbone as an ONNX graph (no task class exists in keras-hub: the backbone only). */
export const DINOV2_FAMILY_GRAPH: FamilyGraphBuilder = {
  block1Internals: DINOV2_BLOCK1_INTERNALS,
  async build(preset, weights, req) {
    const cfg = preset.dinov2;
    if (!cfg) throw new Error(`${preset.dir}: not a DINOv2 preset`);
    const arrays = mapDINOV2BackboneWeights(cfg, weights, preset.weightsFile);
    const graph = buildDINOV2Graph(cfg, arrays, { internals: req.internals });
    return { graph, parameterCount: dinov2ParameterCount(cfg, arrays), weightIssues: [], weightNotes: [] };
  },
};
