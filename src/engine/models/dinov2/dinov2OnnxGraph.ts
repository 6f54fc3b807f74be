import { DINOV2_LAYER_NORM_EPSILON, swigluInnerDim, type DINOV2BackboneConfig } from '../../../core/presets/dinov2Config';
import { OnnxGraphBuilder } from '../../onnx/onnxGraphBuilder';
import type { WeightArray } from '../../weights/h5Reader';
import type { DINOV2BackboneArrays } from './dinov2Weights';

/** The fixture names of the block-1 internals (GELU MLP), in the order the block computes them. */
export const DINOV2_BLOCK1_INTERNALS = [
  'ln_1', 'attention_probs', 'attention_output', 'layer_scale_1', 'residual_1', 'ln_2', 'mlp_fc1_gelu', 'mlp_output', 'layer_scale_2', 'block_output',
] as const;

export interface DINOV2GraphOptions {
  /** adds `block_1.<name>` outputs for every step of the first block (fixture tests, debugging) */
  internals?: boolean;
}

/**
 * Builds the ONNX graph of a Keras Hub DINOV2Backbone on converted images (B, H, H, 3), the same math and order as
 * keras-hub (facts sheet §3): pixels beyond g·P dropped (the 'valid' convolution), patch embedding as reshape + matmul,
 * [cls, patches] + the position table at the built grid, register tokens inserted after the class token with no
 * position embedding, pre-LN blocks with LayerScale (q scaled by 1/sqrt(K), exact erf GELU or SwiGLU), every
 * LayerNorm eps 1e-6, float32 throughout. Outputs: `embeddings`, `block_1`..`block_L`, `backbone_output`.
 */
