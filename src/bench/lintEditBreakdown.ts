import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type * as TreeSitter from 'web-tree-sitter';
import type { Parser, Tree } from 'web-tree-sitter';
import { KerasValues } from '../core/lint/kerasValues';
import type { LintRange, RuleContext } from '../core/lint/lintTypes';
import { collectEvidence } from '../core/lint/preprocessingEvidence';
import { PythonModel } from '../core/lint/pythonModel';
import { parsePython, reparsePython, type PythonSource } from '../core/lint/pythonSource';
import { RULES } from '../core/lint/ruleRegistry';
import { blankShellLines } from '../core/lint/shellLines';
import { diffEdit, pointAt } from '../core/lint/sourceEdit';
import { mirrorCounts } from '../core/lint/treeMirror';
import { seededRandom as rng } from '../core/seededRandom';
import { median } from './benchStats';
import { smallEdit } from './editLatencyBench';

const NOWHERE: LintRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Milliseconds per phase of one pass after each edit, and the mirror's node counts per edit. */
export interface EditBreakdown {
  phases: Map<string, number[]>;
  walked: number[];
  copied: number[];
}

/** tree-sitter's incremental parse alone (edit a copy of the old tree, parse), on the texts `reparsePython` sees. */
function treeSitterReparse(parser: Parser, prev: PythonSource, text: string): number {
  const oldText = blankShellLines(prev.text);
  const newText = blankShellLines(text);
  const d = diffEdit(oldText, newText);
  if (!d) return 0;
  const { Edit } = require('web-tree-sitter') as typeof TreeSitter;
  const old = prev.tree.copy();
  old.edit(new Edit({ startIndex: d.start, oldEndIndex: d.oldEnd, newEndIndex: d.newEnd, startPosition: pointAt(oldText, prev.lineStarts, d.start), oldEndPosition: pointAt(oldText, prev.lineStarts, d.oldEnd), newEndPosition: pointAt(newText, null, d.newEnd) }));
  const t0 = performance.now();
  const tree = parser.parse(newText, old) as Tree;
  const ms = performance.now() - t0;
  tree.delete();
  old.delete();
  return ms;
}

/**
 * The editor's path after each of `edits` random small edits (`reparsePython` from the previous version, then every
 * phase of `lintSource`), timed phase by phase: where the time per edit goes. GC: the collector's pauses that fall
 * inside the pass (from `PerformanceObserver`; they are part of the phases they interrupt, not added to the total).
 */
export async function lintEditBreakdown(parser: Parser, text: string, edits: number, seed = 1): Promise<EditBreakdown> {
  const r = rng(seed);
  const out: EditBreakdown = { phases: new Map(), walked: [], copied: [] };
  const add = (k: string, ms: number): void => {
    const list = out.phases.get(k);
    if (list) list.push(ms);
    else out.phases.set(k, [ms]);
  };
  const gc: PerformanceEntry[] = [];
  const obs = new PerformanceObserver((list) => gc.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  const windows: [number, number][] = [];
  let prev = parsePython(parser, text);
  try {
    for (let i = 0; i < edits; i++) {
      text = smallEdit(text, r);
      add('of which tree-sitter re-parse (run apart)', treeSitterReparse(parser, prev, text));
      const [w0, c0] = [mirrorCounts.walked, mirrorCounts.copied];
      const t0 = performance.now();
      const src = reparsePython(parser, prev, text);
      const t1 = performance.now();
      out.walked.push(mirrorCounts.walked - w0);
      out.copied.push(mirrorCounts.copied - c0);
      prev.tree.delete();
      prev = src;
      const model = new PythonModel(src);
      const t2 = performance.now();
      const values = new KerasValues(model);
      const t3 = performance.now();
      const evidence = collectEvidence(model, values);
      const t4 = performance.now();
      add('re-parse + mirror', t1 - t0);
      add('PythonModel', t2 - t1);
      add('KerasValues', t3 - t2);
      add('evidence', t4 - t3);
      const ctx: RuleContext = { src, model, values, evidence, range: () => NOWHERE, offsets: () => NOWHERE, report: () => undefined };
      let at = performance.now();
      for (const rule of RULES) {
        rule.check(ctx);
        const now = performance.now();
        add(rule.code, now - at);
        at = now;
      }
      add('total', at - t0);
      windows.push([t0, at]);
      // let the observer take the collector's entries (outside the timed pass)
      await new Promise((done) => setImmediate(done));
    }
  } finally {
    prev.tree.delete();
  }
  // the observer's entries arrive on the event loop
  await new Promise((done) => setTimeout(done, 50));
  obs.disconnect();
  for (const [a, b] of windows) add('GC pauses inside the pass', gc.filter((e) => e.startTime >= a && e.startTime < b).reduce((s, e) => s + e.duration, 0));
  return out;
}

/** A markdown table: the median and mean of each phase. */
export function breakdownTable(label: string, b: EditBreakdown): string {
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  const rows = [...b.phases].map(([k, xs]) => `| ${k} | ${median(xs).toFixed(2)} | ${mean(xs).toFixed(2)} |`);
  return `${label}: mirror nodes walked / copied per edit (median) ${median(b.walked)} / ${median(b.copied)}\n\n| phase | median ms | mean ms |\n|---|---|---|\n${rows.join('\n')}`;
}
