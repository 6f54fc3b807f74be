import { choiceOpt, type CommandArgs } from './commandArgs';

/** The `--fail-on` levels every command that reports findings takes (sanity, check, train). */
export const FAIL_ON_LEVELS = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

/** The severities a finding can have; `info` never fails a run. */
export type Severity = 'info' | 'warning' | 'error';

/** `--fail-on`, default `error` (as ruff and pytest: a run with an error exits 1 without flags). */
export function failOnOpt(args: CommandArgs): FailOn {
  return choiceOpt(args, 'fail-on', FAIL_ON_LEVELS) ?? 'error';
}

/** Exit code 1 when a finding at or above `failOn` exists, else 0. `never` always gives 0. */
export function exitCodeFor(severities: Iterable<Severity>, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  for (const s of severities) {
    if (s === 'error' || (s === 'warning' && failOn === 'warning')) return 1;
  }
  return 0;
}

/** What `--fail-on` does, the same words in every command's usage. */
export const FAIL_ON_HELP = `exit 1 when a finding of this severity or worse exists: ${FAIL_ON_LEVELS.join('|')} (default error)`;
