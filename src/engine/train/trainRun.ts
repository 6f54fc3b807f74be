import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { loadPresetDir, type LoadedPreset } from '../../core/presets/presetLoader';
import type { ViTBackboneConfig } from '../../core/presets/presetSchema';
import { resolvePreset } from '../../core/presets/presetResolver';
import { seededRandom } from '../../core/seededRandom';
import { UserError } from '../../core/userError';
import type { DataEvent, EpochEvent, HealthEvent, PlanEvent, StepEvent, TrainEvent, TrainMode, TrainParams, TrainResult } from '../../protocol/trainProtocol';
import { decodeSplit, splitImageFolder, type ImageFolderSplit } from '../data/imageFolderDataset';
import type { LoadedImage } from '../data/imageLoader';
import { assertConverterSupported } from '../models/vit/vitImageConverter';
import { writeViTPreset } from '../models/vit/vitPresetWriter';
import type { ModelRunner } from '../runners/modelRunner';
import { createTrainer, type TrainBackend } from './createTrainer';
import { assertFamilyTrainable } from './featureHeadTrainer';
import { learningRateAt } from './optimizer';
import { preprocessImages } from './preparedData';
import { firstTrainableBlock, type PrefixCache } from './trainer';
import { meanCrossEntropy } from './trainMetrics';

export interface TrainContext extends TrainBackend {
  signal: AbortSignal;
  emit(e: TrainEvent): void;
  /** the TF.js backend (the reference trainer, used when `onnx` is absent) */
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
  if (ctx.onnx) return { features: mode === 'full' ? 'none' : 'onnx', gradients: 'onnx', why: 'ONNX Runtime: the frozen prefix once on the inference session, gradients and the optimizer step as ONNX graphs' };
  if (mode === 'full') return { features: ctx.backend, gradients: ctx.backend, why: 'full fine-tuning needs gradients everywhere: TF.js only' };
  if (ctx.forwardRunner) return { features: 'onnx', gradients: ctx.backend, why: 'the frozen part is forward-only: ONNX Runtime; gradients on TF.js' };
  return { features: ctx.backend, gradients: ctx.backend, why: `--backend ${ctx.backend} (or ONNX Runtime unavailable): everything on TF.js` };
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The label smoothing ε of a train/check request: 0 when absent; outside [0, 1] (or not a number) a UserError naming the option. */
export function labelSmoothingOf(p: { labelSmoothing?: number; preset: string }): number {
  const v = p.labelSmoothing ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new UserError('E_USAGE', `label smoothing (--label-smoothing, setting vitDoctor.train.labelSmoothing) must be a number in [0, 1]; got ${String(v)}.`, {
      hint: 'Use 0 (none) to 1; 0.1 is the usual value.',
    });
  }
  return v;
}
const DEFAULT_LR: Record<TrainMode, number> = { head: 1e-3, 'last-k': 1e-4, full: 5e-5 };

/**
 * Rough peak training memory in MB: the backbone's weights, per trainable parameter its extra buffers, the activations
 * the backward pass keeps, and the cached prefix.
 */
export function estimateMemoryMb(c: ViTBackboneConfig, parameterCount: number, o: { mode: TrainMode; k: number; batch: number; nImages: number; onnx: boolean; accumulate?: number }): number {
  const T = (c.imageShape[0] / c.patchSize[0]) * (c.imageShape[1] / c.patchSize[1]) + (c.useClassToken ? 1 : 0);
  const blocks = o.mode === 'full' ? c.numLayers : o.mode === 'last-k' ? Math.min(o.k, c.numLayers) : 0;
  const perBlockParams = 4 * c.hiddenDim * c.hiddenDim + 2 * c.hiddenDim * c.mlpDim;
  const trainable = blocks * perBlockParams + (o.mode === 'full' ? c.patchSize[0] * c.patchSize[1] * 3 * c.hiddenDim : 0);
  // beyond the weights themselves: TF.js a variable copy, the gradient and two slots; ONNX Runtime two slots and the
  // gradient (plus the running sum when accumulating), the weights being updated in place
  const bytesPerTrainable = o.onnx ? 4 * (3 + ((o.accumulate ?? 1) > 1 ? 1 : 0)) : 16;
  const activationsPerImage = blocks * T * (12 * c.hiddenDim + 2 * c.numHeads * T + 2 * c.mlpDim) * 4;
  const cache = o.mode === 'head' ? o.nImages * c.hiddenDim * 4 : o.mode === 'last-k' ? o.nImages * T * c.hiddenDim * 4 : 0;
  return (parameterCount * 4 + trainable * bytesPerTrainable + activationsPerImage * o.batch * 1.5 + cache) / 2 ** 20;
}

