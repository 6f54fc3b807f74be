import * as tf from '@tensorflow/tfjs-core';
import { DINOV2_LAYER_NORM_EPSILON, swigluInnerDim, type DINOV2BackboneConfig } from '../../../core/presets/dinov2Config';
import type { WeightArray } from '../../weights/h5Reader';
import type { StageListener } from '../vit/vitBackbone';
import { dense, geluExact, layerNorm, multiHeadSelfAttention, type MhaParams } from '../vit/vitLayers';
import type { DINOV2BackboneArrays, DINOV2BlockArrays } from './dinov2Weights';

export interface DINOV2BlockParams extends MhaParams {
  ln1Gamma: tf.Tensor; ln1Beta: tf.Tensor;
  lambda1: tf.Tensor;
  ln2Gamma: tf.Tensor; ln2Beta: tf.Tensor;
  w1: tf.Tensor; b1: tf.Tensor;
  w2: tf.Tensor; b2: tf.Tensor;
  lambda2: tf.Tensor;
}

export interface DINOV2BackboneParams {
  classToken: tf.Tensor;
  registers: tf.Tensor | null;
  /** the table added at the built grid (already interpolated from the stored one when the sizes differ) */
  positionEmbedding: tf.Tensor;
  patchKernel: tf.Tensor;
  patchBias: tf.Tensor;
  blocks: DINOV2BlockParams[];
  lnGamma: tf.Tensor;
  lnBeta: tf.Tensor;
}

function up(w: WeightArray, asVariable: boolean): tf.Tensor {
  const t = tf.tensor(w.data, w.shape, 'float32');
  if (!asVariable) return t;
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** Uploads mapped weight arrays as tensors (or trainable variables). */
export function createDINOV2BackboneParams(a: DINOV2BackboneArrays, asVariables = false): DINOV2BackboneParams {
  const t = (w: WeightArray): tf.Tensor => up(w, asVariables);
  const block = (b: DINOV2BlockArrays): DINOV2BlockParams => ({
    ln1Gamma: t(b.ln1Gamma), ln1Beta: t(b.ln1Beta),
    wq: t(b.wq), bq: t(b.bq), wk: t(b.wk), bk: t(b.bk), wv: t(b.wv), bv: t(b.bv), wo: t(b.wo), bo: t(b.bo),
    lambda1: t(b.lambda1), ln2Gamma: t(b.ln2Gamma), ln2Beta: t(b.ln2Beta),
    w1: t(b.w1), b1: t(b.b1), w2: t(b.w2), b2: t(b.b2), lambda2: t(b.lambda2),
  });
  return {
    classToken: t(a.classToken),
    registers: a.registers ? t(a.registers) : null,
    positionEmbedding: t(a.positionEmbedding),
    patchKernel: t(a.patchKernel),
    patchBias: t(a.patchBias),
    blocks: a.blocks.map(block),
    lnGamma: t(a.lnGamma),
    lnBeta: t(a.lnBeta),
  };
}

/** Every tensor of the params, for disposal and for optimisers. */
export function listDINOV2BackboneTensors(p: DINOV2BackboneParams): tf.Tensor[] {
  const out: (tf.Tensor | null)[] = [p.classToken, p.registers, p.positionEmbedding, p.patchKernel, p.patchBias, p.lnGamma, p.lnBeta];
  for (const b of p.blocks) out.push(b.ln1Gamma, b.ln1Beta, b.wq, b.bq, b.wk, b.bk, b.wv, b.bv, b.wo, b.bo, b.lambda1, b.ln2Gamma, b.ln2Beta, b.w1, b.b1, b.w2, b.b2, b.lambda2);
  return out.filter((t): t is tf.Tensor => t !== null);
}

/**
 * DINOV2Embedding: pixels beyond g·P dropped, patch embedding as reshape + matmul (the stride-P 'valid' Conv2D),
 * [cls, patches] + position table, then the register tokens inserted after the class token (no position embedding).
 */
export function dinov2Embed(cfg: DINOV2BackboneConfig, p: DINOV2BackboneParams, images: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, H, , C] = images.shape;
    const P = cfg.patchSize;
    const g = Math.floor(H / P);
    const img = g * P === H ? images : tf.slice(images, [0, 0, 0, 0], [B, g * P, g * P, C]);
    const rows = tf.reshape(img, [B * g, P, g, P * C]);
    const patches = tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [B, g * g, P * P * C]);
    const tokens = dense(patches, p.patchKernel, p.patchBias);
    const D = cfg.hiddenDim;
    const cls = tf.tile(tf.reshape(p.classToken, [1, 1, D]), [B, 1, 1]);
    const x = tf.add(tf.concat([cls, tokens], 1), p.positionEmbedding) as tf.Tensor3D;
    if (!p.registers) return x;
    const R = cfg.numRegisterTokens;
    const regs = tf.tile(tf.reshape(p.registers, [1, R, D]), [B, 1, 1]);
    return tf.concat([tf.slice(x, [0, 0, 0], [B, 1, D]), regs, tf.slice(x, [0, 1, 0], [B, g * g, D])], 1) as tf.Tensor3D;
  });
}

