import type * as Ort from 'onnxruntime-node';
import type { LoadedPreset } from '../../../core/presets/presetLoader';
import { glorotUniform, seededRandom } from '../../../core/seededRandom';
import { ENGINE_VERSION } from '../../engineVersion';
import { mapViTBackboneWeights, type ViTBackboneArrays } from '../../models/vit/vitWeights';
import { labelTargets } from '../../onnx/autodiff/softmaxCrossEntropy';
import { encodeOnnxModel } from '../../onnx/onnxProto';
import type { ModelRunner } from '../../runners/modelRunner';
import { readH5Weights, type WeightArray } from '../../weights/h5Reader';
import { prefixRowsFromStages } from '../preparedData';
import { argmaxRows, firstTrainableBlock, gatherRows, type AppliedStep, type MicroStep, type PrefixCache, type Trainer, type TrainerOptions } from '../trainer';
import { fusedStepAll, type StepArrays } from './fusedOptimizer';
import { buildOptimizerGraph, optimizerSlots, stepScalars, STEP_SCALARS, type OptimizerGraphSpec, type StepScalars } from './optimizerGraph';
import { SplitOptimizer } from './splitOptimizer';
import { buildViTTrainGraph, type TrainGraph } from './vitTrainGraph';

/** Keras optimizer defaults (what the TF.js reference uses): β1 0.9, β2 0.999, ε 1e-7, AdamW weight decay 0.004. */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 };

export interface OnnxTrainerOptions extends TrainerOptions {
  ort: typeof Ort;
  threads: number;
  /**
   * Where the optimizer step runs: "js" (default) one fused pass over the buffers in place (fusedOptimizer.ts);
   * "onnx" the optimizer graph on its own session, outputs pre-allocated (ping-pong). Same formulas; see the
   * measurements in fusedOptimizer.ts.
   */
  optimizerOn?: 'js' | 'onnx';
  /**
   * The fused step on two threads (splitOptimizer.ts): by default when `threads` > 1 and at least
   * `SPLIT_OPTIMIZER_MIN` parameters train (below that a worker round trip costs more than it saves).
   */
  splitOptimizer?: boolean;
}

/** Trainable parameters from which the fused optimizer step is split over two threads by default. */
export const SPLIT_OPTIMIZER_MIN = 1 << 20;

/**
 * Two buffers per value: a step reads `cur` and writes `next` (pre-allocated outputs), then they swap. The second
 * buffer is only allocated when something writes `next` (the optimizer graph, gradient accumulation): the fused
 * optimizer updates in place, so for full fine-tuning of ViT-B/16 this saves a copy of weights, slots and gradients.
 */
class PingPong {
  private bufs: Float32Array[];
  private tensors: Ort.Tensor[];
  private at = 0;

  constructor(
    private readonly ort: typeof Ort,
    readonly dims: number[],
    first: Float32Array,
    private readonly allocate: () => Float32Array = () => new Float32Array(first.length),
  ) {
    this.bufs = [first];
    this.tensors = [new ort.Tensor('float32', first, dims)];
  }

  get cur(): Float32Array {
    return this.bufs[this.at] as Float32Array;
  }

  get curTensor(): Ort.Tensor {
    return this.tensors[this.at] as Ort.Tensor;
  }

  get nextTensor(): Ort.Tensor {
    if (this.bufs.length === 1) {
      const second = this.allocate();
      this.bufs.push(second);
      this.tensors.push(new this.ort.Tensor('float32', second, this.dims));
    }
    return this.tensors[1 - this.at] as Ort.Tensor;
  }

  swap(): void {
    if (this.bufs.length === 2) this.at = 1 - this.at;
  }

  /** `cur` is now `buf` (the same values in memory handed back by another thread; the old array is detached). */
  rebind(buf: Float32Array): void {
    this.bufs[this.at] = buf;
    this.tensors[this.at] = new this.ort.Tensor('float32', buf, this.dims);
  }
}

