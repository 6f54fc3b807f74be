import * as tf from '@tensorflow/tfjs-core';
import type { ViTBackboneConfig } from '../../core/presets/presetSchema';
import { glorotUniform, seededRandom } from '../../core/seededRandom';
import type { TrainMode } from '../../protocol/trainProtocol';
import { vitEmbed, vitEncoderBlock, type ViTBackboneParams, type ViTBlockParams } from '../models/vit/vitBackbone';
import { vitPool } from '../models/vit/vitImageClassifier';
import { dense, layerNorm } from '../models/vit/vitLayers';
import type { ViTBackboneArrays, ViTHeadArrays } from '../models/vit/vitWeights';
import type { WeightArray } from '../weights/h5Reader';

let runCounter = 0;

/**
 * A ViT with a fresh classification head, split into a frozen prefix (whose outputs are cached once) and a trainable
 * suffix of tf.Variables: `head` trains the Dense head on pooled features, `last-k` the last k blocks + final LayerNorm
 * + head on cached tokens, `full` everything on images.
 */
export class TrainableViT {
  readonly vars = new Map<string, tf.Variable>();
  /** Parameter group of each variable key: embeddings, block_<i>, final_ln, head. */
  readonly groupOf = new Map<string, string>();
  readonly params: ViTBackboneParams;
  readonly headKernel: tf.Variable;
  readonly headBias: tf.Variable;
  readonly pooling: 'token' | 'gap';
  /** Index of the first trainable block (0 for full, L for head). */
  readonly firstTrainableBlock: number;
  private readonly owned: tf.Tensor[] = [];
  private readonly prefix = `vtd${++runCounter}`;

  constructor(readonly cfg: ViTBackboneConfig, source: ViTBackboneParams, readonly mode: TrainMode, k: number, numClasses: number, seed: number) {
    const L = cfg.numLayers;
    this.firstTrainableBlock = mode === 'full' ? 0 : mode === 'last-k' ? Math.max(0, L - Math.max(1, Math.min(L, k))) : L;
    const trainEmbed = mode === 'full';
    const trainFinal = mode !== 'head';
    const v = (t: tf.Tensor | null, key: string, group: string, trainable: boolean): tf.Tensor | null => {
      if (!t) return null;
      if (!trainable) return t;
      const copy = t.clone();
      const variable = tf.variable(copy, true, `${this.prefix}_${key}`);
      copy.dispose();
      this.vars.set(key, variable);
      this.groupOf.set(key, group);
      return variable;
    };
    const blocks: ViTBlockParams[] = source.blocks.map((b, i) => {
      const tr = i >= this.firstTrainableBlock;
      const g = `block_${i + 1}`;
      const out = {} as Record<string, tf.Tensor | null>;
      for (const [name, t] of Object.entries(b)) out[name] = v(t as tf.Tensor | null, `${g}_${name}`, g, tr);
      return out as unknown as ViTBlockParams;
    });
    this.params = {
      classToken: v(source.classToken, 'cls', 'embeddings', trainEmbed),
      patchKernel: v(source.patchKernel, 'patch_kernel', 'embeddings', trainEmbed) as tf.Tensor,
      patchBias: v(source.patchBias, 'patch_bias', 'embeddings', trainEmbed),
      positionEmbedding: v(source.positionEmbedding, 'pos', 'embeddings', trainEmbed) as tf.Tensor,
      blocks,
      lnGamma: v(source.lnGamma, 'ln_gamma', 'final_ln', trainFinal) as tf.Tensor,
      lnBeta: v(source.lnBeta, 'ln_beta', 'final_ln', trainFinal) as tf.Tensor,
    };
    this.pooling = cfg.useClassToken ? 'token' : 'gap';
    const rand = seededRandom(seed);
    const k0 = tf.tensor2d(glorotUniform(cfg.hiddenDim, numClasses, rand), [cfg.hiddenDim, numClasses]);
    const b0 = tf.zeros([numClasses]);
    this.headKernel = tf.variable(k0, true, `${this.prefix}_head_kernel`);
    this.headBias = tf.variable(b0, true, `${this.prefix}_head_bias`);
    tf.dispose([k0, b0]);
    this.vars.set('head_kernel', this.headKernel);
    this.vars.set('head_bias', this.headBias);
    this.groupOf.set('head_kernel', 'head');
    this.groupOf.set('head_bias', 'head');
    this.owned.push(...this.vars.values());
  }

