import type { FamilyGraphBuilder } from '../familyGraphs';
import { readH5Weights } from '../../weights/h5Reader';
import { scanNonFinite, storedDtypeNote } from '../../weights/weightHealth';
import { buildViTGraph, VIT_BLOCK1_INTERNALS } from './vitOnnxGraph';
import { mapViTBackboneWeights, mapViTHeadWeights } from './vitWeights';

/** ViTBackbone (+ the ViTImageClassifier head when the preset ships task.weights.h5) as an ONNX graph. */
export const VIT_FAMILY_GRAPH: FamilyGraphBuilder = {
  block1Internals: VIT_BLOCK1_INTERNALS,
  async build(preset, weights, req) {
    const backbone = mapViTBackboneWeights(preset.backbone, weights, preset.weightsFile);
    let head = null;
    const weightIssues = [];
    const weightNotes: string[] = [];
    if (req.withHead && preset.task && preset.taskWeightsFile) {
      const taskWeights = await readH5Weights(preset.taskWeightsFile);
      head = { task: preset.task, arrays: mapViTHeadWeights(preset.task, preset.backbone.hiddenDim, taskWeights, preset.taskWeightsFile) };
      weightIssues.push(...scanNonFinite(taskWeights, preset.taskWeightsFile));
      const note = storedDtypeNote(taskWeights, preset.taskWeightsFile);
      if (note) weightNotes.push(note);
    }
    const graph = buildViTGraph(preset.backbone, backbone, head, { internals: req.internals });
    // the backbone's parameters, as count_params() of the ViTBackbone (the head is not counted)
    const parameterCount = graph.weights.filter((w) => !/^(pre_logits|predictions)\./.test(w.name)).reduce((n, w) => n + w.data.length, 0);
    return { graph, parameterCount, weightIssues, weightNotes };
  },
};
