import type { ImageClassifierConfig, ViTBackboneConfig } from '../../../core/presets/presetSchema';
import type { WeightArray } from '../../weights/h5Reader';
import type { KerasVarsGroup } from '../../weights/h5Writer';
import type { ViTBackboneArrays, ViTHeadArrays } from './vitWeights';

const as = (w: WeightArray, shape: number[]): WeightArray => ({ shape, data: w.data });
const some = (...ws: (WeightArray | null)[]): WeightArray[] => ws.filter((w): w is WeightArray => w !== null);

/** The groups of model.weights.h5 exactly as keras-hub's ViTBackbone.save_to_preset() lays them out. */
export function vitBackboneGroups(cfg: ViTBackboneConfig, a: ViTBackboneArrays): KerasVarsGroup[] {
  const D = cfg.hiddenDim;
  const N = cfg.numHeads;
  const K = Math.floor(D / N);
  const C = cfg.imageShape[2];
  const [ph, pw] = cfg.patchSize;
  const pe = 'layers/vi_t_patching_and_embedding';
  const groups: KerasVarsGroup[] = [
    { path: '', name: 'vi_t_backbone', vars: [] },
    { path: 'layers/input_layer', name: 'images', vars: [] },
    { path: pe, name: 'vit_patching_and_embedding', vars: some(a.classToken) },
    { path: `${pe}/patch_embedding`, name: 'patch_embedding', vars: some(as(a.patchKernel, [ph, pw, C, D]), a.patchBias) },
    { path: `${pe}/position_embedding`, name: 'position_embedding', vars: [a.positionEmbedding] },
    { path: 'layers/vi_t_encoder', name: 'vit_encoder', vars: [] },
    { path: 'layers/vi_t_encoder/dropout', name: 'dropout', vars: [] },
    { path: 'layers/vi_t_encoder/layer_norm', name: 'ln', vars: [a.lnGamma, a.lnBeta] },
  ];
  a.blocks.forEach((b, i) => {
    const p = `layers/vi_t_encoder/encoder_layers/vi_t_encoder_block${i === 0 ? '' : `_${i}`}`;
    const sfx = i === 0 ? '' : `_${i}`;
    groups.push(
      { path: p, name: `transformer_block_${i + 1}`, vars: [] },
      { path: `${p}/dropout`, name: 'dropout', vars: [] },
      { path: `${p}/layer_norm_1`, name: 'ln_1', vars: [b.ln1Gamma, b.ln1Beta] },
      { path: `${p}/layer_norm_2`, name: 'ln_2', vars: [b.ln2Gamma, b.ln2Beta] },
      { path: `${p}/mha`, name: 'mha', vars: [] },
      { path: `${p}/mha/_dropout_layer`, name: `dropout${sfx}`, vars: [] },
      { path: `${p}/mha/_softmax`, name: `softmax${sfx}`, vars: [] },
      { path: `${p}/mha/query_dense`, name: 'query', vars: some(as(b.wq, [D, N, K]), b.bq && as(b.bq, [N, K])) },
      { path: `${p}/mha/key_dense`, name: 'key', vars: some(as(b.wk, [D, N, K]), b.bk && as(b.bk, [N, K])) },
      { path: `${p}/mha/value_dense`, name: 'value', vars: some(as(b.wv, [D, N, K]), b.bv && as(b.bv, [N, K])) },
      { path: `${p}/mha/output_dense`, name: 'attention_output', vars: some(as(b.wo, [N, K, D]), b.bo) },
      { path: `${p}/mlp`, name: 'mlp', vars: [] },
      { path: `${p}/mlp/dense_1`, name: 'dense_1', vars: some(b.w1, b.b1) },
      { path: `${p}/mlp/dense_2`, name: 'dense_2', vars: some(b.w2, b.b2) },
      { path: `${p}/mlp/dropout`, name: 'dropout', vars: [] },
    );
  });
  return groups;
}

/** The groups of task.weights.h5 (head only; backbone layers are skipped by save_task_weights). */
export function vitHeadGroups(task: ImageClassifierConfig, h: ViTHeadArrays): KerasVarsGroup[] {
  const groups: KerasVarsGroup[] = [
    { path: '', name: 'vi_t_image_classifier', vars: [] },
    { path: 'layers/dropout', name: 'output_dropout', vars: [] },
  ];
  if (task.intermediateDim && h.preLogitsKernel && h.preLogitsBias) {
    groups.push({ path: 'layers/dense', name: 'pre_logits', vars: [h.preLogitsKernel, h.preLogitsBias] });
    groups.push({ path: 'layers/dense_1', name: 'predictions', vars: [h.kernel, h.bias] });
  } else groups.push({ path: 'layers/dense', name: 'predictions', vars: [h.kernel, h.bias] });
  return groups;
}
