import * as tf from '@tensorflow/tfjs-core';
import { disposeViTModel, type ViTModel } from '../models/vit/vitModel';
import type { ViTBackboneArrays, ViTHeadArrays } from '../models/vit/vitWeights';
import type { ModelRunner } from '../runners/modelRunner';
import { Optimizer } from './optimizer';
import { cachePrefix } from './preparedData';
import { argmaxRows, gatherRows, type AppliedStep, type MicroStep, type PrefixCache, type Trainer, type TrainerOptions } from './trainer';
import { crossEntropy, TrainableViT } from './trainableVit';

/**
 * Training on TF.js (the reference, and the fallback when ONNX Runtime is unavailable or `--backend` names a TF.js
 * backend): tf.Variables, tf.variableGrads and the plain-op Optimizer. Gradients of the micro-batches are summed in
 * tensors until `apply`. The trainer owns the model it is given (disposed with it).
 */
export class TfjsTrainer implements Trainer {
  readonly backend: string;
  readonly mode;
  readonly firstTrainableBlock: number;
  readonly pooling: 'token' | 'gap';
  readonly trainableCount: number;
  readonly parameterCount: number;
  private tm: TrainableViT;
  private optimizer: Optimizer;
  private accum: Map<string, tf.Tensor> | null = null;
  private pending = 0;

  constructor(private readonly model: ViTModel, private readonly o: TrainerOptions) {
    this.backend = tf.getBackend();
    this.mode = o.mode;
    this.tm = new TrainableViT(model.config, model.backbone, o.mode, o.k, o.numClasses, o.seed);
    this.firstTrainableBlock = this.tm.firstTrainableBlock;
    this.pooling = this.tm.pooling;
    this.trainableCount = this.tm.trainableCount();
    this.parameterCount = model.parameterCount;
    this.optimizer = this.newOptimizer();
  }

  private newOptimizer(): Optimizer {
    return new Optimizer({ name: this.o.optimizer, momentum: this.o.optimizer === 'sgd' ? (this.o.momentum ?? 0.9) : undefined });
  }

  async prefix(pixels: Float32Array, n: number, runner: ModelRunner | null, onChunk?: () => Promise<void>): Promise<PrefixCache> {
    const [H, W, C] = this.model.config.imageShape;
    if (this.mode === 'full') return { data: pixels, rowShape: [H, W, C], n };
    const t = await cachePrefix(this.tm, pixels, n, 16, onChunk, runner);
    const data = t.dataSync() as Float32Array;
    const rowShape = t.shape.slice(1);
    t.dispose();
    return { data, rowShape, n };
  }

  private batch(x: PrefixCache, idx: number[]): tf.Tensor {
    return tf.tensor(gatherRows(x, idx), [idx.length, ...x.rowShape]);
  }

  async accumulate(x: PrefixCache, idx: number[], labels: number[]): Promise<MicroStep> {
    const xb = this.batch(x, idx);
    const yb = tf.tensor1d(labels, 'int32');
    let predictions: number[] = [];
    const keyOf = new Map<string, string>([...this.tm.vars].map(([key, v]) => [v.name, key]));
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.tm.logits(xb);
      predictions = argmaxRows(logits.dataSync() as Float32Array, this.o.numClasses);
      return crossEntropy(logits, yb, this.o.labelSmoothing ?? 0);
    }, [...this.tm.vars.values()]);
    const loss = value.dataSync()[0] as number;
    tf.dispose([value, xb, yb]);
    const named = new Map<string, tf.Tensor>(Object.entries(grads).map(([n, g]) => [keyOf.get(n) ?? n, g]));
    if (!this.accum) this.accum = named;
    else {
      const prev = this.accum;
      this.accum = new Map([...named].map(([key, g]) => {
        const sum = tf.add(prev.get(key)!, g);
        tf.dispose([g, prev.get(key)!]);
        return [key, sum];
      }));
    }
    this.pending++;
    return { loss, predictions };
  }

  async apply(lr: number): Promise<AppliedStep> {
    const accum = this.accum;
    if (!accum) return { gradNorms: {}, gradNorm: 0 };
    const n = this.pending;
    const avg = new Map([...accum].map(([key, g]) => [key, n > 1 ? tf.div(g, n) : g]));
    const sq = new Map<string, number>();
    for (const [key, g] of avg) {
      const group = this.tm.groupOf.get(key) ?? key;
      sq.set(group, (sq.get(group) ?? 0) + (tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]) as number));
    }
    let total = 0;
    let scale = 1;
    for (const v of sq.values()) total += v;
    const clip = this.o.clipNorm;
    if (clip && Math.sqrt(total) > clip) scale = clip / (Math.sqrt(total) + 1e-6);
    const clipped = scale === 1 ? avg : new Map([...avg].map(([k, g]) => [k, tf.mul(g, scale)]));
    this.optimizer.apply(this.tm.vars as Map<string, tf.Variable>, clipped, lr);
    tf.dispose([...new Set([...avg.values(), ...accum.values(), ...clipped.values()])]);
    this.accum = null;
    this.pending = 0;
    return { gradNorms: Object.fromEntries([...sq].map(([k, v]) => [k, Math.sqrt(v)])), gradNorm: Math.sqrt(total) };
  }

  async logits(x: PrefixCache): Promise<Float32Array> {
    const out = new Float32Array(x.n * this.o.numClasses);
    for (let i = 0; i < x.n; i += 16) {
      const xb = this.batch(x, Array.from({ length: Math.min(16, x.n - i) }, (_, j) => i + j));
      const l = this.tm.logits(xb);
      out.set(l.dataSync() as Float32Array, i * this.o.numClasses);
      tf.dispose([xb, l]);
    }
    return out;
  }

  async resetHead(seed: number): Promise<void> {
    const fresh = new TrainableViT(this.tm.cfg, this.tm.params, 'head', 0, this.o.numClasses, seed);
    this.tm.headKernel.assign(fresh.headKernel);
    this.tm.headBias.assign(fresh.headBias);
    fresh.dispose();
    this.optimizer.dispose();
    this.optimizer = this.newOptimizer();
  }

  async toArrays(): Promise<{ backbone: ViTBackboneArrays; head: ViTHeadArrays }> {
    return this.tm.toArrays();
  }

  async dispose(): Promise<void> {
    if (this.accum) tf.dispose([...this.accum.values()]);
    this.optimizer.dispose();
    this.tm.dispose();
    disposeViTModel(this.model);
  }
}
