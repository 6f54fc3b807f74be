import type { ViTBackboneConfig } from '../../../core/presets/presetSchema';
import type { TrainMode } from '../../../protocol/trainProtocol';
import { addViTBlock, addViTBlockConstants, addViTEmbedding, addViTFinalNorm, addViTPool, type ParamRef } from '../../models/vit/vitOnnxGraph';
import type { ViTBackboneArrays } from '../../models/vit/vitWeights';
import { addBackward } from '../../onnx/autodiff/backward';
import { softmaxCrossEntropy } from '../../onnx/autodiff/softmaxCrossEntropy';
import { OnnxGraphBuilder } from '../../onnx/onnxGraphBuilder';
import { ONNX_FLOAT, type ONNX_DOUBLE } from '../../onnx/onnxProto';
import type { WeightArray } from '../../weights/h5Reader';

/** A trainable parameter of a training graph: fed as input `param.<name>`, its gradient output as `grad.<name>`. */
export interface TrainParam {
  name: string;
  dims: number[];
  /** embeddings, block_<i>, final_ln or head (the health statistics' groups) */
  group: string;
  /** the weight the parameter starts from (its `data` is replaced when the trained weights are written out) */
  source: WeightArray;
}

export interface TrainGraph {
  graph: OnnxGraphBuilder;
  params: TrainParam[];
  /** the graph's data input: `features` (head), `tokens` (last-k), `images` (full) */
  input: string;
  inputDims: (number | string)[];
}

export function paramGroup(name: string): string {
  const block = /^(block_\d+)\./.exec(name);
  if (block) return block[1] as string;
  if (name.startsWith('ln.')) return 'final_ln';
  if (name.startsWith('head.')) return 'head';
  return 'embeddings';
}

/**
 * The trainable tail of a ViT classifier as one ONNX graph: forward from the frozen prefix's output (pooled features
 * in head mode, the tokens entering block `firstTrainableBlock` in last-k, the images in full), the softmax
 * cross-entropy against `targets` (batch, classes), and the gradient of every trainable parameter by reverse-mode
 * differentiation of the same nodes. Trainable weights are graph inputs (they change every step and stay in buffers
 * the trainer owns); the frozen prefix is not in this graph at all. `gradients: false` gives the forward alone
 * (logits for evaluation).
 */
export function buildViTTrainGraph(
  cfg: ViTBackboneConfig,
  a: ViTBackboneArrays,
  head: { kernel: WeightArray; bias: WeightArray },
  mode: TrainMode,
  firstTrainableBlock: number,
  pooling: 'token' | 'gap',
  opts: { gradients?: boolean; accumulate?: boolean; elemType?: typeof ONNX_FLOAT | typeof ONNX_DOUBLE } = {},
): TrainGraph {
  const g = new OnnxGraphBuilder(opts.elemType ?? ONNX_FLOAT);
  const params: TrainParam[] = [];
  const w: ParamRef = (name, arr) => {
    params.push({ name, dims: arr.shape, group: paramGroup(name), source: arr });
    return g.input(`param.${name}`, arr.shape);
  };
  const [H, W, C] = cfg.imageShape;
  const D = cfg.hiddenDim;
  const T = (H / cfg.patchSize[0]) * (W / cfg.patchSize[1]) + (cfg.useClassToken ? 1 : 0);
  const inputDims: (number | string)[] = mode === 'head' ? ['batch', D] : mode === 'last-k' ? ['batch', T, D] : ['batch', H, W, C];
  const input = mode === 'head' ? 'features' : mode === 'last-k' ? 'tokens' : 'images';
  const x0 = g.input(input, inputDims);
  let pooled = x0;
  if (mode !== 'head') {
    let x = mode === 'full' ? addViTEmbedding(g, cfg, a, x0, w) : x0;
    const k = addViTBlockConstants(g, cfg);
    for (let i = firstTrainableBlock; i < cfg.numLayers; i++) x = addViTBlock(g, cfg, x, i, a.blocks[i]!, k, w);
    pooled = addViTPool(g, addViTFinalNorm(g, cfg, a, x, w), pooling);
  }
  const logits = g.dense(pooled, w('head.kernel', head.kernel), w('head.bias', head.bias));
  const classes = head.bias.shape[0] as number;
  g.output('logits', logits, ['batch', classes]);
  if (opts.gradients === false) return { graph: g, params, input, inputDims };
  const targets = g.input('targets', ['batch', classes]);
  const { loss, dLogits } = softmaxCrossEntropy(g, logits, targets);
  g.output('loss', loss, []);
  const { grads } = addBackward(g, new Map([[logits, dLogits]]), params.map((p) => `param.${p.name}`));
  // with accumulation the graph adds this micro-batch's gradient to the running sum it is fed (`acc.<p>`)
  grads.forEach((d, i) => {
    const p = params[i]!;
    g.output(`grad.${p.name}`, opts.accumulate ? g.op('Add', [g.input(`acc.${p.name}`, p.dims), d]) : d, p.dims);
  });
  return { graph: g, params, input, inputDims };
}
