import { USER_PREPROCESSING_TEXT } from '../sanity/userPreprocessing';
import type { UserPreprocessing } from '../../protocol/engineProtocol';
import type { CheckParams, CheckResult, OverfitCurve } from '../../protocol/trainProtocol';
import type { ModelRunner } from '../runners/modelRunner';
import { createTrainer } from './createTrainer';
import { assertFamilyTrainable } from './featureHeadTrainer';
import { preprocessImages } from './preparedData';
import type { PrefixCache, Trainer } from './trainer';
import { labelSmoothingOf, loadTrainingData, type TrainContext } from './trainRun';
import { logitVariance, meanCrossEntropy, smoothedTargetEntropy } from './trainMetrics';

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/** N Adam steps of the head on fixed feature rows `idx` (full batch); returns the loss curve. */
async function fitHead(trainer: Trainer, x: PrefixCache, idx: number[], y: number[], steps: number, lr: number, signal: AbortSignal): Promise<number[]> {
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    if (s % 10 === 0) {
      await yieldNow();
      if (signal.aborted) break;
    }
    losses.push((await trainer.accumulate(x, idx, y)).loss);
    await trainer.apply(lr);
  }
  return losses;
}

const rows = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The proof that a pipeline can learn: loss at initialisation vs ln(C), overfitting one batch, the same with zeroed
 * inputs (an input-independent baseline), and a preprocessing A/B of short head-only runs.
 */
