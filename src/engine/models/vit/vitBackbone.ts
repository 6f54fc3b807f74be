import * as tf from '@tensorflow/tfjs-core';
import type { ViTBackboneConfig } from '../../../core/presets/presetSchema';
import type { WeightArray } from '../../weights/h5Reader';
import { dense, geluExact, layerNorm, multiHeadSelfAttention, type MhaParams } from './vitLayers';
import type { ViTBackboneArrays } from './vitWeights';

export interface ViTBlockParams extends MhaParams {
  ln1Gamma: tf.Tensor; ln1Beta: tf.Tensor;
  ln2Gamma: tf.Tensor; ln2Beta: tf.Tensor;
  w1: tf.Tensor; b1: tf.Tensor | null;
  w2: tf.Tensor; b2: tf.Tensor | null;
}

export interface ViTBackboneParams {
  classToken: tf.Tensor | null;
  patchKernel: tf.Tensor;
  patchBias: tf.Tensor | null;
  positionEmbedding: tf.Tensor;
  blocks: ViTBlockParams[];
  lnGamma: tf.Tensor;
  lnBeta: tf.Tensor;
}

/**
 * Receives intermediate tensors by name during a forward pass: `embeddings`, `block_<i>` (1-based),
 * `block_1/<step>` internals, `backbone_output`. The tensor is disposed after the call: clone and keep it to hold on.
 */
export type StageListener = (name: string, t: tf.Tensor) => void;

function toTensor(w: WeightArray | null, asVariable: boolean): tf.Tensor | null {
  if (!w) return null;
  const t = tf.tensor(w.data, w.shape, 'float32');
  if (!asVariable) return t;
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** Uploads mapped weight arrays as tensors (or trainable variables). */
export function createViTBackboneParams(a: ViTBackboneArrays, asVariables = false): ViTBackboneParams {
  const t = (w: WeightArray): tf.Tensor => toTensor(w, asVariables) as tf.Tensor;
  const o = (w: WeightArray | null): tf.Tensor | null => toTensor(w, asVariables);
  return {
    classToken: o(a.classToken),
    patchKernel: t(a.patchKernel),
    patchBias: o(a.patchBias),
    positionEmbedding: t(a.positionEmbedding),
    blocks: a.blocks.map((b) => ({
      ln1Gamma: t(b.ln1Gamma), ln1Beta: t(b.ln1Beta),
      wq: t(b.wq), bq: o(b.bq), wk: t(b.wk), bk: o(b.bk), wv: t(b.wv), bv: o(b.bv), wo: t(b.wo), bo: o(b.bo),
      ln2Gamma: t(b.ln2Gamma), ln2Beta: t(b.ln2Beta),
      w1: t(b.w1), b1: o(b.b1), w2: t(b.w2), b2: o(b.b2),
    })),
    lnGamma: t(a.lnGamma),
    lnBeta: t(a.lnBeta),
  };
}

/** Every tensor of the params, for disposal and for optimisers. */
export function listViTBackboneTensors(p: ViTBackboneParams): tf.Tensor[] {
  const out: (tf.Tensor | null)[] = [p.classToken, p.patchKernel, p.patchBias, p.positionEmbedding, p.lnGamma, p.lnBeta];
  for (const b of p.blocks) out.push(b.ln1Gamma, b.ln1Beta, b.wq, b.bq, b.wk, b.bk, b.wv, b.bv, b.wo, b.bo, b.ln2Gamma, b.ln2Beta, b.w1, b.b1, b.w2, b.b2);
  return out.filter((t): t is tf.Tensor => t !== null);
}

/**
 * Patch embedding as reshape + matmul (equivalent to the stride-p Conv2D; trains on wasm, which lacks
 * Conv2DBackpropFilter), class token at index 0, position table added row-wise.
 */
export function vitEmbed(cfg: ViTBackboneConfig, p: ViTBackboneParams, images: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, H, W, C] = images.shape;
    const [ph, pw] = cfg.patchSize;
    const gh = H / ph;
    const gw = W / pw;
    // (B, H, W, C) → (B*gh, ph, gw, pw*C) → (B*gh, gw, ph, pw*C) → (B, gh*gw, ph*pw*C): row-major patches, (y, x, c) inside
    const rows = tf.reshape(images, [B * gh, ph, gw, pw * C]);
    const patches = tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [B, gh * gw, ph * pw * C]);
    let tokens = dense(patches, p.patchKernel, p.patchBias);
    if (p.classToken) {
      const cls = tf.tile(tf.reshape(p.classToken, [1, 1, cfg.hiddenDim]), [B, 1, 1]);
      tokens = tf.concat([cls, tokens], 1);
    }
    return tf.add(tokens, p.positionEmbedding) as tf.Tensor3D;
  });
}

/** One pre-LayerNorm encoder block: x + MHA(LN1(x)), then + MLP(LN2(·)) with exact GELU. */
export function vitEncoderBlock(cfg: ViTBackboneConfig, b: ViTBlockParams, x: tf.Tensor, onStage?: StageListener): tf.Tensor {
  return tf.tidy(() => {
    const keyDim = Math.floor(cfg.hiddenDim / cfg.numHeads);
    const a = layerNorm(x, b.ln1Gamma, b.ln1Beta, cfg.layerNormEpsilon);
    onStage?.('ln_1', a);
    const attn = multiHeadSelfAttention(a, b, cfg.numHeads, keyDim, onStage ? (probs) => onStage('attention_probs', probs) : undefined);
    onStage?.('mha_output', attn);
    const x1 = tf.add(attn, x);
    onStage?.('residual_1', x1);
    const m0 = layerNorm(x1, b.ln2Gamma, b.ln2Beta, cfg.layerNormEpsilon);
    onStage?.('ln_2', m0);
    const m1 = geluExact(dense(m0, b.w1, b.b1));
    onStage?.('mlp_dense_1_gelu', m1);
    const m2 = dense(m1, b.w2, b.b2);
    onStage?.('mlp_output', m2);
    const out = tf.add(x1, m2);
    onStage?.('block_output', out);
    return out;
  });
}

/** ViTBackbone forward: (B, H, W, C) converted images → (B, T, D) final-LayerNorm tokens. Disposes per block. */
export function vitBackboneForward(cfg: ViTBackboneConfig, p: ViTBackboneParams, images: tf.Tensor4D, onStage?: StageListener): tf.Tensor3D {
  let x: tf.Tensor = vitEmbed(cfg, p, images);
  onStage?.('embeddings', x);
  p.blocks.forEach((b, i) => {
    const inner = onStage && i === 0 ? (name: string, t: tf.Tensor) => onStage(`block_1/${name}`, t) : undefined;
    const y = vitEncoderBlock(cfg, b, x, inner);
    x.dispose();
    x = y;
    onStage?.(`block_${i + 1}`, x);
  });
  const out = layerNorm(x, p.lnGamma, p.lnBeta, cfg.layerNormEpsilon) as tf.Tensor3D;
  x.dispose();
  onStage?.('backbone_output', out);
  return out;
}