  /** Output of the frozen prefix for a batch of images: pooled features (head), tokens (last-k), the images (full). */
  frozenPrefix(images: tf.Tensor4D): tf.Tensor {
    if (this.mode === 'full') return images.clone();
    return tf.tidy(() => {
      let h: tf.Tensor = vitEmbed(this.cfg, this.params, images);
      for (let i = 0; i < this.firstTrainableBlock; i++) h = vitEncoderBlock(this.cfg, this.params.blocks[i]!, h);
      if (this.mode === 'last-k') return h;
      return vitPool(layerNorm(h, this.params.lnGamma, this.params.lnBeta, this.cfg.layerNormEpsilon) as tf.Tensor3D, this.pooling);
    });
  }

  /** Logits from the frozen prefix's output (differentiable in every trainable variable). */
  logits(prefixOut: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      let pooled: tf.Tensor;
      if (this.mode === 'head') pooled = prefixOut;
      else {
        let h: tf.Tensor = this.mode === 'full' ? vitEmbed(this.cfg, this.params, prefixOut as tf.Tensor4D) : prefixOut;
        for (let i = this.firstTrainableBlock; i < this.cfg.numLayers; i++) h = vitEncoderBlock(this.cfg, this.params.blocks[i]!, h);
        pooled = vitPool(layerNorm(h, this.params.lnGamma, this.params.lnBeta, this.cfg.layerNormEpsilon) as tf.Tensor3D, this.pooling);
      }
      return dense(pooled, this.headKernel, this.headBias) as tf.Tensor2D;
    });
  }

  trainableCount(): number {
    return [...this.vars.values()].reduce((n, t) => n + t.size, 0);
  }

  /** Current weights as arrays, in the layouts the Keras writer expects. */
  toArrays(): { backbone: ViTBackboneArrays; head: ViTHeadArrays } {
    const a = (t: tf.Tensor | null): WeightArray | null => (t ? { shape: [...t.shape], data: t.dataSync() as Float32Array } : null);
    const p = this.params;
    return {
      backbone: {
        classToken: a(p.classToken),
        patchKernel: a(p.patchKernel)!,
        patchBias: a(p.patchBias),
        positionEmbedding: a(p.positionEmbedding)!,
        blocks: p.blocks.map((b) => ({
          ln1Gamma: a(b.ln1Gamma)!, ln1Beta: a(b.ln1Beta)!, wq: a(b.wq)!, bq: a(b.bq), wk: a(b.wk)!, bk: a(b.bk), wv: a(b.wv)!, bv: a(b.bv),
          wo: a(b.wo)!, bo: a(b.bo), ln2Gamma: a(b.ln2Gamma)!, ln2Beta: a(b.ln2Beta)!, w1: a(b.w1)!, b1: a(b.b1), w2: a(b.w2)!, b2: a(b.b2),
        })),
        lnGamma: a(p.lnGamma)!,
        lnBeta: a(p.lnBeta)!,
      },
      head: { preLogitsKernel: null, preLogitsBias: null, kernel: a(this.headKernel)!, bias: a(this.headBias)! },
    };
  }

  dispose(): void {
    tf.dispose(this.owned);
  }
}

/** Mean sparse softmax cross-entropy from logits, and accuracy. */
/**
 * Mean softmax cross-entropy of integer labels; with `smoothing` ε the targets are (1 − ε)·onehot + ε/C, as
 * keras.losses.CategoricalCrossentropy(label_smoothing=ε) on one-hot labels.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const C = logits.shape[1];
    const onehot = tf.cast(tf.oneHot(labels, C), 'float32');
    const targets = smoothing > 0 ? tf.add(tf.mul(onehot, 1 - smoothing), smoothing / C) : onehot;
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

export function accuracy(logits: tf.Tensor2D, labels: number[]): number {
  const pred = tf.tidy(() => tf.argMax(logits, 1).dataSync());
  let ok = 0;
  labels.forEach((l, i) => (ok += pred[i] === l ? 1 : 0));
  return labels.length ? ok / labels.length : 0;
}
