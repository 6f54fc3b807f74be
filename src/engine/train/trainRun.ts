import * as tf from '@tensorflow/tfjs-core';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { loadPresetDir, type LoadedPreset } from '../../core/presets/presetLoader';
import { resolvePreset } from '../../core/presets/presetResolver';
import { seededRandom } from '../../core/seededRandom';
import { UserError } from '../../core/userError';
import type { DataEvent, EpochEvent, HealthEvent, PlanEvent, StepEvent, TrainEvent, TrainMode, TrainParams, TrainResult } from '../../protocol/trainProtocol';
import { decodeSplit, splitImageFolder, type ImageFolderSplit } from '../data/imageFolderDataset';
import type { LoadedImage } from '../data/imageLoader';
import { disposeViTModel, loadViTModel, type ViTModel } from '../models/vit/vitModel';
import { assertConverterSupported } from '../models/vit/vitImageConverter';
import { writeViTPreset } from '../models/vit/vitPresetWriter';
import { learningRateAt, Optimizer } from './optimizer';
import { cachePrefix, preprocessImages } from './preparedData';
import type { ModelRunner } from '../runners/modelRunner';
import { accuracy, crossEntropy, TrainableViT } from './trainableVit';

export interface TrainContext {
  signal: AbortSignal;
  emit(e: TrainEvent): void;
  /** the TF.js backend (gradients) */
  backend: string;
  /** a forward-only runner (ONNX Runtime) for the frozen prefix; absent = the prefix runs on TF.js too */
  forwardRunner?: (preset: LoadedPreset) => Promise<ModelRunner>;
}

/** Runs `fn` with a forward runner for the preset when the context has one (disposed after), else with null. */
export async function withForwardRunner<T>(ctx: TrainContext, preset: LoadedPreset, mode: TrainMode, fn: (r: ModelRunner | null) => Promise<T>): Promise<T> {
  const runner = ctx.forwardRunner && mode !== 'full' ? await ctx.forwardRunner(preset) : null;
  try {
    return await fn(runner);
  } finally {
    await runner?.dispose();
  }
}

export function trainBackends(ctx: TrainContext, mode: TrainMode): PlanEvent['backends'] {
  if (mode === 'full') return { features: ctx.backend, gradients: ctx.backend, why: 'full fine-tuning needs gradients everywhere: TF.js only' };
  if (ctx.forwardRunner) return { features: 'onnx', gradients: ctx.backend, why: 'the frozen part is forward-only: ONNX Runtime; gradients on TF.js' };
  return { features: ctx.backend, gradients: ctx.backend, why: `--backend ${ctx.backend} (or ONNX Runtime unavailable): everything on TF.js` };
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));
const DEFAULT_LR: Record<TrainMode, number> = { head: 1e-3, 'last-k': 1e-4, full: 5e-5 };

/** Rough training memory: weights, grads and two Adam slots for trainable params, plus saved activations. */
export function estimateMemoryMb(model: ViTModel, mode: TrainMode, k: number, batch: number, nImages: number): number {
  const c = model.config;
  const T = (c.imageShape[0] / c.patchSize[0]) * (c.imageShape[1] / c.patchSize[1]) + (c.useClassToken ? 1 : 0);
  const blocks = mode === 'full' ? c.numLayers : mode === 'last-k' ? Math.min(k, c.numLayers) : 0;
  const perBlockParams = 4 * c.hiddenDim * c.hiddenDim + 2 * c.hiddenDim * c.mlpDim;
  const trainable = blocks * perBlockParams + (mode === 'full' ? c.patchSize[0] * c.patchSize[1] * 3 * c.hiddenDim : 0);
  const activationsPerImage = blocks * T * (12 * c.hiddenDim + 2 * c.numHeads * T + 2 * c.mlpDim) * 4;
  const cache = mode === 'head' ? nImages * c.hiddenDim * 4 : mode === 'last-k' ? nImages * T * c.hiddenDim * 4 : 0;
  return (model.parameterCount * 4 + trainable * 16 + activationsPerImage * batch * 1.5 + cache) / 2 ** 20;
}