export async function runPipelineChecks(params: CheckParams, ctx: TrainContext): Promise<CheckResult> {
  const t0 = performance.now();
  const seed = params.seed ?? 1337;
  const smoothing = labelSmoothingOf(params);
  const note = (stage: string, message: string): void => ctx.emit({ type: 'check', stage, message } as never);
  const { preset, split, images } = await loadTrainingData({ ...params, validationSplit: 0.3 }, ctx);
  const C = split.classNames.length;
  assertFamilyTrainable(preset, { mode: 'head', pooling: params.pooling });
  const trainer = await createTrainer(ctx, preset, { mode: 'head', k: 0, numClasses: C, seed, optimizer: 'adam', accumulate: 1, labelSmoothing: smoothing, pooling: params.pooling });
  let runner: ModelRunner | null = null;
  try {
    const trainImgs = split.train.map((x) => images.get(x.file)!);
    const valImgs = split.val.map((x) => images.get(x.file)!);
    const yTrain = split.train.map((x) => x.label);
    const yVal = split.val.map((x) => x.label);
    runner = ctx.forwardRunner ? await ctx.forwardRunner(preset) : null;
    const features = (mode: UserPreprocessing, imgs: typeof trainImgs): Promise<PrefixCache> => trainer.prefix(preprocessImages(preset, imgs, mode), imgs.length, runner, yieldNow);

    note('init', 'loss at initialisation');
    const xTrain = await features('preset', trainImgs);
    const lnC = Math.log(C);
    const initLogits = await trainer.logits(xTrain);
    const initLoss = meanCrossEntropy(initLogits, yTrain, C, smoothing).loss;
    const expected = lnC + logitVariance(initLogits) / 2;
    const tol = Math.max(0.5, 0.3 * lnC);

    // one batch: up to 2 images per class
    note('overfit', 'overfitting one batch');
    const perClass = new Map<number, number[]>();
    yTrain.forEach((l, i) => perClass.set(l, [...(perClass.get(l) ?? []), i]));
    const batchIdx = [...perClass.values()].flatMap((ix) => ix.slice(0, 2)).slice(0, 16);
    const yb = batchIdx.map((i) => yTrain[i] as number);
    const steps = 150;
    const losses = await fitHead(trainer, xTrain, batchIdx, yb, steps, 1e-2, ctx.signal);
    const finalLoss = losses[losses.length - 1] ?? NaN;
    // smoothed targets cannot be fit below their own entropy: the bar is 0.05 above it (0.05 without smoothing)
    const floor = smoothedTargetEntropy(C, smoothing);
    const overfit: OverfitCurve = { losses, finalLoss, passed: finalLoss < floor + 0.05 };
    const likelyCauses = overfit.passed ? [] : [
      'the inputs of different classes look alike to the frozen backbone (wrong preprocessing squashes them)',
      'labels do not match the images (duplicate images with different labels)',
      'the learning rate is too low, or the head is frozen',
    ];

    note('baseline', 'input-independent baseline');
    await trainer.resetHead(seed);
    const [H, W, Cc] = preset.backbone.imageShape;
    const zf = await trainer.prefix(new Float32Array(batchIdx.length * H * W * Cc), batchIdx.length, runner, yieldNow);
    const bLosses = await fitHead(trainer, zf, rows(batchIdx.length), yb, steps, 1e-2, ctx.signal);
    const bFinal = bLosses[bLosses.length - 1] ?? NaN;
    const ignoresInput = Math.abs(bFinal - finalLoss) < 0.1 * Math.max(bFinal - floor, 1e-3);
    const baseline = {
      losses: bLosses, finalLoss: bFinal, passed: !ignoresInput, ignoresInput,
      verdict: ignoresInput
        ? `With zeroed inputs the loss reaches ${bFinal.toFixed(3)}, the same as with real images (${finalLoss.toFixed(3)}): the model ignores its input.`
        : `Zeroed inputs plateau at ${bFinal.toFixed(3)} (the label entropy); real images reach ${finalLoss.toFixed(3)}: the model uses its input.`,
    };

    note('ab', 'preprocessing A/B');
    const variants: UserPreprocessing[] = ['preset', ...(params.compare ?? ['none', 'rescale', 'imagenet']).filter((v) => v !== 'preset')];
    const epochs = params.epochs ?? 100;
    const ab: CheckResult['ab'] = [];
    for (const v of variants) {
      if (ctx.signal.aborted) break;
      await trainer.resetHead(seed);
      const xt = v === 'preset' ? xTrain : await features(v, trainImgs);
      const xv = await features(v, valImgs);
      const curve = await fitHead(trainer, xt, rows(xt.n), yTrain, epochs, 5e-3, ctx.signal);
      const val = meanCrossEntropy(await trainer.logits(xv), yVal, C, smoothing);
      ab.push({ preprocessing: v, valAccuracy: val.accuracy, valLoss: val.loss, curve });
      note('ab', `${v}: val accuracy ${(ab[ab.length - 1]!.valAccuracy * 100).toFixed(1)}%`);
    }
    const best = ab[0];
    const worst = ab.slice(1).sort((a, b) => a.valAccuracy - b.valAccuracy)[0];
    const abVerdict = best && worst
      ? `${USER_PREPROCESSING_TEXT[worst.preprocessing]} reaches ${(worst.valAccuracy * 100).toFixed(1)}% validation accuracy vs ${(best.valAccuracy * 100).toFixed(1)}% with the preset converter (same head, same ${epochs} steps): ${best.valAccuracy - worst.valAccuracy > 0.05 ? 'the silent failure costs' : 'a gap of'} ${((best.valAccuracy - worst.valAccuracy) * 100).toFixed(1)} points.`
      : 'Not enough variants to compare.';
    return {
      classNames: split.classNames,
      initLoss: { loss: initLoss, lnC, expected, verdict: !Number.isFinite(initLoss) || initLoss > expected + tol ? 'high' : initLoss < lnC - tol ? 'low' : 'ok' },
      overfit: { ...overfit, verdict: overfit.passed ? `One batch of ${batchIdx.length} images is learnt: loss ${losses[0]?.toFixed(3)} → ${finalLoss.toFixed(4)} in ${losses.length} steps${floor > 0 ? ` (label smoothing ${smoothing}: the lowest reachable loss is ${floor.toFixed(4)})` : ''}.` : `Loss only reached ${finalLoss.toFixed(3)} after ${losses.length} steps on one batch${floor > 0 ? ` (needs < ${(floor + 0.05).toFixed(3)}: label smoothing ${smoothing} puts the floor at ${floor.toFixed(3)})` : ''}: the pipeline cannot fit even one batch.`, likelyCauses },
      baseline,
      ab,
      abVerdict,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await runner?.dispose();
    await trainer.dispose();
  }
}
