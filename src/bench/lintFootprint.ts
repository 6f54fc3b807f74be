import type { Parser } from 'web-tree-sitter';
import { KerasValues } from '../core/lint/kerasValues';
import type { LintRange, RuleContext } from '../core/lint/lintTypes';
import { collectEvidence } from '../core/lint/preprocessingEvidence';
import { PythonModel } from '../core/lint/pythonModel';
import { parsePython, reparsePython, type PythonSource } from '../core/lint/pythonSource';
import { RULES } from '../core/lint/ruleRegistry';
import { diffEdit } from '../core/lint/sourceEdit';
import { SyntaxNode } from '../core/lint/syntaxNode';
import { seededRandom as rng } from '../core/seededRandom';
import { smallEdit } from './editLatencyBench';

const NOWHERE: LintRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
/** Pseudo-statements: the module node itself (its children list), and the raw text (`src.text`). */
const MODULE = -1;
const WHOLE_TEXT = -2;
/** Reads of a node's extent or identity only (order between statements survives an edit elsewhere). */
const POSITION_ONLY = new Set<PropertyKey>(['id', 'startIndex', 'endIndex', 'indexInParent']);

/**
 * Records which top-level statements each phase of a lint pass reads: every node the analysis touches goes through
 * a Proxy that notes its top-level statement. Slow; for measuring what a cache keyed on statements could reuse.
 */
class ReadRecorder {
  phase = '';
  readonly reads = new Map<string, Set<number>>();
  private readonly views = new WeakMap<object, object>();
  private readonly targets = new WeakMap<object, object>();

  private note(top: number): void {
    let set = this.reads.get(this.phase);
    if (!set) this.reads.set(this.phase, (set = new Set()));
    set.add(top);
  }

  /** The source as the analysis sees it: `root` recorded, `text` a read of the whole text. */
  source(src: PythonSource): PythonSource {
    return new Proxy(src, {
      get: (t, k) => {
        if (k === 'text') this.note(WHOLE_TEXT);
        return k === 'root' ? this.wrap(t.root) : Reflect.get(t, k);
      },
    });
  }

  private wrap<T>(v: T): T {
    if (Array.isArray(v)) return v.map((x: unknown) => this.wrap(x)) as T;
    if (!(v instanceof SyntaxNode)) return v;
    let view = this.views.get(v);
    if (!view) {
      const top = topStatement(v);
      view = new Proxy(v, {
        get: (t, k) => {
          if (!POSITION_ONLY.has(k)) this.note(top);
          const x = Reflect.get(t, k, t) as unknown;
          if (typeof x !== 'function') return this.wrap(x);
          return (...args: unknown[]) => this.wrap((x as (...a: unknown[]) => unknown).apply(t, args.map((a) => (a !== null && typeof a === 'object' ? this.targets.get(a) ?? a : a))));
        },
      });
      this.views.set(v, view);
      this.targets.set(view, v);
    }
    return view as T;
  }
}

function topStatement(n: SyntaxNode): number {
  let x = n;
  while (x.parent?.parent) x = x.parent;
  return x.parent ? x.indexInParent : MODULE;
}

/** The statements each phase of one full pass reads (phases in order: a later phase's reads of indexes an earlier one built are not counted again). */
function readsOfPass(src: PythonSource): Map<string, Set<number>> {
  const rec = new ReadRecorder();
  const view = rec.source(src);
  rec.phase = 'PythonModel';
  const model = new PythonModel(view);
  rec.phase = 'KerasValues';
  const values = new KerasValues(model);
  rec.phase = 'evidence';
  const evidence = collectEvidence(model, values);
  const ctx: RuleContext = { src: view, model, values, evidence, range: () => NOWHERE, offsets: () => NOWHERE, report: () => undefined };
  for (const rule of RULES) {
    rec.phase = rule.code;
    rule.check(ctx);
  }
  return rec.reads;
}

/**
 * How often a result cached per phase and keyed on the top-level statements the phase read would survive the next
 * of `edits` random small edits: a phase is invalidated when the edit touches a statement it read (or, counted
 * apart, when it read the raw text). A lower bound on what it reads: reads of an index an earlier phase built are
 * not charged to it.
 */
export function lintFootprint(parser: Parser, text: string, edits: number, seed = 1): string {
  const r = rng(seed);
  let prev = parsePython(parser, text);
  let reads = readsOfPass(prev);
  const statements = prev.root.children.length;
  const hits = new Map<string, { any: number; statements: number }>();
  for (let i = 0; i < edits; i++) {
    const next = smallEdit(text, r);
    const d = diffEdit(text, next);
    text = next;
    const touched = d ? prev.root.children.flatMap((c, j) => (c.startIndex <= d.oldEnd && d.start <= c.endIndex ? [j] : [])) : [];
    if (touched.length === 0) touched.push(MODULE);
    for (const [phase, set] of reads) {
      const h = hits.get(phase) ?? { any: 0, statements: 0 };
      const byStatement = touched.some((t) => set.has(t));
      if (byStatement) h.statements++;
      if (byStatement || set.has(WHOLE_TEXT)) h.any++;
      hits.set(phase, h);
    }
    const src = reparsePython(parser, prev, text);
    prev.tree.delete();
    prev = src;
    reads = readsOfPass(src);
  }
  prev.tree.delete();
  const rows = [...hits].map(([phase, h]) => {
    const set = reads.get(phase) ?? new Set<number>();
    const n = [...set].filter((t) => t >= 0).length;
    return `| ${phase} | ${n} of ${statements}${set.has(WHOLE_TEXT) ? ' + raw text' : ''} | ${h.any} / ${h.statements} |`;
  });
  return `What each phase reads (top-level statements; ${edits} random small edits)\n\n| phase | statements read (last pass) | edits that invalidate it: with raw-text reads / statement reads only |\n|---|---|---|\n${rows.join('\n')}`;
}
