import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { forkEngine } from '../core/engine/forkEngine';
import type { Logger } from '../core/logger';
import { UserError } from '../core/userError';
import { USER_PREPROCESSING, type BackendChoice, type SanityParams, type UserPooling, type UserPreprocessing } from '../protocol/engineProtocol';
import type { ParsedArgs } from './argv';
import { formatSanityReport } from './formatSanityReport';

export const SANITY_USAGE = `Usage: vit-doctor sanity --preset <dir|kaggle://…|name> --images <dir|file>... [options]

  --preset <p>            preset folder, kaggle://keras/vit/keras/<name>[/<version>], or a name in the kagglehub cache
  --images <p>...         image files and/or folders (folders: sorted file names, recursive)
  --labels <dir>          folder with one sub-folder per class: enables the loss-at-init check
  --batch <n>             images per batch (default 8)
  --preprocessing <m>     how YOUR code prepares pixels: ${USER_PREPROCESSING.join('|')} (default preset)
  --pooling <token|gap>   how your code pools tokens (token = features[:, 0, :])
  --from-logits <bool>    the from_logits of your loss
  --uint8-eager           reproduce the eager uint8 converter path (rounds after resize)
  --backend <b>           auto|tensorflow|wasm|cpu (default auto)
  --json                  print the report as JSON (schema in the README)
  --dump-tensors <file>   write every stage tensor as JSON ({"shape","data"}, fixture key names)
  --fail-on <level>       exit 1 when a finding of this severity or worse exists: warning|error|never (default never)`;

function one(args: ParsedArgs, name: string): string | undefined {
  const v = args.values.get(name);
  if (v && v.length > 1) throw new UserError('E_USAGE', `--${name} takes one value, got ${v.length}.`);
  if (v && v.length === 0) throw new UserError('E_USAGE', `--${name} needs a value.`);
  return v?.[0];
}

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[]): T | undefined {
  const v = one(args, name);
  if (v !== undefined && !allowed.includes(v as T)) throw new UserError('E_USAGE', `--${name} must be one of ${allowed.join(', ')}; got "${v}".`);
  return v as T | undefined;
}

export async function sanityCommand(args: ParsedArgs, logger: Logger, write: (s: string) => void, progress: (s: string) => void): Promise<number> {
  const known = ['preset', 'images', 'labels', 'batch', 'preprocessing', 'pooling', 'from-logits', 'backend', 'dump-tensors', 'fail-on'];
  for (const k of args.values.keys()) if (!known.includes(k)) throw new UserError('E_USAGE', `Unknown option --${k}.\n\n${SANITY_USAGE}`);
  const preset = one(args, 'preset');
  if (!preset) throw new UserError('E_USAGE', `--preset is required.\n\n${SANITY_USAGE}`);
  const batchText = one(args, 'batch');
  const batch = batchText === undefined ? 8 : Number(batchText);
  if (!Number.isInteger(batch) || batch < 1) throw new UserError('E_USAGE', `--batch must be a positive integer; got "${batchText}".`);
  const fromLogits = choice(args, 'from-logits', ['true', 'false'] as const);
  const params: SanityParams = {
    preset,
    images: args.values.get('images') ?? [],
    labels: one(args, 'labels'),
    batch,
    userPreprocessing: choice<UserPreprocessing>(args, 'preprocessing', USER_PREPROCESSING),
    userPooling: choice<UserPooling>(args, 'pooling', ['token', 'gap']),
    userFromLogits: fromLogits === undefined ? undefined : fromLogits === 'true',
    converterPath: args.flags.has('uint8-eager') ? 'uint8-eager' : 'float',
    dumpTensors: args.values.has('dump-tensors'),
    cwd: process.cwd(),
  };
  const dumpFile = one(args, 'dump-tensors');
  const failOn = choice(args, 'fail-on', ['warning', 'error', 'never'] as const) ?? 'never';
  const backend = choice<BackendChoice>(args, 'backend', ['auto', 'tensorflow', 'wasm', 'cpu']) ?? 'auto';

  const engine = await forkEngine({ enginePath: join(__dirname, 'engine.js'), backend, logger });
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    engine.endpoint.onNotification('engine/progress', (e) => progress(`[${String(Math.round(e.fraction * 100)).padStart(3)}%] ${e.message}`));
    const report = await engine.endpoint.request('engine/sanityPass', params, abort.signal);
    if (dumpFile) {
      const path = resolve(dumpFile);
      writeFileSync(path, JSON.stringify(report.tensors ?? {}));
      progress(`tensors written to ${path}`);
    }
    const { tensors: _omit, ...rest } = report;
    write(args.flags.has('json') ? JSON.stringify(rest, null, 2) : formatSanityReport(rest));
    const worst = report.findings.some((f) => f.severity === 'error') ? 'error' : report.findings.some((f) => f.severity === 'warning') ? 'warning' : 'none';
    return (failOn === 'warning' && worst !== 'none') || (failOn === 'error' && worst === 'error') ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    engine.endpoint.notify('engine/shutdown' as never, {} as never);
    engine.kill();
  }
}
