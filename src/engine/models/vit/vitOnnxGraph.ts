import type { ImageClassifierConfig, ViTBackboneConfig } from '../../../core/presets/presetSchema';
import { OnnxGraphBuilder } from '../../onnx/onnxGraphBuilder';
import type { WeightArray } from '../../weights/h5Reader';
import type { ViTBackboneArrays, ViTBlockArrays, ViTHeadArrays } from './vitWeights';

/** The fixture names of the block-1 internals, in the order the block computes them. */
export const VIT_BLOCK1_INTERNALS = ['ln_1', 'attention_probs', 'mha_output', 'residual_1', 'ln_2', 'mlp_dense_1_gelu', 'mlp_output', 'block_output'] as const;

export interface ViTGraphOptions {
  /** Adds `block_1.<name>` outputs for every step of the first encoder block (fixture tests, debugging). */
  internals?: boolean;
}

/** Resolves a weight to a value of the graph: an initializer (inference) or a graph input (training). */
export type ParamRef = (name: string, arr: WeightArray) => string;

/** Constants every encoder block shares (created once, before the blocks). */
export interface ViTBlockConstants {
  headsShape: string;
  mergedShape: string;
  qScale: string;
  sqrt2: string;
  one: string;
  half: string;
}

export function addViTBlockConstants(g: OnnxGraphBuilder, cfg: ViTBackboneConfig): ViTBlockConstants {
  const N = cfg.numHeads;
  const K = Math.floor(cfg.hiddenDim / N);
  return { headsShape: g.ints([0, 0, N, K]), mergedShape: g.ints([0, 0, N * K]), qScale: g.scalar(1 / Math.sqrt(K)), sqrt2: g.scalar(Math.SQRT2), one: g.scalar(1), half: g.scalar(0.5) };
}

/** Patch embedding (stride-p convolution as reshape + matmul), class token at index 0, position table added. */
export function addViTEmbedding(g: OnnxGraphBuilder, cfg: ViTBackboneConfig, a: ViTBackboneArrays, images: string, w: ParamRef): string {
  const [H, W, C] = cfg.imageShape;
  const [ph, pw] = cfg.patchSize;
  const gh = H / ph;
  const gw = W / pw;
  const D = cfg.hiddenDim;
  const wOpt = (name: string, arr: WeightArray | null): string | null => (arr ? w(name, arr) : null);
  // (B, H, W, C) → (B, gh, ph, gw, pw·C) → (B, gh, gw, ph, pw·C) → (B, gh·gw, ph·pw·C): row-major patches, (y, x, c) inside
  const rows = g.op('Reshape', [images, g.ints([0, gh, ph, gw, pw * C])]);
  const patches = g.op('Reshape', [g.op('Transpose', [rows], { perm: [0, 1, 3, 2, 4] }), g.ints([0, gh * gw, ph * pw * C])]);
  let x = g.dense(patches, w('patch_kernel', a.patchKernel), wOpt('patch_bias', a.patchBias));
  if (a.classToken) {
    const batch = g.op('Shape', [images], { start: 0, end: 1 });
    const clsShape = g.op('Concat', [batch, g.ints([1, D])], { axis: 0 });
    const cls = g.op('Expand', [w('class_token', a.classToken), clsShape]);
    x = g.op('Concat', [cls, x], { axis: 1 });
  }
  return g.op('Add', [x, w('position_embedding', a.positionEmbedding)]);
}

/**
 * One pre-LN encoder block (block index i, 0-based): q scaled by 1/sqrt(key_dim) before the dot product, exact erf
 * GELU, LayerNormalization with the preset's epsilon. `internal` receives the block's intermediate values.
 */
export function addViTBlock(
  g: OnnxGraphBuilder,
  cfg: ViTBackboneConfig,
  x: string,
  i: number,
  b: ViTBlockArrays,
  k: ViTBlockConstants,
  w: ParamRef,
  internal: (name: (typeof VIT_BLOCK1_INTERNALS)[number], value: string, dims?: (number | string)[]) => void = () => {},
): string {
  const p = `block_${i + 1}`;
  const eps = { float: cfg.layerNormEpsilon };
  const wOpt = (name: string, arr: WeightArray | null): string | null => (arr ? w(name, arr) : null);
  const T = (cfg.imageShape[0] / cfg.patchSize[0]) * (cfg.imageShape[1] / cfg.patchSize[1]) + (cfg.useClassToken ? 1 : 0);
  const a1 = g.op('LayerNormalization', [x, w(`${p}.ln1.gamma`, b.ln1Gamma), w(`${p}.ln1.beta`, b.ln1Beta)], { axis: -1, epsilon: eps });
  internal('ln_1', a1);
  const split = (t: string, perm: number[]): string => g.op('Transpose', [g.op('Reshape', [t, k.headsShape])], { perm });
  const q = g.op('Mul', [split(g.dense(a1, w(`${p}.wq`, b.wq), wOpt(`${p}.bq`, b.bq)), [0, 2, 1, 3]), k.qScale]);
  const kT = split(g.dense(a1, w(`${p}.wk`, b.wk), wOpt(`${p}.bk`, b.bk)), [0, 2, 3, 1]);
  const v = split(g.dense(a1, w(`${p}.wv`, b.wv), wOpt(`${p}.bv`, b.bv)), [0, 2, 1, 3]);
  const probs = g.op('Softmax', [g.op('MatMul', [q, kT])], { axis: -1 });
  internal('attention_probs', probs, ['batch', cfg.numHeads, T, T]);
  const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), k.mergedShape]);
  const attn = g.dense(ctx, w(`${p}.wo`, b.wo), wOpt(`${p}.bo`, b.bo));
  internal('mha_output', attn);
  const x1 = g.op('Add', [attn, x]);
  internal('residual_1', x1);
  const m0 = g.op('LayerNormalization', [x1, w(`${p}.ln2.gamma`, b.ln2Gamma), w(`${p}.ln2.beta`, b.ln2Beta)], { axis: -1, epsilon: eps });
  internal('ln_2', m0);
  const h = g.dense(m0, w(`${p}.w1`, b.w1), wOpt(`${p}.b1`, b.b1));
  // keras.activations.gelu (approximate=False): 0.5·x·(1 + erf(x/√2)); ORT fuses this pattern into its exact Gelu
  const gelu = g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Erf', [g.op('Div', [h, k.sqrt2])]), k.one])]), k.half]);
  internal('mlp_dense_1_gelu', gelu, ['batch', T, cfg.mlpDim]);
  const m2 = g.dense(gelu, w(`${p}.w2`, b.w2), wOpt(`${p}.b2`, b.b2));
  internal('mlp_output', m2);
  const out = g.op('Add', [x1, m2]);
  internal('block_output', out);
  return out;
}

