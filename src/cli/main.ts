/** vit-doctor command line: the same engine and protocol as the VS Code extension. */
import type { Logger } from '../core/logger';
import { RemoteError } from '../protocol/endpoint';
import type { WireError } from '../protocol/envelope';
import { parseArgv } from './argv';
import { LINT_USAGE, lintCommand } from './lintCommand';
import { SANITY_USAGE, sanityCommand } from './sanityCommand';
import { checkCommand, TRAIN_USAGE, trainCommand } from './trainCommands';

const USAGE = `vit-doctor — catches the silent failures of fine-tuning Keras Hub ViTs

Commands:
  sanity   run one batch through the preset's converter, backbone and head; report shapes, statistics, findings
  lint     check Python training code for Keras Hub pitfalls (VS Code diagnostics, in CI)
  train    short fine-tune on an image folder, with live progress (head / last-k / full)
  check    prove the pipeline can learn: init loss, overfit one batch, zero-input baseline, preprocessing A/B

${SANITY_USAGE}

${LINT_USAGE}

${TRAIN_USAGE}`;

function errorText(w: WireError): string {
  return `vit-doctor: error: ${w.message}${w.hint ? `\n  hint: ${w.hint}` : ''}\n`;
}

async function main(): Promise<number> {
  const args = parseArgv(process.argv.slice(2), ['json', 'uint8-eager', 'help', 'verbose']);
  const verbose = args.flags.has('verbose');
  const logger: Logger = {
    info: (m) => verbose && console.error(m),
    debug: (m) => verbose && console.error(m),
    warn: (m) => verbose && console.error(m),
    error: (m) => console.error(m),
  };
  const isTty = process.stderr.isTTY === true && !args.flags.has('json');
  const progress = (s: string): void => {
    if (isTty) process.stderr.write(`\r\x1b[K${s}`);
  };
  const write = (s: string): void => {
    if (isTty) process.stderr.write('\r\x1b[K');
    process.stdout.write(`${s}\n`);
  };
  if (args.flags.has('help') || args.command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return args.command === undefined && !args.flags.has('help') ? 2 : 0;
  }
  switch (args.command) {
    case 'sanity':
      return sanityCommand(args, logger, write, progress);
    case 'lint':
      return lintCommand(args, write);
    case 'train':
      return trainCommand(args, logger, write, __dirname);
    case 'check':
      return checkCommand(args, logger, write, __dirname);
    default:
      process.stderr.write(`vit-doctor: error: unknown command "${args.command}".\n\n${USAGE}\n`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (e instanceof RemoteError || (typeof e === 'object' && e !== null && 'wire' in e)) {
      const w = (e as { wire: WireError }).wire;
      process.stderr.write(errorText(w));
      process.exitCode = w.code === 'E_CANCELLED' ? 130 : 2;
    } else {
      process.stderr.write(`vit-doctor: internal error: ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = 70;
    }
  },
);
