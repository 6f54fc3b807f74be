import { lintFiles, listPythonFiles } from '../core/lint/lintFiles';
import { UserError } from '../core/userError';
import type { ParsedArgs } from './argv';
import { formatLintJson, formatLintSarif, formatLintText } from './formatLint';

export const LINT_USAGE = `Usage: vit-doctor lint <paths...> [--format text|json|sarif]

  Lints Python training code for Keras Hub pitfalls (rules VTD001–VTD010; see docs/rules/).
  Configuration: [tool.vit-doctor] in the nearest pyproject.toml (select, ignore, per-file-ignores, severity).
  Exit code 1 when a warning or an error is found.`;

export async function lintCommand(args: ParsedArgs, write: (s: string) => void): Promise<number> {
  for (const k of args.values.keys()) if (k !== 'format') throw new UserError('E_USAGE', `Unknown option --${k}.\n\n${LINT_USAGE}`);
  const format = args.values.get('format')?.[0] ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UserError('E_USAGE', `--format must be text, json or sarif; got "${format}".`);
  if (args.positionals.length === 0) throw new UserError('E_USAGE', `No paths given.\n\n${LINT_USAGE}`);
  const results = await lintFiles(listPythonFiles(args.positionals));
  write(format === 'json' ? formatLintJson(results) : format === 'sarif' ? formatLintSarif(results) : formatLintText(results));
  return results.some((r) => r.findings.some((f) => f.severity === 'error' || f.severity === 'warning')) ? 1 : 0;
}
