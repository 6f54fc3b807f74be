import { parseArgs } from 'node:util';
import { UserError } from '../core/userError';

/** One option of a command, as node:util parseArgs takes it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** may be given more than once (`--images a --images b`) */
  multiple?: boolean;
}
export type OptionTable = Record<string, OptionSpec>;

/** A command's parsed arguments: options by name, positionals in order. */
export interface CommandArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionTable = { help: { type: 'boolean' }, verbose: { type: 'boolean' } };

function usageError(e: unknown, usage: string): UserError {
  // node's messages name the option ("Unknown option '--frmat'"); keep the first sentence, drop its '--' advice.
  const msg = (e as Error).message.split('. To specify a positional')[0]?.replace(/\.$/, '') ?? String(e);
  return new UserError('E_USAGE', `${msg}.\n\n${usage}`);
}

/**
 * Parses a command line as ruff and eslint do: options before or after positionals, `--opt value` and `--opt=value`,
 * `--` ends the options; an unknown option or a missing value is a usage error naming it.
 */
export function parseCommandArgs(argv: string[], options: OptionTable, usage: string): CommandArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as CommandArgs['values'], positionals };
  } catch (e) {
    throw usageError(e, usage);
  }
}

/**
 * Splits off the command name: the first positional, found with every command's option types so that an option's
 * value (`--format json lint x.py`) is not taken for it. Returns the command and the arguments without it.
 */
export function splitCommand(argv: string[], allOptions: OptionTable): { command: string | undefined; rest: string[]; seen: Set<string> } {
  const { tokens } = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...allOptions }, allowPositionals: true, strict: false, tokens: true });
  const seen = new Set(tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  const first = tokens.find((t) => t.kind === 'positional');
  if (!first || first.kind !== 'positional') return { command: undefined, rest: argv, seen };
  return { command: first.value, rest: [...argv.slice(0, first.index), ...argv.slice(first.index + 1)], seen };
}

export function stringOpt(args: CommandArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOpt(args: CommandArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flagOpt(args: CommandArgs, name: string): boolean {
  return args.values[name] === true;
}

export function choiceOpt<T extends string>(args: CommandArgs, name: string, allowed: readonly T[]): T | undefined {
  const v = stringOpt(args, name);
  if (v !== undefined && !allowed.includes(v as T)) throw new UserError('E_USAGE', `--${name} must be one of ${allowed.join(', ')}; got "${v}".`);
  return v as T | undefined;
}

export function numberOpt(args: CommandArgs, name: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  const v = stringOpt(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  const ok = v.trim() !== '' && Number.isFinite(n) && (!opts.integer || Number.isInteger(n)) && (opts.min === undefined || n >= opts.min) && (opts.max === undefined || n <= opts.max);
  const range = opts.min !== undefined && opts.max !== undefined ? ` in [${opts.min}, ${opts.max}]` : opts.min !== undefined ? ` ≥ ${opts.min}` : opts.max !== undefined ? ` ≤ ${opts.max}` : '';
  if (!ok) throw new UserError('E_USAGE', `--${name} must be ${opts.integer ? 'an integer' : 'a number'}${range}; got "${v}".`);
  return n;
}

export function noPositionals(args: CommandArgs, usage: string): void {
  if (args.positionals.length) throw new UserError('E_USAGE', `Unexpected argument "${args.positionals[0]}".\n\n${usage}`);
}
