import { UserError } from '../core/userError';
import { choiceOpt, parseCommandArgs, type OptionTable } from './commandArgs';

export const LINT_USAGE = `Usage: vit-doctor lint [--format text|json|sarif] <paths...>   (options before or after the paths; -- ends them)

  Lints Python training code for Keras Hub pitfalls (rules VTD001–VTD010; see docs/rules/).
  Configuration: [tool.vit-doctor] in the nearest pyproject.toml (select, ignore, per-file-ignores, severity).
  Exit code 1 when a warning or an error is found.`;

export const LINT_OPTIONS: OptionTable = { format: { type: 'string' } };

export async function lintCommand(argv: string[], write: (s: string) => void, warn: (s: string) => void): Promise<number> {
  const args = parseCommandArgs(argv, LINT_OPTIONS, LINT_USAGE);
  const format = choiceOpt(args, 'format', ['text', 'json', 'sarif'] as const) ?? 'text';
  if (args.positionals.length === 0) throw new UserError('E_USAGE', `No paths given.\n\n${LINT_USAGE}`);
  // the linter and its rules (the keras-hub knowledge tables) load with this command only, not at every CLI start
  const [{ lintFiles, listPythonFiles }, { formatLintJson, formatLintSarif, formatLintText }] = await Promise.all([import('../core/lint/lintFiles'), import('./formatLint')]);
  const results = await lintFiles(listPythonFiles(args.positionals));
  for (const r of results) if (r.notLinted) warn(`${r.file}: ${r.notLinted}`);
  write(format === 'json' ? formatLintJson(results) : format === 'sarif' ? formatLintSarif(results) : formatLintText(results));
  return results.some((r) => r.findings.some((f) => f.severity === 'error' || f.severity === 'warning')) ? 1 : 0;
}