export function buildDINOV2Graph(cfg: DINOV2BackboneConfig, a: DINOV2BackboneArrays, opts: DINOV2GraphOptions = {}): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder();
  const [H, W, C] = cfg.imageShape;
  const P = cfg.patchSize;
  const grid = Math.floor(H / P);
  const D = cfg.hiddenDim;
  const N = cfg.numHeads;
  const K = Math.floor(D / N);
  const R = cfg.numRegisterTokens;
  const T = 1 + R + grid * grid;
  const eps = { float: DINOV2_LAYER_NORM_EPSILON };
  const w = (name: string, arr: WeightArray): string => g.weight(name, arr.shape, arr.data);
  const tokenDims = ['batch', T, D];

  const images = g.input('images', ['batch', H, W, C]);
  let img = images;
  if (grid * P !== H) img = g.op('Slice', [images, g.ints([0, 0]), g.ints([grid * P, grid * P]), g.ints([1, 2])]);
  // (B, gP, gP, C) → (B, g, P, g, P·C) → (B, g, g, P, P·C) → (B, g², P·P·C): row-major patches, (y, x, c) inside
  const rows = g.op('Reshape', [img, g.ints([0, grid, P, grid, P * C])]);
  const patches = g.op('Reshape', [g.op('Transpose', [rows], { perm: [0, 1, 3, 2, 4] }), g.ints([0, grid * grid, P * P * C])]);
  let x = g.dense(patches, w('patch_kernel', a.patchKernel), w('patch_bias', a.patchBias));
  const batch = g.op('Shape', [images], { start: 0, end: 1 });
  const cls = g.op('Expand', [w('class_token', { shape: [1, 1, D], data: a.classToken.data }), g.op('Concat', [batch, g.ints([1, D])], { axis: 0 })]);
  x = g.op('Concat', [cls, x], { axis: 1 });
  x = g.op('Add', [x, w('position_embedding', a.positionEmbedding)]);
  if (a.registers) {
    const regs = g.op('Expand', [w('register_tokens', { shape: [1, R, D], data: a.registers.data }), g.op('Concat', [batch, g.ints([R, D])], { axis: 0 })]);
    const head = g.op('Slice', [x, g.ints([0]), g.ints([1]), g.ints([1])]);
    const tail = g.op('Slice', [x, g.ints([1]), g.ints([1 + grid * grid]), g.ints([1])]);
    x = g.op('Concat', [head, regs, tail], { axis: 1 });
  }
  g.output('embeddings', x, tokenDims);

  const headsShape = g.ints([0, 0, N, K]);
  const mergedShape = g.ints([0, 0, N * K]);
  const qScale = g.scalar(1 / Math.sqrt(K));
  const sqrt2 = g.scalar(Math.SQRT2);
  const one = g.scalar(1);
  const half = g.scalar(0.5);
  const Ma = swigluInnerDim(cfg.intermediateDim);
  a.blocks.forEach((b, i) => {
    const p = `block_${i + 1}`;
    const internal = (name: (typeof DINOV2_BLOCK1_INTERNALS)[number], value: string, dims: (number | string)[] = tokenDims): void => {
      if (opts.internals && i === 0) g.output(`block_1.${name}`, value, dims);
    };
    const a1 = g.op('LayerNormalization', [x, w(`${p}.ln1.gamma`, b.ln1Gamma), w(`${p}.ln1.beta`, b.ln1Beta)], { axis: -1, epsilon: eps });
    internal('ln_1', a1);
    const split = (t: string, perm: number[]): string => g.op('Transpose', [g.op('Reshape', [t, headsShape])], { perm });
    const q = g.op('Mul', [split(g.dense(a1, w(`${p}.wq`, b.wq), w(`${p}.bq`, b.bq)), [0, 2, 1, 3]), qScale]);
    const kT = split(g.dense(a1, w(`${p}.wk`, b.wk), w(`${p}.bk`, b.bk)), [0, 2, 3, 1]);
    const v = split(g.dense(a1, w(`${p}.wv`, b.wv), w(`${p}.bv`, b.bv)), [0, 2, 1, 3]);
    const probs = g.op('Softmax', [g.op('MatMul', [q, kT])], { axis: -1 });
    internal('attention_probs', probs, ['batch', N, T, T]);
    const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), mergedShape]);
    const attn = g.dense(ctx, w(`${p}.wo`, b.wo), w(`${p}.bo`, b.bo));
    internal('attention_output', attn);
    const ls1 = g.op('Mul', [attn, w(`${p}.lambda1`, b.lambda1)]);
    internal('layer_scale_1', ls1);
    const x1 = g.op('Add', [ls1, x]);
    internal('residual_1', x1);
    const m0 = g.op('LayerNormalization', [x1, w(`${p}.ln2.gamma`, b.ln2Gamma), w(`${p}.ln2.beta`, b.ln2Beta)], { axis: -1, epsilon: eps });
    internal('ln_2', m0);
    const h = g.dense(m0, w(`${p}.w1`, b.w1), w(`${p}.b1`, b.b1));
    let inner: string;
    if (cfg.useSwigluFfn) {
      // DINOV2SwiGLUFFN: first half gated by silu, times the second half
      const x1h = g.op('Slice', [h, g.ints([0]), g.ints([Ma]), g.ints([2])]);
      const x2h = g.op('Slice', [h, g.ints([Ma]), g.ints([2 * Ma]), g.ints([2])]);
      inner = g.op('Mul', [g.op('Mul', [x1h, g.op('Sigmoid', [x1h])]), x2h]);
    } else {
      // keras.activations.gelu (approximate=False): 0.5·x·(1 + erf(x/√2))
      inner = g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Erf', [g.op('Div', [h, sqrt2])]), one])]), half]);
      internal('mlp_fc1_gelu', inner, ['batch', T, cfg.intermediateDim]);
    }
    const m2 = g.dense(inner, w(`${p}.w2`, b.w2), w(`${p}.b2`, b.b2));
    internal('mlp_output', m2);
    const ls2 = g.op('Mul', [m2, w(`${p}.lambda2`, b.lambda2)]);
    internal('layer_scale_2', ls2);
    x = g.op('Add', [ls2, x1]);
    internal('block_output', x);
    g.output(p, x, tokenDims);
  });
  const tokens = g.op('LayerNormalization', [x, w('ln.gamma', a.lnGamma), w('ln.beta', a.lnBeta)], { axis: -1, epsilon: eps });
  g.output('backbone_output', tokens, tokenDims);
  return g;
}