/**
 * Session options of the training (and evaluation) graphs. `enableMemPattern: false`: ONNX Runtime then does not plan
 * one block for every intermediate of a run from the first run's trace; the arena still reuses freed blocks. Measured
 * on ViT-B/16 full fine-tuning, batch 4 (alternated runs): peak RSS 2.95 GB instead of 3.77 GB, the same step time
 * (the second step, where the pattern is built, is no longer 1.5 s slower). Measured and left at their defaults:
 * `session.intra_op.allow_spinning` 0 (same step and optimizer times), graph optimization "extended" (same or slower),
 * parallel execution with 2 inter-op threads (the ONNX Runtime part 2× slower), no CPU arena (slower, RSS 2.6–2.9 GB).
 */
const SESSION_OPTIONS = (threads: number): Ort.InferenceSession.SessionOptions => ({
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableMemPattern: false,
  logSeverityLevel: 3,
});

/**
 * Training on ONNX Runtime: the trainable tail's forward + backward as one session (gradients by graph-build-time
 * autodiff), the optimizer step as one fused pass in place (or the optimizer graph on a second session). Parameters,
 * optimizer slots and accumulated gradients live in pre-allocated Float32Arrays that the session reads as inputs and
 * writes as pre-allocated outputs, so no step allocates or copies weights.
 */
export class OnnxTrainer implements Trainer {
  readonly backend = 'onnx';
  readonly mode;
  readonly firstTrainableBlock: number;
  readonly pooling: 'token' | 'gap';
  readonly trainableCount: number;
  readonly parameterCount: number;
  private readonly params: PingPong[];
  private readonly slots: Map<'m' | 'v', PingPong[]>;
  /** gradient outputs: one set, or a ping-pong pair holding the running sum when accumulating */
  private readonly grads: PingPong[];
  private pending = 0;
  private step = 0;
  private evalSession: Ort.InferenceSession | null = null;
  private readonly split: SplitOptimizer | null;

  private constructor(
    private readonly o: OnnxTrainerOptions,
    private readonly cfg: LoadedPreset['backbone'],
    private readonly backbone: ViTBackboneArrays,
    private readonly graph: TrainGraph,
    private readonly train: Ort.InferenceSession,
    private readonly opt: Ort.InferenceSession | null,
  ) {
    const { ort } = o;
    this.mode = o.mode;
    this.firstTrainableBlock = firstTrainableBlock(o.mode, o.k, cfg.numLayers);
    this.pooling = cfg.useClassToken ? 'token' : 'gap';
    const sizes = graph.params.map((p) => p.source.data.length);
    this.trainableCount = sizes.reduce((n, x) => n + x, 0);
    this.split = (o.splitOptimizer ?? (o.threads > 1 && this.trainableCount >= SPLIT_OPTIMIZER_MIN)) && o.optimizerOn !== 'onnx' ? SplitOptimizer.create(sizes) : null;
    // split: the worker's half of every kind of buffer lies in one ArrayBuffer (handed to the worker thread whole)
    const allocator = (): ((i: number) => Float32Array) => this.split?.allocator() ?? ((i) => new Float32Array(sizes[i] as number));
    const pair = (): ((i: number) => PingPong) => {
      const first = allocator();
      let second: ((i: number) => Float32Array) | null = null;
      return (i) => new PingPong(ort, graph.params[i]!.dims, first(i), () => (second ??= allocator())(i));
    };
    const weights = pair();
    this.params = graph.params.map((p, i) => {
      if (!this.split?.onWorker[i]) return new PingPong(ort, p.dims, p.source.data);
      const pp = weights(i);
      pp.cur.set(p.source.data);
      p.source.data = pp.cur;
      return pp;
    });
    const { blocks, ...top } = backbone;
    this.parameterCount = [...Object.values(top), ...blocks.flatMap((b) => Object.values(b))].reduce((n, w) => n + ((w as WeightArray | null)?.data.length ?? 0), 0);
    this.slots = new Map(
      optimizerSlots({ name: o.optimizer, momentum: o.momentum }).map((s) => {
        const slot = pair();
        return [s, graph.params.map((_, i) => slot(i))];
      }),
    );
    const grads = pair();
    this.grads = graph.params.map((_, i) => grads(i));
  }

