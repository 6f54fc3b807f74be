/** vit-doctor command line: the same engine and protocol as the VS Code extension. */
import { namedFsError } from '../core/fsErrors';
import type { Logger } from '../core/logger';
import { RemoteError } from '../protocol/endpoint';
import type { WireError } from '../protocol/envelope';
import { splitCommand } from './commandArgs';
import { LINT_OPTIONS, LINT_USAGE, lintCommand } from './lintCommand';
import { SANITY_OPTIONS, SANITY_USAGE, sanityCommand } from './sanityCommand';
import { CHECK_OPTIONS, checkCommand, TRAIN_OPTIONS, TRAIN_USAGE, trainCommand } from './trainCommands';

const USAGE = `vit-doctor — catches the silent failures of fine-tuning Keras Hub ViTs

Commands:
  sanity   run one batch through the preset's converter, backbone and head; report shapes, statistics, findings
  lint     check Python training code for Keras Hub pitfalls (VS Code diagnostics, in CI)
  train    short fine-tune on an image folder, with live progress (head / last-k / full)
  check    prove the pipeline can learn: init loss, overfit one batch, zero-input baseline, preprocessing A/B

${SANITY_USAGE}

${LINT_USAGE}

${TRAIN_USAGE}

Options go before or after paths, as --opt value or --opt=value; -- ends the options.
Exit codes: 0 ok · 1 a finding at or above --fail-on (sanity, check, train; default error: NaN/Inf weights or input,
a failed overfit or zero-input check, NaN loss), a warning or error (lint) · 2 usage error or bad input (named file
and problem) · 70 internal error · 130 cancelled (Ctrl-C).`;

const USAGES: Record<string, string> = { sanity: SANITY_USAGE, lint: LINT_USAGE, train: TRAIN_USAGE, check: TRAIN_USAGE };

function errorText(w: WireError): string {
  return `vit-doctor: error: ${w.message}${w.hint ? `\n  hint: ${w.hint}` : ''}\n`;
}

async function main(): Promise<number> {
  const { command, rest, seen } = splitCommand(process.argv.slice(2), { ...SANITY_OPTIONS, ...LINT_OPTIONS, ...TRAIN_OPTIONS, ...CHECK_OPTIONS });
  const verbose = seen.has('verbose');
  const logger: Logger = {
    info: (m) => verbose && console.error(m),
    debug: (m) => verbose && console.error(m),
    warn: (m) => verbose && console.error(m),
    error: (m) => console.error(m),
  };
  const isTty = process.stderr.isTTY === true && !seen.has('json');
  const progress = (s: string): void => {
    if (isTty) process.stderr.write(`\r\x1b[K${s}`);
  };
  const write = (s: string): void => {
    if (isTty) process.stderr.write('\r\x1b[K');
    process.stdout.write(`${s}\n`);
  };
  if (seen.has('help') || command === undefined) {
    process.stdout.write(`${(command && USAGES[command]) || USAGE}\n`);
    return command === undefined && !seen.has('help') ? 2 : 0;
  }
  switch (command) {
    case 'sanity':
      return sanityCommand(rest, logger, write, progress);
    case 'lint':
      return lintCommand(rest, write, (m) => process.stderr.write(`vit-doctor: warning: ${m}\n`));
    case 'train':
      return trainCommand(rest, logger, write, __dirname);
    case 'check':
      return checkCommand(rest, logger, write, __dirname);
    default:
      process.stderr.write(`vit-doctor: error: unknown command "${command}".\n\n${USAGE}\n`);
      return 2;
  }
}

// The engine runs in this process (src/cli/cliEngine.ts): an exception that escapes a request (a stray callback) is a
// bug, exit 70, never Node's default 1 (which means "findings" here).
process.on('uncaughtException', (e) => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stderr.write(`vit-doctor: internal error: ${e.stack ?? e.message}\n  please report it with the command line and --verbose output\n`);
  process.exit(70);
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (thrown: unknown) => {
    // a file-system error in the CLI itself (--dump-tensors, lint paths) is bad input naming the path, not a bug
    const e = namedFsError(thrown);
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (e instanceof RemoteError || (typeof e === 'object' && e !== null && 'wire' in e)) {
      const w = (e as { wire: WireError }).wire;
      if (w.code === 'E_INTERNAL' || w.code === 'E_ENGINE_DIED') {
        // a bug in the engine, not bad input: exit 70 so that CI does not blame the user's files
        process.stderr.write(`vit-doctor: internal error: ${w.message}\n  please report it with the command line and --verbose output\n`);
        process.exitCode = 70;
        return;
      }
      process.stderr.write(errorText(w));
      process.exitCode = w.code === 'E_CANCELLED' ? 130 : 2;
    } else {
      process.stderr.write(`vit-doctor: internal error: ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = 70;
    }
  },
);
