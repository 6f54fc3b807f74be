import type { Logger } from '../core/logger';
import { UserError } from '../core/userError';
import { BACKEND_CHOICES, USER_PREPROCESSING, type BackendChoice, type UserPreprocessing } from '../protocol/engineProtocol';
import { TRAIN_POOLINGS, type CheckResult, type TrainEvent, type TrainMode, type TrainParams, type TrainPooling, type TrainResult } from '../protocol/trainProtocol';
import { openCliEngine } from './cliEngine';
import { exitCodeFor, FAIL_ON_HELP, failOnOpt, type Severity } from './failOn';
import { choiceOpt, flagOpt, noPositionals, numberOpt, parseCommandArgs, stringOpt, type CommandArgs, type OptionTable } from './commandArgs';

export const TRAIN_USAGE = `Usage: vit-doctor train --preset <p> --data <folder> [options]

  --data <folder>        one sub-folder per class (as keras.utils.image_dataset_from_directory)
  --mode <m>             head (frozen backbone, cached features) | last-k | full   (default head)
  --k <n>                blocks unfrozen in last-k mode (default 2)
  --epochs <n> --lr <x> --batch <n> --accumulate <n> --optimizer adam|adamw|sgd --warmup <steps> --seed <n>
  --clip-norm <x>        clip the gradient to this global L2 norm before each optimizer step (default: none)
  --label-smoothing <ε>  cross-entropy against (1 − ε)·onehot + ε/C, ε in [0, 1] (keras CategoricalCrossentropy's
                         label_smoothing; default 0)
  --preprocessing <m>    ${USER_PREPROCESSING.join('|')} (default preset)
  --pooling <p>          DINOv2 presets: the feature the head trains on, token (CLS, default) | patch_mean (mean of
                         the patch tokens, registers excluded); DINOv2 trains in head mode only, without --out
  --out <folder>         save the trained model as a Keras Hub preset folder (ViT presets)
  --backend <b>          auto|onnx|tensorflow|wasm|cpu (auto: ONNX Runtime for the frozen part, the gradients
                         and the optimizer; tensorflow|wasm|cpu: everything on that TF.js backend)
  --threads <n>          ONNX Runtime threads (default 0 = physical cores)
  --json                 one JSON line per event, then the result
  --fail-on <level>      ${FAIL_ON_HELP}
                         errors: NaN loss; warnings: exploding or vanishing gradients, a high learning rate,
                         class imbalance, skipped files

Usage: vit-doctor check --preset <p> --data <folder> [--compare none,rescale,imagenet] [--epochs n] [--pooling token|patch_mean]
                        [--label-smoothing ε] [--json] [--fail-on <level>]

  Proves the pipeline can learn: loss at init vs ln(C), overfit one batch, zero-input baseline, preprocessing A/B.
  --label-smoothing <ε>  as for train; overfitting one batch must then reach the smoothed targets' entropy + 0.05
  --fail-on <level>      ${FAIL_ON_HELP}
                         errors: overfit one batch fails, the model ignores its input;
                         warnings: the loss at initialisation is far from ln(C)`;

export const TRAIN_OPTIONS: OptionTable = {
  preset: { type: 'string' }, data: { type: 'string' }, mode: { type: 'string' }, k: { type: 'string' }, epochs: { type: 'string' }, lr: { type: 'string' },
  batch: { type: 'string' }, accumulate: { type: 'string' }, optimizer: { type: 'string' }, warmup: { type: 'string' }, seed: { type: 'string' },
  preprocessing: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, 'max-per-class': { type: 'string' }, json: { type: 'boolean' },
  'fail-on': { type: 'string' }, 'clip-norm': { type: 'string' }, pooling: { type: 'string' }, 'label-smoothing': { type: 'string' },
};
export const CHECK_OPTIONS: OptionTable = {
  preset: { type: 'string' }, data: { type: 'string' }, compare: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' },
  backend: { type: 'string' }, threads: { type: 'string' }, 'max-per-class': { type: 'string' }, json: { type: 'boolean' }, 'fail-on': { type: 'string' },
  pooling: { type: 'string' }, 'label-smoothing': { type: 'string' },
};

interface Common {
  args: CommandArgs;
  preset: string;
  data: string;
  backend: BackendChoice;
  threads: number;
}

