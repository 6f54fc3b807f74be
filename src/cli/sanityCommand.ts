import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../core/logger';
import { withFsErrors } from '../core/fsErrors';
import { UserError } from '../core/userError';
import { BACKEND_CHOICES, USER_PREPROCESSING, type BackendChoice, type SanityParams, USER_POOLINGS, type UserPooling, type UserPreprocessing } from '../protocol/engineProtocol';
import { openCliEngine } from './cliEngine';
import { choiceOpt, flagOpt, listOpt, numberOpt, parseCommandArgs, stringOpt, type OptionTable } from './commandArgs';
import { exitCodeFor, FAIL_ON_HELP, failOnOpt } from './failOn';
import { formatSanityReport } from './formatSanityReport';

export const SANITY_USAGE = `Usage: vit-doctor sanity --preset <dir|kaggle://…|name> [--images] <dir|file>... [options]

  --preset <p>            preset folder, kaggle://keras/vit/keras/<name>[/<version>], or a name in the kagglehub cache
  --images <p>            image file or folder (repeatable; folders: sorted file names, recursive);
                          paths after the options are images too: vit-doctor sanity --preset p img/ a.png
  --labels <dir>          folder with one sub-folder per class: enables the loss-at-init check
  --batch <n>             images per batch (default 8)
  --preprocessing <m>     how YOUR code prepares pixels: ${USER_PREPROCESSING.join('|')} (default preset)
  --pooling <p>           how your code pools tokens: token = features[:, 0, :], gap = mean of all tokens,
                          patch_mean = patch tokens only, after_cls_mean = features[:, 1:, :] (DINOv2: registers too)
  --from-logits <bool>    the from_logits of your loss
  --uint8-eager           reproduce the eager uint8 converter path (rounds after resize)
  --backend <b>           auto|onnx|tensorflow|wasm|cpu (default auto = ONNX Runtime, else TF.js)
  --threads <n>           ONNX Runtime threads (default 0 = physical cores)
  --json                  print the report as JSON (schema in the README)
  --dump-tensors <file>   write every stage tensor as JSON ({"shape","data"}, fixture key names)
  --fail-on <level>       ${FAIL_ON_HELP}`;

export const SANITY_OPTIONS: OptionTable = {
  preset: { type: 'string' }, images: { type: 'string', multiple: true }, labels: { type: 'string' }, batch: { type: 'string' },
  preprocessing: { type: 'string' }, pooling: { type: 'string' }, 'from-logits': { type: 'string' }, 'uint8-eager': { type: 'boolean' },
  backend: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' }, 'dump-tensors': { type: 'string' }, 'fail-on': { type: 'string' },
};

export async function sanityCommand(argv: string[], logger: Logger, write: (s: string) => void, progress: (s: string) => void): Promise<number> {
  const args = parseCommandArgs(argv, SANITY_OPTIONS, SANITY_USAGE);
  const preset = stringOpt(args, 'preset');
  if (!preset) throw new UserError('E_USAGE', `--preset is required.\n\n${SANITY_USAGE}`);
  const images = [...listOpt(args, 'images'), ...args.positionals];
  const batch = numberOpt(args, 'batch', { integer: true, min: 1 }) ?? 8;
  const fromLogits = choiceOpt(args, 'from-logits', ['true', 'false'] as const);
  const params: SanityParams = {
    preset,
    images,
    labels: stringOpt(args, 'labels'),
    batch,
    userPreprocessing: choiceOpt<UserPreprocessing>(args, 'preprocessing', USER_PREPROCESSING),
    userPooling: choiceOpt<UserPooling>(args, 'pooling', USER_POOLINGS),
    userFromLogits: fromLogits === undefined ? undefined : fromLogits === 'true',
    converterPath: flagOpt(args, 'uint8-eager') ? 'uint8-eager' : 'float',
    dumpTensors: stringOpt(args, 'dump-tensors') !== undefined,
    cwd: process.cwd(),
  };
  const dumpFile = stringOpt(args, 'dump-tensors');
  const failOn = failOnOpt(args);
  const backend = choiceOpt<BackendChoice>(args, 'backend', BACKEND_CHOICES) ?? 'auto';
  const threads = numberOpt(args, 'threads', { integer: true, min: 0 }) ?? 0;

  // Ctrl-C from here on cancels: while the engine starts, the request is refused as cancelled (exit 130)
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  const engine = await openCliEngine({ backend, threads, logger, cliDir: __dirname }).catch((e: unknown) => {
    process.off('SIGINT', onSigint);
    throw e;
  });
  try {
    engine.endpoint.onNotification('engine/progress', (e) => progress(`[${String(Math.round(e.fraction * 100)).padStart(3)}%] ${e.message}`));
    const report = await engine.endpoint.request('engine/sanityPass', params, abort.signal);
    if (dumpFile) {
      const path = resolve(dumpFile);
      withFsErrors(path, 'the tensor dump (--dump-tensors)', () => writeFileSync(path, JSON.stringify(report.tensors ?? {})), 'write');
      progress(`tensors written to ${path}`);
    }
    const { tensors: _omit, ...rest } = report;
    write(flagOpt(args, 'json') ? JSON.stringify(rest, null, 2) : formatSanityReport(rest));
    return exitCodeFor(report.findings.map((f) => f.severity), failOn);
  } finally {
    process.off('SIGINT', onSigint);
    engine.close();
  }
}