  /** `backboneArrays`: given (head mode on another family's features, see featureHeadTrainer.ts) the weights file is not read. */
  static async create(preset: LoadedPreset, o: OnnxTrainerOptions, backboneArrays?: ViTBackboneArrays): Promise<OnnxTrainer> {
    const cfg = preset.backbone;
    const backbone = backboneArrays ?? mapViTBackboneWeights(cfg, await readH5Weights(preset.weightsFile), preset.weightsFile);
    const first = firstTrainableBlock(o.mode, o.k, cfg.numLayers);
    const graph = buildViTTrainGraph(cfg, backbone, freshHead(cfg.hiddenDim, o.numClasses, o.seed), o.mode, first, cfg.useClassToken ? 'token' : 'gap', { accumulate: o.accumulate > 1 });
    const encode = (g: TrainGraph['graph'], name: string): Uint8Array => encodeOnnxModel(g.model(name, ENGINE_VERSION, 'none.bin', new Map()));
    const train = await o.ort.InferenceSession.create(encode(graph.graph, 'vit_train'), SESSION_OPTIONS(o.threads));
    const optGraph = o.optimizerOn === 'onnx' ? buildOptimizerGraph({ ...optimizerSpec(o), params: graph.params, clipNorm: o.clipNorm ?? null }) : null;
    const opt = optGraph ? await o.ort.InferenceSession.create(encode(optGraph, 'optimizer'), SESSION_OPTIONS(o.threads)) : null;
    return new OnnxTrainer(o, cfg, backbone, graph, train, opt);
  }

  /** 2 when the fused optimizer step is split over the calling thread and a worker thread, else 1 */
  get optimizerThreads(): 1 | 2 {
    return this.split ? 2 : 1;
  }

