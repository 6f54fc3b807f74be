import type { Parser } from 'web-tree-sitter';
import { lintSource } from '../core/lint/linter';
import { parsePython, reparsePython, type PythonSource } from '../core/lint/pythonSource';
import { lintNotebook } from '../core/notebook/lintNotebook';
import { NotebookLintSession } from '../core/notebook/notebookLintSession';
import type { NotebookCell } from '../core/notebook/notebookProgram';
import { seededRandom as rng } from '../core/seededRandom';


const TYPED = ['x', 'e', '_', '1', ' ', '(', ')', '.', ',', ':', '"', 'lr', '\n', 'model', '255'];

/** What a keystroke or two does: a few characters typed or deleted somewhere. */
export function smallEdit(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  if (r() < 0.3) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(r() * 3)));
  return text.slice(0, at) + (TYPED[Math.floor(r() * TYPED.length)] as string) + text.slice(at);
}

export interface EditLatency {
  before: number[];
  after: number[];
  /** the parse part of each (fresh / incremental), for the file */
  beforeParse: number[];
  afterParse: number[];
}

/**
 * `edits` random small edits in a row on a file: each version linted the way the editor did it before (a fresh
 * parse of the whole text, all rules) and the way it does now (re-parse from the previous version's tree, all
 * rules), alternately, so that both see the same load on a shared machine.
 */
export function fileEditLatency(parser: Parser, text: string, edits: number, seed = 1): EditLatency {
  const r = rng(seed);
  const out: EditLatency = { before: [], after: [], beforeParse: [], afterParse: [] };
  let prev: PythonSource = parsePython(parser, text);
  lintSource(prev);
  for (let i = 0; i < edits; i++) {
    text = smallEdit(text, r);
    const runBefore = (): void => {
      const t0 = performance.now();
      const src = parsePython(parser, text);
      out.beforeParse.push(performance.now() - t0);
      lintSource(src);
      out.before.push(performance.now() - t0);
      src.tree.delete();
    };
    const runAfter = (): void => {
      const t0 = performance.now();
      const src = reparsePython(parser, prev, text);
      out.afterParse.push(performance.now() - t0);
      lintSource(src);
      out.after.push(performance.now() - t0);
      prev.tree.delete();
      prev = src;
    };
    alternate(i, runBefore, runAfter);
  }
  prev.tree.delete();
  return out;
}

/** The same on a notebook: a small edit in a random code cell; before = `lintNotebook`, after = a `NotebookLintSession`. */
export function notebookEditLatency(parser: Parser, cells: NotebookCell[], edits: number, seed = 2): EditLatency {
  const r = rng(seed);
  const out: EditLatency = { before: [], after: [], beforeParse: [], afterParse: [] };
  const session = new NotebookLintSession();
  session.lint(parser, cells);
  const code = cells.flatMap((c, i) => (c.kind === 'code' ? [i] : []));
  for (let i = 0; i < edits; i++) {
    const at = code[Math.floor(r() * code.length)] as number;
    cells = cells.map((c, j) => (j === at ? { ...c, text: smallEdit(c.text, r) } : c));
    const runBefore = (): void => {
      const t0 = performance.now();
      lintNotebook(parser, cells);
      out.before.push(performance.now() - t0);
    };
    const runAfter = (): void => {
      const t0 = performance.now();
      session.lint(parser, cells);
      out.after.push(performance.now() - t0);
    };
    alternate(i, runBefore, runAfter);
  }
  session.dispose();
  return out;
}

/** Before and after in turn, each going first on every other edit (so neither always meets a warm cache). */
function alternate(i: number, runBefore: () => void, runAfter: () => void): void {
  if (i % 2) {
    runBefore();
    runAfter();
  } else {
    runAfter();
    runBefore();
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

/** A markdown table row: median and p95 before and after, and the ratio of medians. */
export function latencyRow(label: string, l: EditLatency): string {
  const [b50, b95, a50, a95] = [quantile(l.before, 0.5), quantile(l.before, 0.95), quantile(l.after, 0.5), quantile(l.after, 0.95)];
  const parse = l.afterParse.length ? `${quantile(l.beforeParse, 0.5).toFixed(1)} → ${quantile(l.afterParse, 0.5).toFixed(1)}` : 'n/a';
  return `| ${label} | ${l.before.length} | ${b50.toFixed(1)} / ${b95.toFixed(1)} | ${a50.toFixed(1)} / ${a95.toFixed(1)} | ${(b50 / a50).toFixed(2)}× | ${parse} |`;
}

export const LATENCY_HEADER = '| edits | n | before: fresh parse + rules ms (median / p95) | after: incremental ms (median / p95) | speed-up | of which parse ms (median, before → after) |\n|---|---|---|---|---|---|';
