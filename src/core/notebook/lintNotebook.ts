import { lintSource, type LintOptions } from '../lint/linter';
import { DEFAULT_LINT_CONFIG } from '../lint/lintConfig';
import type { Parser } from 'web-tree-sitter';
import { parsePython } from '../lint/pythonSource';
import { buildNotebookProgram, mapFindingsToCells, type CellFinding, type NotebookCell } from './notebookProgram';

/**
 * Lints a notebook as one program (the Python cells in order), so that a bug spread over cells — the preprocessing
 * in one, from_preset in another, fit in a third — is found once, at the right cell. `ignore`: codes from the
 * notebook's metadata.
 */
export function lintNotebook(parser: Parser, cells: NotebookCell[], opts: LintOptions & { ignore?: string[] } = {}): { findings: CellFinding[]; internalErrors: string[] } {
  const program = buildNotebookProgram(cells);
  const src = parsePython(parser, program.text);
  try {
    const config = opts.config ?? DEFAULT_LINT_CONFIG;
    const { findings, internalErrors } = lintSource(src, { ...opts, config: { ...config, ignore: [...config.ignore, ...(opts.ignore ?? [])] } });
    return { findings: mapFindingsToCells(program, findings), internalErrors };
  } finally {
    src.tree.delete();
  }
}