export function memoryLimitMb(backend: string): number {
  // the wasm backend's heap is capped at 4 GiB; native, cpu and ONNX Runtime are bounded by the machine
  return backend === 'wasm' ? 3 * 1024 : Math.floor((totalmem() / 2 ** 20) * 0.6);
}

/** The backbone's parameter count from the config (count_params() of the ViTBackbone), before any weight is loaded. */
export function vitParameterCount(c: ViTBackboneConfig): number {
  const [ph, pw] = c.patchSize;
  const D = c.hiddenDim;
  const T = (c.imageShape[0] / ph) * (c.imageShape[1] / pw) + (c.useClassToken ? 1 : 0);
  const block = 4 * D * D + 4 * D + 2 * D * c.mlpDim + c.mlpDim + D + 4 * D;
  return ph * pw * c.imageShape[2] * D + D + (c.useClassToken ? D : 0) + T * D + c.numLayers * block + 2 * D;
}

interface Loaded {
  preset: LoadedPreset;
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
  return { preset, split, images, dataEvent };
}

/** Largest batch whose estimate fits under `limit` (at least 1). */
function batchThatFits(fits: (batch: number) => boolean, batch: number): number | null {
  for (let b = batch - 1; b >= 1; b--) if (fits(b)) return b;
  return null;
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
  const labelSmoothing = labelSmoothingOf(params);
  const health: HealthEvent[] = [];
  const warn = (h: HealthEvent): void => {
    health.push(h);
    ctx.emit(h);
  };
  const { preset, split, images, dataEvent } = await loadTrainingData(params, ctx);
  assertFamilyTrainable(preset, { mode, pooling: params.pooling, out: params.out });
  const cfg = preset.backbone;
  const backendName = ctx.onnx ? 'onnx' : ctx.backend;
  const limit = memoryLimitMb(backendName);
  const estimate = (b: number): number => estimateMemoryMb(cfg, vitParameterCount(cfg), { mode, k, batch: b, nImages: split.train.length + split.val.length, onnx: !!ctx.onnx, accumulate });
  const memoryEstimateMb = estimate(batch);
  if (memoryEstimateMb > limit) {
    const smaller = batchThatFits((b) => estimate(b) <= limit, batch);
    const suggestion = smaller ? `--batch ${smaller}${accumulate === 1 ? ` with --accumulate ${Math.ceil(batch / smaller)} (the same effective batch)` : ''}` : mode === 'full' ? 'mode last-k with --k 2, or head' : 'mode head';
    throw new UserError('E_TRAIN_MEMORY', `${params.preset}: mode "${mode}" at batch ${batch} needs about ${Math.round(memoryEstimateMb)} MB, more than the ${limit} MB the ${backendName} backend can use. Use ${suggestion}.`, { file: params.preset, hint: `Try ${suggestion}.` });
  }
  const trainer = await createTrainer(ctx, preset, { mode, k, numClasses: split.classNames.length, seed, optimizer: optName, momentum: optName === 'sgd' ? 0.9 : undefined, clipNorm: params.clipNorm ?? null, accumulate, labelSmoothing, pooling: params.pooling });
  try {
    if (split.skipped.length) warn({ type: 'health', severity: 'warning', code: 'skipped-files', message: `${split.skipped.length} file(s) skipped: ${split.skipped.slice(0, 10).map((s) => `${s.file} (${s.reason})`).join(', ')}${split.skipped.length > 10 ? ', …' : ''}` });
    if (split.imbalance > 3) warn({ type: 'health', severity: 'warning', code: 'imbalance', message: `Classes are imbalanced (largest/smallest = ${split.imbalance.toFixed(1)}): accuracy is misleading; weight the classes or resample.` });
    if (mode !== 'head' && optName !== 'sgd' && lr >= 5e-4) warn({ type: 'health', severity: 'warning', code: 'high-lr', message: `Learning rate ${lr} is high for fine-tuning pretrained blocks with ${optName}: use ≤ 1e-4.` });

    const C = split.classNames.length;
    const headParams = cfg.hiddenDim * C + C;
    const stepsPerEpoch = Math.ceil(split.train.length / batch);
    const first = firstTrainableBlock(mode, k, cfg.numLayers);
    const plan: PlanEvent = {
      type: 'plan', mode, trainableParams: trainer.trainableCount, frozenParams: trainer.parameterCount - (trainer.trainableCount - headParams),
      memoryEstimateMb: Math.round(memoryEstimateMb), memoryLimitMb: limit, lr, optimizer: optName, stepsPerEpoch,
      note: mode === 'head' ? 'backbone frozen: features computed once and cached' : mode === 'last-k' ? `blocks ${first + 1}–${cfg.numLayers} + final LayerNorm + head trained on cached tokens` : 'all parameters trained',
      backends: trainBackends(ctx, mode),
    };
    ctx.emit(plan);
    const mapping = params.preprocessing ?? 'preset';
    const trainImgs = split.train.map((x) => images.get(x.file)!);
    const valImgs = split.val.map((x) => images.get(x.file)!);
    const [xTrain, xVal] = await withForwardRunner(ctx, preset, mode, async (runner) => {
      const xt = await trainer.prefix(preprocessImages(preset, trainImgs, mapping), trainImgs.length, runner, yieldNow);
      const xv = valImgs.length ? await trainer.prefix(preprocessImages(preset, valImgs, mapping), valImgs.length, runner, yieldNow) : null;
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
    let accumCount = 0;
    const warned = new Set<string>();
    const evaluate = async (x: PrefixCache | null, y: number[]): Promise<{ loss: number; accuracy: number; logits: Float32Array | null }> => {
      if (!x) return { loss: NaN, accuracy: NaN, logits: null };
      const logits = await trainer.logits(x);
      return { ...meanCrossEntropy(logits, y, C, labelSmoothing), logits };
    };
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
        const { loss, predictions } = await trainer.accumulate(xTrain, idx, labels);
        const acc = predictions.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0) / labels.length;
        if (!Number.isFinite(loss)) {
          warn({ type: 'health', severity: 'error', code: 'nan-loss', message: `Loss became ${loss} at step ${optStep + 1}: training stopped. Check the input range and the learning rate.`, step: optStep + 1 });
          stopped = 'nan';
          break outer;
        }
        accumCount++;
        sumLoss += loss * labels.length;
        sumAcc += acc * labels.length;
        seen += labels.length;
        if (accumCount === accumulate || s === stepsPerEpoch - 1) {
          const rate = learningRateAt(optStep, totalSteps, lr, warmup);
          const { gradNorms, gradNorm } = await trainer.apply(rate);
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
          const ev: StepEvent = { type: 'step', step: optStep, epoch, loss, accuracy: acc, gradNorm, gradNorms, lr: rate, imagesPerSec: (labels.length * 1000) / (performance.now() - tStep) };
          steps.push(ev);
          ctx.emit(ev);
        }
      }
      const val = await evaluate(xVal, yVal);
      const ee: EpochEvent = { type: 'epoch', epoch, trainLoss: seen ? sumLoss / seen : NaN, trainAccuracy: seen ? sumAcc / seen : NaN, valLoss: val.loss, valAccuracy: val.accuracy };
      epochEvents.push(ee);
      ctx.emit(ee);
    }
    let valLogits: number[][] = [];
    if (xVal && stopped !== 'nan') {
      const l = await trainer.logits(xVal);
      valLogits = Array.from({ length: xVal.n }, (_, i) => Array.from(l.subarray(i * C, (i + 1) * C)));
    }
    let savedTo: string | null = null;
    if (params.out && stopped !== 'nan') {
      const arrays = await trainer.toArrays();
      savedTo = resolve(params.cwd ?? process.cwd(), params.out);
      await writeViTPreset(savedTo, {
        backbone: cfg,
        converter: preset.converter ?? { className: 'ViTImageConverter', imageSize: [cfg.imageShape[0], cfg.imageShape[1]], scale: null, offset: null, normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false },
        task: { className: 'ViTImageClassifier', numClasses: C, pooling: trainer.pooling, activation: null, dropout: 0, intermediateDim: null },
        backboneArrays: arrays.backbone,
        headArrays: arrays.head,
        note: `vit-doctor train (${mode}, ${epochs} epochs, classes: ${split.classNames.join(', ')})`,
      });
    }
    return { steps, epochs: epochEvents, health, data: dataEvent, plan, stopped, savedTo, seconds: (performance.now() - t0) / 1000, valFiles: split.val.map((v) => v.file), valLogits };
  } finally {
    await trainer.dispose();
  }
}