/** The final LayerNorm. */
export function addViTFinalNorm(g: OnnxGraphBuilder, cfg: ViTBackboneConfig, a: ViTBackboneArrays, x: string, w: ParamRef): string {
  return g.op('LayerNormalization', [x, w('ln.gamma', a.lnGamma), w('ln.beta', a.lnBeta)], { axis: -1, epsilon: { float: cfg.layerNormEpsilon } });
}

/** ViTImageClassifier pooling: the class token ("token") or the mean of the tokens ("gap"). */
export function addViTPool(g: OnnxGraphBuilder, tokens: string, pooling: string): string {
  return pooling === 'token' ? g.op('Gather', [tokens, g.ints([0], [])], { axis: 1 }) : g.op('ReduceMean', [tokens], { axes: [1], keepdims: 0 });
}

/**
 * Builds the ONNX graph of a Keras Hub ViTBackbone (+ the ViTImageClassifier head when given) on converted
 * images (B, H, W, C). Same math and order as keras-hub (see the ViT facts sheet): patch embedding as the stride-p
 * convolution written as reshape + matmul, class token at index 0, the position table added, pre-LN blocks with q
 * scaled by 1/sqrt(key_dim) before the dot product, exact erf GELU, LayerNormalization with the preset's epsilon,
 * float32 throughout. Every stage the report needs is a graph output: `embeddings`, `block_1`..`block_L`,
 * `backbone_output` and, with a head, `pooled`, [`pre_logits`,] `logits`, `probabilities`, `task_output`.
 */
export function buildViTGraph(
  cfg: ViTBackboneConfig,
  a: ViTBackboneArrays,
  head: { task: ImageClassifierConfig; arrays: ViTHeadArrays } | null,
  opts: ViTGraphOptions = {},
): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder();
  const [H, W, C] = cfg.imageShape;
  const D = cfg.hiddenDim;
  const T = (H / cfg.patchSize[0]) * (W / cfg.patchSize[1]) + (cfg.useClassToken ? 1 : 0);
  const w: ParamRef = (name, arr) => g.weight(name, arr.shape, arr.data);
  const wOpt = (name: string, arr: WeightArray | null): string | null => (arr ? w(name, arr) : null);
  const tokenDims = ['batch', T, D];

  const images = g.input('images', ['batch', H, W, C]);
  let x = addViTEmbedding(g, cfg, a, images, w);
  g.output('embeddings', x, tokenDims);

  const k = addViTBlockConstants(g, cfg);
  a.blocks.forEach((b, i) => {
    const internal = (name: (typeof VIT_BLOCK1_INTERNALS)[number], value: string, dims: (number | string)[] = tokenDims): void => {
      if (opts.internals && i === 0) g.output(`block_1.${name}`, value, dims);
    };
    x = addViTBlock(g, cfg, x, i, b, k, w, internal);
    g.output(`block_${i + 1}`, x, tokenDims);
  });
  const tokens = addViTFinalNorm(g, cfg, a, x, w);
  g.output('backbone_output', tokens, tokenDims);

  if (head) {
    const { task, arrays } = head;
    if (task.pooling !== 'token' && task.pooling !== 'gap') throw new Error(`pooling "${task.pooling}" is not supported (keras-hub ViTImageClassifier accepts "token" and "gap").`);
    if (![null, 'linear', 'softmax', 'sigmoid'].includes(task.activation)) throw new Error(`head activation "${task.activation}" is not supported (None, "linear", "softmax" and "sigmoid" are).`);
    const pooled = addViTPool(g, tokens, task.pooling);
    g.output('pooled', pooled, ['batch', D]);
    let features = pooled;
    if (arrays.preLogitsKernel) {
      features = g.op('Tanh', [g.dense(pooled, w('pre_logits.kernel', arrays.preLogitsKernel), wOpt('pre_logits.bias', arrays.preLogitsBias))]);
      g.output('pre_logits', features, ['batch', task.intermediateDim ?? arrays.preLogitsKernel.shape[1]!]);
    }
    const logits = g.dense(features, w('predictions.kernel', arrays.kernel), w('predictions.bias', arrays.bias));
    const classes = task.numClasses;
    g.output('logits', logits, ['batch', classes]);
    const probabilities = g.op('Softmax', [logits], { axis: -1 });
    g.output('probabilities', probabilities, ['batch', classes]);
    const taskOutput = task.activation === 'softmax' ? probabilities : task.activation === 'sigmoid' ? g.op('Sigmoid', [logits]) : logits;
    g.output('task_output', taskOutput, ['batch', classes]);
  }
  return g;
}
