import { lintSource, type LintOptions } from '../lint/linter';
import { DEFAULT_LINT_CONFIG } from '../lint/lintConfig';
import type { Parser } from 'web-tree-sitter';
import { parsePython } from '../lint/pythonSource';
import { buildNotebookProgram, mapFindingsToCells, type CellFinding, type NotebookCell } from './notebookProgram';

export type NotebookLintOptions = LintOptions & { ignore?: string[] };

/** The options a notebook's program is linted with: the notebook-wide ignores join the config's. */
export function programLintOptions(opts: NotebookLintOptions): LintOptions {
  const config = opts.config ?? DEFAULT_LINT_CONFIG;
  const { ignore, ...rest } = opts;
  return { ...rest, config: { ...config, ignore: [...config.ignore, ...(ignore ?? [])] } };
}

/**
 * Lints a notebook as one program (the Python cells in order), so that a bug spread over cells — the preprocessing
 * in one, from_preset in another, fit in a third — is found once, at the right cell. `ignore`: codes from the
 * notebook's metadata.
 */
export function lintNotebook(parser: Parser, cells: NotebookCell[], opts: NotebookLintOptions = {}): { findings: CellFinding[]; internalErrors: string[] } {
  const program = buildNotebookProgram(cells);
  const src = parsePython(parser, program.text);
  try {
    const { findings, internalErrors } = lintSource(src, programLintOptions(opts));
    return { findings: mapFindingsToCells(program, findings), internalErrors };
  } finally {
    src.tree.delete();
  }
}
