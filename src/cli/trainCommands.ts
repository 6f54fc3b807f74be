import { join } from 'node:path';
import { forkEngine } from '../core/engine/forkEngine';
import type { Logger } from '../core/logger';
import { UserError } from '../core/userError';
import { USER_PREPROCESSING, type BackendChoice, type UserPreprocessing } from '../protocol/engineProtocol';
import type { CheckResult, TrainEvent, TrainMode, TrainParams } from '../protocol/trainProtocol';
import type { ParsedArgs } from './argv';

export const TRAIN_USAGE = `Usage: vit-doctor train --preset <p> --data <folder> [options]

  --data <folder>        one sub-folder per class (as keras.utils.image_dataset_from_directory)
  --mode <m>             head (frozen backbone, cached features) | last-k | full   (default head)
  --k <n>                blocks unfrozen in last-k mode (default 2)
  --epochs <n> --lr <x> --batch <n> --accumulate <n> --optimizer adam|adamw|sgd --warmup <steps> --seed <n>
  --preprocessing <m>    ${USER_PREPROCESSING.join('|')} (default preset)
  --out <folder>         save the trained model as a Keras Hub preset folder
  --backend <b>          auto|tensorflow|wasm|cpu
  --json                 one JSON line per event, then the result

Usage: vit-doctor check --preset <p> --data <folder> [--compare none,rescale,imagenet] [--epochs n] [--json]

  Proves the pipeline can learn: loss at init vs ln(C), overfit one batch, zero-input baseline, preprocessing A/B.`;

function num(args: ParsedArgs, name: string): number | undefined {
  const v = args.values.get(name)?.[0];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError('E_USAGE', `--${name} must be a number; got "${v}".`);
  return n;
}

function one(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}

function common(args: ParsedArgs, allowed: string[]): { preset: string; data: string; backend: BackendChoice } {
  for (const k of args.values.keys()) if (!allowed.includes(k)) throw new UserError('E_USAGE', `Unknown option --${k}.\n\n${TRAIN_USAGE}`);
  const preset = one(args, 'preset');
  const data = one(args, 'data');
  if (!preset || !data) throw new UserError('E_USAGE', `--preset and --data are required.\n\n${TRAIN_USAGE}`);
  const backend = (one(args, 'backend') ?? 'auto') as BackendChoice;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new UserError('E_USAGE', `--backend must be auto, tensorflow, wasm or cpu.`);
  return { preset, data, backend };
}

function describe(e: TrainEvent | { type: 'check'; stage: string; message: string }): string | null {
  switch (e.type) {
    case 'data':
      return `data: ${e.classNames.length} classes (${e.classNames.map((c, i) => `${c} ${e.counts[i]}`).join(', ')}), train ${e.train}, val ${e.val}${e.skipped.length ? `, ${e.skipped.length} unreadable skipped` : ''}`;
    case 'plan':
      return `plan: ${e.mode}, ${e.trainableParams.toLocaleString('en-US')} trainable params, ${e.optimizer} lr ${e.lr}, ${e.stepsPerEpoch} steps/epoch, ~${e.memoryEstimateMb} MB of ${e.memoryLimitMb} MB (${e.note})`;
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

export async function trainCommand(args: ParsedArgs, logger: Logger, write: (s: string) => void, cliDir: string): Promise<number> {
  const { preset, data, backend } = common(args, ['preset', 'data', 'mode', 'k', 'epochs', 'lr', 'batch', 'accumulate', 'optimizer', 'warmup', 'seed', 'preprocessing', 'out', 'backend', 'max-per-class']);
  const mode = (one(args, 'mode') ?? 'head') as TrainMode;
  if (!['head', 'last-k', 'full'].includes(mode)) throw new UserError('E_USAGE', `--mode must be head, last-k or full; got "${mode}".`);
  const optimizer = one(args, 'optimizer') as TrainParams['optimizer'];
  if (optimizer && !['adam', 'adamw', 'sgd'].includes(optimizer)) throw new UserError('E_USAGE', '--optimizer must be adam, adamw or sgd.');
  const preprocessing = one(args, 'preprocessing') as UserPreprocessing | undefined;
  if (preprocessing && !USER_PREPROCESSING.includes(preprocessing)) throw new UserError('E_USAGE', `--preprocessing must be one of ${USER_PREPROCESSING.join(', ')}.`);
  const params: TrainParams = {
    preset, data, mode, k: num(args, 'k'), epochs: num(args, 'epochs'), lr: num(args, 'lr'), batch: num(args, 'batch'), accumulate: num(args, 'accumulate'),
    optimizer, warmupSteps: num(args, 'warmup'), seed: num(args, 'seed'), preprocessing, out: one(args, 'out'), maxPerClass: num(args, 'max-per-class'), cwd: process.cwd(),
  };
  const json = args.flags.has('json');
  const engine = await forkEngine({ enginePath: join(cliDir, 'engine.js'), backend, logger });
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
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
    return result.stopped === 'nan' ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    engine.kill();
  }
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

export async function checkCommand(args: ParsedArgs, logger: Logger, write: (s: string) => void, cliDir: string): Promise<number> {
  const { preset, data, backend } = common(args, ['preset', 'data', 'compare', 'epochs', 'seed', 'backend', 'max-per-class']);
  const compare = one(args, 'compare')?.split(',').map((s) => s.trim()) as UserPreprocessing[] | undefined;
  if (compare?.some((c) => !USER_PREPROCESSING.includes(c))) throw new UserError('E_USAGE', `--compare takes a comma list of ${USER_PREPROCESSING.join(', ')}.`);
  const engine = await forkEngine({ enginePath: join(cliDir, 'engine.js'), backend, logger });
  try {
    const json = args.flags.has('json');
    engine.endpoint.onNotification('engine/trainProgress', (p) => {
      if (!json && p.event.type === 'data') write(describe(p.event) ?? '');
    });
    const r = await engine.endpoint.request('engine/checkPipeline', { preset, data, compare, epochs: num(args, 'epochs'), seed: num(args, 'seed'), maxPerClass: num(args, 'max-per-class'), cwd: process.cwd() });
    write(json ? JSON.stringify(r, null, 2) : formatCheck(r));
    return r.overfit.passed && !r.baseline.ignoresInput ? 0 : 1;
  } finally {
    engine.kill();
  }
}