export function memoryLimitMb(backend: string): number {
  // the wasm backend's heap is capped at 4 GiB; native and cpu are bounded by the machine
  return backend === 'wasm' ? 3 * 1024 : Math.floor((totalmem() / 2 ** 20) * 0.6);
}

interface Loaded {
  preset: LoadedPreset;
  model: ViTModel;
  split: ImageFolderSplit;
  images: Map<string, LoadedImage>;
  dataEvent: DataEvent;
}

export async function loadTrainingData(p: { preset: string; data: string; validationSplit?: number; seed?: number; maxPerClass?: number; cwd?: string }, ctx: Pick<TrainContext, 'emit'>): Promise<Loaded> {
  const cwd = p.cwd ?? process.cwd();
  const preset = loadPresetDir(resolvePreset(p.preset, { cwd }).dir);
  assertConverterSupported(preset);
  const split = splitImageFolder(resolve(cwd, p.data), { validationSplit: p.validationSplit ?? 0.2, seed: p.seed ?? 1337, maxPerClass: p.maxPerClass });
  const images = await decodeSplit(split);
  if (split.train.length === 0) throw new UserError('E_DATA_INVALID', `${p.data}: no readable training images.`, { file: p.data });
  const dataEvent: DataEvent = { type: 'data', classNames: split.classNames, counts: split.counts, train: split.train.length, val: split.val.length, imbalance: split.imbalance, skipped: split.skipped };
  ctx.emit(dataEvent);
  const model = await loadViTModel(preset);
  return { preset, model, split, images, dataEvent };
}

