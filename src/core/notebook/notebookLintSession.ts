import type { Parser } from 'web-tree-sitter';
import { lintSource } from '../lint/linter';
import type { LintFinding } from '../lint/lintTypes';
import { parsePython, reparsePython, type PythonSource } from '../lint/pythonSource';
import type { PresetLookup } from '../presets/presetFacts';
import { programLintOptions, type NotebookLintOptions } from './lintNotebook';
import { buildNotebookProgram, mapFindingsToCells, type CellFinding, type NotebookCell } from './notebookProgram';

interface LastLint {
  src: PythonSource;
  optionsKey: string;
  lookup: PresetLookup | undefined;
  lookupKey: string | undefined;
  findings: LintFinding[];
  internalErrors: string[];
}

/**
 * Lints one open notebook again and again as it is edited, with the results of `lintNotebook`: the joined program
 * is re-parsed incrementally from the previous version's tree (only what the edited cells touch is parsed again),
 * and when the program is unchanged (a markdown cell edited, cells of other languages added, moved or removed) with
 * the same options and the same preset lookup, its findings are reused and only mapped to the cells again.
 * `lookupKey`: the caller's word that lookups with equal keys answer alike (the host makes a new disk lookup per run
 * for the same folders); without it only the same lookup object counts as the same.
 */
export class NotebookLintSession {
  private last: LastLint | null = null;
  /** How each lint went: parsed from scratch, re-parsed from the previous tree, or findings reused. */
  readonly stats = { parsed: 0, reparsed: 0, reused: 0 };

  lint(parser: Parser, cells: NotebookCell[], opts: NotebookLintOptions & { lookupKey?: string } = {}): { findings: CellFinding[]; internalErrors: string[] } {
    const program = buildNotebookProgram(cells);
    const options = programLintOptions(opts);
    const optionsKey = JSON.stringify([options.config, options.relativePath ?? null, options.project ?? null]);
    const prev = this.last;
    const sameLookup = opts.lookupKey !== undefined ? prev?.lookupKey === opts.lookupKey : prev?.lookup === opts.lookup;
    if (prev && prev.src.text === program.text && prev.optionsKey === optionsKey && sameLookup) {
      this.stats.reused++;
      return { findings: mapFindingsToCells(program, prev.findings), internalErrors: prev.internalErrors };
    }
    const src = prev ? reparsePython(parser, prev.src, program.text) : parsePython(parser, program.text);
    this.stats[prev ? 'reparsed' : 'parsed']++;
    prev?.src.tree.delete();
    this.last = null;
    let result;
    try {
      result = lintSource(src, options);
    } catch (e) {
      src.tree.delete();
      throw e;
    }
    const { findings, internalErrors } = result;
    this.last = { src, optionsKey, lookup: opts.lookup, lookupKey: opts.lookupKey, findings, internalErrors };
    return { findings: mapFindingsToCells(program, findings), internalErrors };
  }

  dispose(): void {
    this.last?.src.tree.delete();
    this.last = null;
  }
}