function common(argv: string[], options: OptionTable): Common {
  const args = parseCommandArgs(argv, options, TRAIN_USAGE);
  noPositionals(args, TRAIN_USAGE);
  const preset = stringOpt(args, 'preset');
  const data = stringOpt(args, 'data');
  if (!preset || !data) throw new UserError('E_USAGE', `--preset and --data are required.\n\n${TRAIN_USAGE}`);
  const backend = choiceOpt<BackendChoice>(args, 'backend', BACKEND_CHOICES) ?? 'auto';
  return { args, preset, data, backend, threads: numberOpt(args, 'threads', { integer: true, min: 0 }) ?? 0 };
}

function describe(e: TrainEvent | { type: 'check'; stage: string; message: string }): string | null {
  switch (e.type) {
    case 'data':
      return `data: ${e.classNames.length} classes (${e.classNames.map((c, i) => `${c} ${e.counts[i]}`).join(', ')}), train ${e.train}, val ${e.val}${e.skipped.length ? `, ${e.skipped.length} unreadable skipped` : ''}`;
    case 'plan':
      return `plan: ${e.mode}, ${e.trainableParams.toLocaleString('en-US')} trainable params, ${e.optimizer} lr ${e.lr}, ${e.stepsPerEpoch} steps/epoch, ~${e.memoryEstimateMb} MB of ${e.memoryLimitMb} MB (${e.note}); features on ${e.backends.features}, gradients on ${e.backends.gradients}`;
    case 'step':
      return `step ${String(e.step).padStart(4)}  epoch ${e.epoch}  loss ${e.loss.toFixed(4)}  acc ${(e.accuracy * 100).toFixed(1)}%  |g| ${e.gradNorm.toExponential(2)}  lr ${e.lr.toExponential(2)}  ${e.imagesPerSec.toFixed(0)} img/s`;
    case 'epoch':
      return `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)} acc ${(e.trainAccuracy * 100).toFixed(1)}%  val loss ${e.valLoss.toFixed(4)} acc ${(e.valAccuracy * 100).toFixed(1)}%`;
    case 'health':
      return `${e.severity.toUpperCase()} ${e.code}: ${e.message}`;
    case 'check':
      return `check: ${e.message}`;
  }
}

export async function trainCommand(argv: string[], logger: Logger, write: (s: string) => void, cliDir: string): Promise<number> {
  const { args, preset, data, backend, threads } = common(argv, TRAIN_OPTIONS);
  const mode = choiceOpt<TrainMode>(args, 'mode', ['head', 'last-k', 'full']) ?? 'head';
  const optimizer = choiceOpt<NonNullable<TrainParams['optimizer']>>(args, 'optimizer', ['adam', 'adamw', 'sgd']);
  const preprocessing = choiceOpt<UserPreprocessing>(args, 'preprocessing', USER_PREPROCESSING);
  const int = (n: string, min: number): number | undefined => numberOpt(args, n, { integer: true, min });
  const params: TrainParams = {
    preset, data, mode, k: int('k', 1), epochs: int('epochs', 1), lr: numberOpt(args, 'lr', { min: 0 }), batch: int('batch', 1), accumulate: int('accumulate', 1),
    optimizer, warmupSteps: int('warmup', 0), seed: int('seed', 0), clipNorm: numberOpt(args, 'clip-norm', { min: 0 }), labelSmoothing: numberOpt(args, 'label-smoothing', { min: 0, max: 1 }), preprocessing, pooling: choiceOpt<TrainPooling>(args, 'pooling', TRAIN_POOLINGS), out: stringOpt(args, 'out'), maxPerClass: int('max-per-class', 1), cwd: process.cwd(),
  };
  const json = flagOpt(args, 'json');
  const failOn = failOnOpt(args);
  // Ctrl-C from here on stops the run: while the engine starts, the request is refused as cancelled (exit 130)
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  const engine = await openCliEngine({ backend, threads, logger, cliDir }).catch((e: unknown) => {
    process.off('SIGINT', onSigint);
    throw e;
  });
  try {
    engine.endpoint.onNotification('engine/trainProgress', (p) => {
      if (json) write(JSON.stringify(p.event));
      else {
        const line = describe(p.event);
        if (line) write(line);
      }
    });
    const result = await engine.endpoint.request('engine/train', params, abort.signal);
    if (json) write(JSON.stringify({ type: 'result', ...result, steps: undefined, epochs: result.epochs }));
    else write(`${result.stopped === 'completed' ? 'done' : `stopped (${result.stopped})`} in ${result.seconds.toFixed(1)} s${result.savedTo ? `; saved to ${result.savedTo}` : ''}`);
    return exitCodeFor(trainSeverities(result), failOn);
  } finally {
    process.off('SIGINT', onSigint);
    engine.close();
  }
}