/** A short fine-tune with live events; cancellable between steps; saves a loadable preset when `out` is given. */
export async function runTraining(params: TrainParams, ctx: TrainContext): Promise<TrainResult> {
  const t0 = performance.now();
  const mode = params.mode ?? 'head';
  const k = params.k ?? 2;
  const epochs = Math.max(1, params.epochs ?? 3);
  const batch = Math.max(1, params.batch ?? 16);
  const accumulate = Math.max(1, params.accumulate ?? 1);
  const seed = params.seed ?? 1337;
  const lr = params.lr ?? DEFAULT_LR[mode];
  const optName = params.optimizer ?? 'adamw';
  const health: HealthEvent[] = [];
  const warn = (h: HealthEvent): void => {
    health.push(h);
    ctx.emit(h);
  };
  const { preset, model, split, images, dataEvent } = await loadTrainingData(params, ctx);
  let tm: TrainableViT | null = null;
  const tensors: tf.Tensor[] = [];
  const optimizer = new Optimizer({ name: optName, momentum: optName === 'sgd' ? 0.9 : undefined });
  try {
    const memoryEstimateMb = estimateMemoryMb(model, mode, k, batch, split.train.length + split.val.length);
    const limit = memoryLimitMb(ctx.backend);
    if (memoryEstimateMb > limit) {
      const suggestion = mode === 'full' ? 'last-k with --k 2, or head' : 'head';
      throw new UserError('E_TRAIN_MEMORY', `Mode "${mode}" needs about ${Math.round(memoryEstimateMb)} MB, more than the ${limit} MB the ${ctx.backend} backend can use. Use mode ${suggestion}, or a smaller --batch.`);
    }
    if (split.skipped.length) warn({ type: 'health', severity: 'warning', code: 'skipped-files', message: `${split.skipped.length} file(s) skipped: ${split.skipped.slice(0, 10).map((s) => `${s.file} (${s.reason})`).join(', ')}${split.skipped.length > 10 ? ', …' : ''}` });
    if (split.imbalance > 3) warn({ type: 'health', severity: 'warning', code: 'imbalance', message: `Classes are imbalanced (largest/smallest = ${split.imbalance.toFixed(1)}): accuracy is misleading; weight the classes or resample.` });
    if (mode !== 'head' && optName !== 'sgd' && lr >= 5e-4) warn({ type: 'health', severity: 'warning', code: 'high-lr', message: `Learning rate ${lr} is high for fine-tuning pretrained blocks with ${optName}: use ≤ 1e-4.` });

    tm = new TrainableViT(model.config, model.backbone, mode, k, split.classNames.length, seed);
    const stepsPerEpoch = Math.ceil(split.train.length / batch);
    const plan: PlanEvent = {
      type: 'plan', mode, trainableParams: tm.trainableCount(), frozenParams: model.parameterCount - (tm.trainableCount() - tm.headKernel.size - tm.headBias.size),
      memoryEstimateMb: Math.round(memoryEstimateMb), memoryLimitMb: limit, lr, optimizer: optName, stepsPerEpoch,
      note: mode === 'head' ? 'backbone frozen: features computed once and cached' : mode === 'last-k' ? `blocks ${tm.firstTrainableBlock + 1}–${model.config.numLayers} + final LayerNorm + head trained on cached tokens` : 'all parameters trained',
      backends: trainBackends(ctx, mode),
    };
    ctx.emit(plan);
    const mapping = params.preprocessing ?? 'preset';
    const trainImgs = split.train.map((x) => images.get(x.file)!);
    const valImgs = split.val.map((x) => images.get(x.file)!);
    const tmm = tm;
    const [xTrain, xVal] = await withForwardRunner(ctx, preset, mode, async (runner) => {
      const xt = await cachePrefix(tmm, preprocessImages(preset, trainImgs, mapping), trainImgs.length, 16, yieldNow, runner);
      tensors.push(xt);
      const xv = valImgs.length ? await cachePrefix(tmm, preprocessImages(preset, valImgs, mapping), valImgs.length, 16, yieldNow, runner) : null;
      if (xv) tensors.push(xv);
      return [xt, xv] as const;
    });
    const yTrain = split.train.map((x) => x.label);
    const yVal = split.val.map((x) => x.label);

    const rand = seededRandom(seed + 1);
    const totalSteps = Math.ceil((stepsPerEpoch * epochs) / accumulate);
    const warmup = params.warmupSteps ?? Math.min(10, Math.floor(totalSteps / 10));
    const steps: StepEvent[] = [];
    const epochEvents: EpochEvent[] = [];
    let stopped: TrainResult['stopped'] = 'completed';
    let optStep = 0;
    let accum: Map<string, tf.Tensor> | null = null;
    let accumCount = 0;
    const varList = [...tm.vars.values()];
    const keyOf = new Map<string, string>([...tm.vars].map(([key, v]) => [v.name, key]));
    const warned = new Set<string>();
    outer: for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = yTrain.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      let sumLoss = 0;
      let sumAcc = 0;
      let seen = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        await yieldNow();
        if (ctx.signal.aborted) {
          stopped = 'cancelled';
          break outer;
        }
        const tStep = performance.now();
        const idx = order.slice(s * batch, (s + 1) * batch);
        const labels = idx.map((i) => yTrain[i] as number);
        const xb = tf.tidy(() => tf.gather(xTrain, tf.tensor1d(idx, 'int32')));
        const yb = tf.tensor1d(labels, 'int32');
        let logitsValue: number[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const logits = tm!.logits(xb);
          logitsValue = Array.from(tf.argMax(logits, 1).dataSync());
          return crossEntropy(logits, yb);
        }, varList);
        const loss = value.dataSync()[0] as number;
        value.dispose();
        xb.dispose();
        yb.dispose();
        const acc = logitsValue.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0) / labels.length;
        if (!Number.isFinite(loss)) {
          tf.dispose(Object.values(grads));
          warn({ type: 'health', severity: 'error', code: 'nan-loss', message: `Loss became ${loss} at step ${optStep + 1}: training stopped. Check the input range and the learning rate.`, step: optStep + 1 });
          stopped = 'nan';
          break outer;
        }
        // accumulate
        const named = new Map<string, tf.Tensor>(Object.entries(grads).map(([n, g]) => [keyOf.get(n) ?? n, g]));
        if (!accum) accum = named;
        else {
          const prev: Map<string, tf.Tensor> = accum;
          accum = new Map([...named].map(([key, g]) => {
            const sum = tf.add(prev.get(key)!, g);
            g.dispose();
            prev.get(key)!.dispose();
            return [key, sum];
          }));
        }
        accumCount++;
        sumLoss += loss * labels.length;
        sumAcc += acc * labels.length;
        seen += labels.length;
        if (accumCount === accumulate || s === stepsPerEpoch - 1) {
          const avg = new Map([...accum].map(([key, g]) => [key, accumCount > 1 ? tf.div(g, accumCount) : g]));
          const gradNorms: Record<string, number> = {};
          const sq = new Map<string, number>();
          for (const [key, g] of avg) {
            const group = tm.groupOf.get(key) ?? key;
            sq.set(group, (sq.get(group) ?? 0) + (tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]) as number));
          }
          let total = 0;
          for (const [group, v] of sq) {
            gradNorms[group] = Math.sqrt(v);
            total += v;
          }
          const rate = learningRateAt(optStep, totalSteps, lr, warmup);
          optimizer.apply(tm.vars as Map<string, tf.Variable>, avg, rate);
          tf.dispose([...avg.values(), ...accum.values()]);
          accum = null;
          accumCount = 0;
          optStep++;
          for (const [group, n] of Object.entries(gradNorms)) {
            if (n > 1e3 && !warned.has(`x${group}`)) {
              warned.add(`x${group}`);
              warn({ type: 'health', severity: 'warning', code: 'exploding-gradients', message: `Gradient norm of ${group} is ${n.toExponential(2)} at step ${optStep}: lower the learning rate or check the input scale.`, step: optStep });
            }
            if (group !== 'head' && n < 1e-7 && !warned.has(`v${group}`)) {
              warned.add(`v${group}`);
              warn({ type: 'health', severity: 'warning', code: 'vanishing-gradients', message: `Gradient norm of ${group} is ${n.toExponential(2)} at step ${optStep}: that block barely learns.`, step: optStep });
            }
          }
          const ev: StepEvent = { type: 'step', step: optStep, epoch, loss, accuracy: acc, gradNorm: Math.sqrt(total), gradNorms, lr: rate, imagesPerSec: (labels.length * 1000) / (performance.now() - tStep) };
          steps.push(ev);
          ctx.emit(ev);
        }
      }
      const valLogits = xVal ? tm.logits(xVal) : null;
      const yv = tf.tensor1d(yVal, 'int32');
      const valLoss = valLogits ? (tf.tidy(() => crossEntropy(valLogits, yv).dataSync()[0]) as number) : NaN;
      const valAccuracy = valLogits ? accuracy(valLogits, yVal) : NaN;
      tf.dispose([yv, ...(valLogits ? [valLogits] : [])]);
      const ee: EpochEvent = { type: 'epoch', epoch, trainLoss: seen ? sumLoss / seen : NaN, trainAccuracy: seen ? sumAcc / seen : NaN, valLoss, valAccuracy };
      epochEvents.push(ee);
      ctx.emit(ee);
    }
    if (accum) tf.dispose([...accum.values()]);
    let valLogits: number[][] = [];
    if (xVal && stopped !== 'nan') {
      const l = tm.logits(xVal);
      valLogits = l.arraySync() as number[][];
      l.dispose();
    }
    let savedTo: string | null = null;
    if (params.out && stopped !== 'nan') {
      const arrays = tm.toArrays();
      savedTo = resolve(params.cwd ?? process.cwd(), params.out);
      await writeViTPreset(savedTo, {
        backbone: model.config,
        converter: preset.converter ?? { className: 'ViTImageConverter', imageSize: [model.config.imageShape[0], model.config.imageShape[1]], scale: null, offset: null, normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false },
        task: { className: 'ViTImageClassifier', numClasses: split.classNames.length, pooling: tm.pooling, activation: null, dropout: 0, intermediateDim: null },
        backboneArrays: arrays.backbone,
        headArrays: arrays.head,
        note: `vit-doctor train (${mode}, ${epochs} epochs, classes: ${split.classNames.join(', ')})`,
      });
    }
    return { steps, epochs: epochEvents, health, data: dataEvent, plan, stopped, savedTo, seconds: (performance.now() - t0) / 1000, valFiles: split.val.map((v) => v.file), valLogits };
  } finally {
    optimizer.dispose();
    tf.dispose(tensors);
    tm?.dispose();
    disposeViTModel(model);
  }
}