  async prefix(pixels: Float32Array, n: number, runner: ModelRunner | null, onChunk?: () => Promise<void>): Promise<PrefixCache> {
    const [H, W, C] = this.cfg.imageShape;
    if (this.mode === 'full') return { data: pixels, rowShape: [H, W, C], n };
    if (!runner) throw new Error('the ONNX trainer needs an ONNX forward runner for the frozen prefix');
    const parts: Float32Array[] = [];
    let rowShape: number[] = [];
    for (let i = 0; i < n; i += 16) {
      const m = Math.min(16, n - i);
      const t = prefixRowsFromStages(this.mode, this.pooling, this.firstTrainableBlock, await runner.run(pixels.subarray(i * H * W * C, (i + m) * H * W * C), m));
      rowShape = t.shape.slice(1);
      parts.push(t.data);
      await onChunk?.();
    }
    const data = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      data.set(p, off);
      off += p.length;
    }
    return { data, rowShape, n };
  }

  private feedParams(): Record<string, Ort.Tensor> {
    return Object.fromEntries(this.graph.params.map((p, i) => [`param.${p.name}`, this.params[i]!.curTensor]));
  }

  async accumulate(x: PrefixCache, idx: number[], labels: number[]): Promise<MicroStep> {
    const { ort } = this.o;
    const C = this.o.numClasses;
    const feeds: Record<string, Ort.Tensor> = {
      [this.graph.input]: new ort.Tensor('float32', gatherRows(x, idx), [idx.length, ...x.rowShape]),
      targets: new ort.Tensor('float32', labelTargets(labels, C, this.o.labelSmoothing ?? 0), [idx.length, C]),
      ...this.feedParams(),
    };
    const fetches: Record<string, Ort.Tensor | null> = { loss: null, logits: null };
    this.graph.params.forEach((p, i) => {
      const g = this.grads[i]!;
      if (this.o.accumulate > 1) {
        if (this.pending === 0) g.cur.fill(0);
        feeds[`acc.${p.name}`] = g.curTensor;
        fetches[`grad.${p.name}`] = g.nextTensor;
      } else fetches[`grad.${p.name}`] = g.curTensor;
    });
    const out = await this.train.run(feeds, fetches as never);
    if (this.o.accumulate > 1) for (const g of this.grads) g.swap();
    this.pending++;
    return { loss: Number(out.loss!.data[0]), predictions: argmaxRows(out.logits!.data as Float32Array, C) };
  }

  async apply(lr: number): Promise<AppliedStep> {
    this.step++;
    const scalars = stepScalars(this.step, lr, { beta1: ADAM.beta1, beta2: ADAM.beta2, epsilon: ADAM.epsilon, kerasEpsilon: true, gradScale: 1 / Math.max(1, this.pending) });
    return this.opt ? this.applyOnSession(this.opt, scalars) : this.applyFused(scalars);
  }

  /** The fused JavaScript step, in place (on two threads when split): no session run, no temporaries. */
  private async applyFused(scalars: StepScalars): Promise<AppliedStep> {
    const m = this.slots.get('m');
    const v = this.slots.get('v');
    const spec = optimizerSpec(this.o);
    const arrays: StepArrays[] = this.graph.params.map((_, i) => ({ grad: this.grads[i]!.cur, param: this.params[i]!.cur, ...(m ? { m: m[i]!.cur } : {}), ...(v ? { v: v[i]!.cur } : {}) }));
    let sqs: number[];
    let norm: number;
    if (this.split) {
      const r = await this.split.step(spec, scalars, this.o.clipNorm, arrays);
      ({ sqs, norm } = r);
      r.arrays.forEach((a, i) => {
        if (a === arrays[i]) return;
        this.params[i]!.rebind(a.param);
        // the backbone's array was this weight buffer (not a copy toArrays made): it follows the buffer
        const source = this.graph.params[i]!.source;
        if (source.data === arrays[i]!.param) source.data = a.param;
        this.grads[i]!.rebind(a.grad);
        if (a.m) m![i]!.rebind(a.m);
        if (a.v) v![i]!.rebind(a.v);
      });
    } else ({ sqs, norm } = fusedStepAll(spec, scalars, this.o.clipNorm, arrays));
    this.pending = 0;
    const sq = new Map<string, number>();
    this.graph.params.forEach((p, i) => sq.set(p.group, (sq.get(p.group) ?? 0) + sqs[i]!));
    return { gradNorms: Object.fromEntries([...sq].map(([k, val]) => [k, Math.sqrt(val)])), gradNorm: norm };
  }

  private async applyOnSession(opt: Ort.InferenceSession, scalars: StepScalars): Promise<AppliedStep> {
    const { ort } = this.o;
    const feeds: Record<string, Ort.Tensor> = Object.fromEntries(STEP_SCALARS.map((k) => [k, new ort.Tensor('float32', Float32Array.of(scalars[k]), [])]));
    const fetches: Record<string, Ort.Tensor | null> = { grad_norm: null };
    this.graph.params.forEach((p, i) => {
      feeds[`param.${p.name}`] = this.params[i]!.curTensor;
      feeds[`grad.${p.name}`] = this.grads[i]!.curTensor;
      fetches[`new_param.${p.name}`] = this.params[i]!.nextTensor;
      fetches[`grad_sq.${p.name}`] = null;
      for (const [slot, bufs] of this.slots) {
        feeds[`${slot}.${p.name}`] = bufs[i]!.curTensor;
        fetches[`new_${slot}.${p.name}`] = bufs[i]!.nextTensor;
      }
    });
    const out = await opt.run(feeds, fetches as never);
    for (const b of [...this.params, ...[...this.slots.values()].flat()]) b.swap();
    this.pending = 0;
    const sq = new Map<string, number>();
    for (const p of this.graph.params) sq.set(p.group, (sq.get(p.group) ?? 0) + Number(out[`grad_sq.${p.name}`]!.data[0]));
    return { gradNorms: Object.fromEntries([...sq].map(([k, v]) => [k, Math.sqrt(v)])), gradNorm: Number(out.grad_norm!.data[0]) };
  }

  /**
   * Copies of every trainable parameter and of its gradient buffer (the sum pending since the last optimizer step, or
   * the last one applied), by training-graph name in the graph's order: how the bench's parity check against PyTorch
   * reads the engine's own gradients and updated weights.
   */
  snapshot(): { name: string; group: string; dims: number[]; param: Float32Array; grad: Float32Array }[] {
    return this.graph.params.map((p, i) => ({ name: p.name, group: p.group, dims: p.dims, param: Float32Array.from(this.params[i]!.cur), grad: Float32Array.from(this.grads[i]!.cur) }));
  }

  async logits(x: PrefixCache): Promise<Float32Array> {
    const { ort } = this.o;
    if (!this.evalSession) {
      const g = buildViTTrainGraph(this.cfg, this.backbone, freshHead(this.cfg.hiddenDim, this.o.numClasses, this.o.seed), this.mode, this.firstTrainableBlock, this.pooling, { gradients: false });
      this.evalSession = await ort.InferenceSession.create(encodeOnnxModel(g.graph.model('vit_eval', ENGINE_VERSION, 'none.bin', new Map())), SESSION_OPTIONS(this.o.threads));
    }
    const C = this.o.numClasses;
    const out = new Float32Array(x.n * C);
    for (let i = 0; i < x.n; i += 16) {
      const idx = Array.from({ length: Math.min(16, x.n - i) }, (_, j) => i + j);
      const res = await this.evalSession.run({ [this.graph.input]: new ort.Tensor('float32', gatherRows(x, idx), [idx.length, ...x.rowShape]), ...this.feedParams() });
      out.set(res.logits!.data as Float32Array, i * C);
    }
    return out;
  }

  async resetHead(seed: number): Promise<void> {
    const head = freshHead(this.cfg.hiddenDim, this.o.numClasses, seed);
    this.graph.params.forEach((p, i) => {
      if (p.name === 'head.kernel') this.params[i]!.cur.set(head.kernel.data);
      if (p.name === 'head.bias') this.params[i]!.cur.set(head.bias.data);
    });
    for (const bufs of this.slots.values()) for (const b of bufs) b.cur.fill(0);
    this.step = 0;
    this.pending = 0;
  }

  async toArrays(): Promise<{ backbone: ViTBackboneArrays; head: { preLogitsKernel: null; preLogitsBias: null; kernel: WeightArray; bias: WeightArray } }> {
    const current = new Map(this.graph.params.map((p, i) => [p.name, { shape: p.dims, data: Float32Array.from(this.params[i]!.cur) }]));
    this.graph.params.forEach((p) => {
      if (!p.name.startsWith('head.')) p.source.data = current.get(p.name)!.data;
    });
    return { backbone: this.backbone, head: { preLogitsKernel: null, preLogitsBias: null, kernel: current.get('head.kernel')!, bias: current.get('head.bias')! } };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.train.release(), this.opt?.release(), this.evalSession?.release(), this.split?.dispose()]);
  }
}

function optimizerSpec(o: OnnxTrainerOptions): Omit<OptimizerGraphSpec, 'params'> {
  return { name: o.optimizer, momentum: o.momentum, weightDecay: ADAM.weightDecay, beta1: ADAM.beta1, beta2: ADAM.beta2 };
}

/** The fresh classification head, initialised exactly as the TF.js trainer does (Glorot uniform from the seed, zero bias). */
export function freshHead(hiddenDim: number, numClasses: number, seed: number): { kernel: WeightArray; bias: WeightArray } {
  return { kernel: { shape: [hiddenDim, numClasses], data: glorotUniform(hiddenDim, numClasses, seededRandom(seed)) }, bias: { shape: [numClasses], data: new Float32Array(numClasses) } };
}