/** One DINOV2Layer: x + λ1·MHA(LN1(x)), then + λ2·FFN(LN2(·)) with exact GELU MLP or SwiGLU; eps 1e-6. */
export function dinov2Block(cfg: DINOV2BackboneConfig, b: DINOV2BlockParams, x: tf.Tensor, onStage?: StageListener): tf.Tensor {
  return tf.tidy(() => {
    const eps = DINOV2_LAYER_NORM_EPSILON;
    const K = Math.floor(cfg.hiddenDim / cfg.numHeads);
    const a = layerNorm(x, b.ln1Gamma, b.ln1Beta, eps);
    onStage?.('ln_1', a);
    const attn = multiHeadSelfAttention(a, b, cfg.numHeads, K, onStage ? (probs) => onStage('attention_probs', probs) : undefined);
    onStage?.('attention_output', attn);
    const ls1 = tf.mul(attn, b.lambda1);
    onStage?.('layer_scale_1', ls1);
    const x1 = tf.add(ls1, x);
    onStage?.('residual_1', x1);
    const m0 = layerNorm(x1, b.ln2Gamma, b.ln2Beta, eps);
    onStage?.('ln_2', m0);
    const h = dense(m0, b.w1, b.b1);
    let inner: tf.Tensor;
    if (cfg.useSwigluFfn) {
      const Ma = swigluInnerDim(cfg.intermediateDim);
      const [x1h, x2h] = tf.split(h, [Ma, Ma], -1) as [tf.Tensor, tf.Tensor];
      inner = tf.mul(tf.mul(x1h, tf.sigmoid(x1h)), x2h);
    } else {
      inner = geluExact(h);
      onStage?.('mlp_fc1_gelu', inner);
    }
    const m2 = dense(inner, b.w2, b.b2);
    onStage?.('mlp_output', m2);
    const ls2 = tf.mul(m2, b.lambda2);
    onStage?.('layer_scale_2', ls2);
    const out = tf.add(ls2, x1);
    onStage?.('block_output', out);
    return out;
  });
}

/** DINOV2Backbone forward: (B, H, H, 3) converted images → (B, 1 + R + g², D) after the final LayerNorm. */
export function dinov2BackboneForward(cfg: DINOV2BackboneConfig, p: DINOV2BackboneParams, images: tf.Tensor4D, onStage?: StageListener): tf.Tensor3D {
  let x: tf.Tensor = dinov2Embed(cfg, p, images);
  onStage?.('embeddings', x);
  p.blocks.forEach((b, i) => {
    const inner = onStage && i === 0 ? (name: string, t: tf.Tensor) => onStage(`block_1/${name}`, t) : undefined;
    const y = dinov2Block(cfg, b, x, inner);
    x.dispose();
    x = y;
    onStage?.(`block_${i + 1}`, x);
  });
  const out = layerNorm(x, p.lnGamma, p.lnBeta, DINOV2_LAYER_NORM_EPSILON) as tf.Tensor3D;
  x.dispose();
  onStage?.('backbone_output', out);
  return out;
}