/** The findings of a training run: its health events, and a NaN stop (an error even if no event said so). */
export function trainSeverities(r: Pick<TrainResult, 'health' | 'stopped'>): Severity[] {
  return [...r.health.map((h) => h.severity), ...(r.stopped === 'nan' ? (['error'] as const) : [])];
}

/** The findings of a pipeline check: a failed overfit or a model that ignores its input are errors, an odd initial loss a warning. */
export function checkSeverities(r: Pick<CheckResult, 'overfit' | 'baseline' | 'initLoss'>): Severity[] {
  const out: Severity[] = [];
  if (!r.overfit.passed) out.push('error');
  if (r.baseline.ignoresInput) out.push('error');
  if (r.initLoss.verdict !== 'ok') out.push('warning');
  return out;
}

export function formatCheck(r: CheckResult): string {
  const out: string[] = [];
  out.push(`Loss at initialisation: ${r.initLoss.loss.toFixed(4)} vs ln(${r.classNames.length}) = ${r.initLoss.lnC.toFixed(4)} (≈ ${r.initLoss.expected.toFixed(4)} for this head's logit scale) → ${r.initLoss.verdict}`);
  out.push(`Overfit one batch: ${r.overfit.passed ? 'PASS' : 'FAIL'} — ${r.overfit.verdict}`);
  for (const c of r.overfit.likelyCauses) out.push(`  likely cause: ${c}`);
  out.push(`Zero-input baseline: ${r.baseline.ignoresInput ? 'FAIL' : 'PASS'} — ${r.baseline.verdict}`);
  out.push('Preprocessing A/B (same frozen backbone, same head training):');
  const best = r.ab[0]?.valAccuracy ?? 0;
  for (const a of r.ab) out.push(`  ${a.preprocessing.padEnd(9)} val acc ${(a.valAccuracy * 100).toFixed(1).padStart(5)}%  val loss ${a.valLoss.toFixed(3)}${a.preprocessing === 'preset' ? '  (preset converter)' : `  gap ${((best - a.valAccuracy) * 100).toFixed(1)} points`}`);
  out.push(r.abVerdict);
  out.push(`(${r.seconds.toFixed(1)} s)`);
  return out.join('\n');
}

export async function checkCommand(argv: string[], logger: Logger, write: (s: string) => void, cliDir: string): Promise<number> {
  const { args, preset, data, backend, threads } = common(argv, CHECK_OPTIONS);
  const compare = stringOpt(args, 'compare')?.split(',').map((s) => s.trim()) as UserPreprocessing[] | undefined;
  if (compare?.some((c) => !USER_PREPROCESSING.includes(c))) throw new UserError('E_USAGE', `--compare takes a comma list of ${USER_PREPROCESSING.join(', ')}.`);
  const failOn = failOnOpt(args);
  const labelSmoothing = numberOpt(args, 'label-smoothing', { min: 0, max: 1 });
  const engine = await openCliEngine({ backend, threads, logger, cliDir });
  try {
    const json = flagOpt(args, 'json');
    engine.endpoint.onNotification('engine/trainProgress', (p) => {
      if (!json && p.event.type === 'data') write(describe(p.event) ?? '');
    });
    const r = await engine.endpoint.request('engine/checkPipeline', { preset, data, compare, epochs: numberOpt(args, 'epochs', { integer: true, min: 1 }), pooling: choiceOpt<TrainPooling>(args, 'pooling', TRAIN_POOLINGS), labelSmoothing, seed: numberOpt(args, 'seed', { integer: true, min: 0 }), maxPerClass: numberOpt(args, 'max-per-class', { integer: true, min: 1 }), cwd: process.cwd() });
    write(json ? JSON.stringify(r, null, 2) : formatCheck(r));
    return exitCodeFor(checkSeverities(r), failOn);
  } finally {
    engine.close();
  }
}
