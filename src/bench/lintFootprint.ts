import type { Parser } from 'web-tree-sitter';
import { KerasValues } from '../core/lint/kerasValues';
import type { LintRange, RuleContext } from '../core/lint/lintTypes';
import { collectEvidence } from '../core/lint/preprocessingEvidence';
import { PythonModel } from '../core/lint/pythonModel';
import { parsePython, reparsePython, type PythonSource } from '../core/lint/pythonSource';
import { RULES } from '../core/lint/ruleRegistry';
import { diffEdit, type SourceEdit } from '../core/lint/sourceEdit';
import { SyntaxNode } from '../core/lint/syntaxNode';
import { seededRandom as rng } from '../core/seededRandom';
import { smallEdit } from './editLatencyBench';

const NOWHERE: LintRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
/** The module node itself (its children list), as a pseudo-statement. */
const MODULE = -1;
/** Reads of a node's extent or identity only (order between statements survives an edit elsewhere). */
const POSITION_ONLY = new Set<PropertyKey>(['id', 'startIndex', 'endIndex', 'indexInParent', 'startPosition', 'endPosition']);

/** What one phase read: top-level statements, nodes whose structure or text it read, the raw text. */
interface PhaseReads {
  statements: Set<number>;
  structure: Set<SyntaxNode>;
  text: Set<SyntaxNode>;
  raw: boolean;
}

/**
 * Records what each phase of a lint pass reads: every node the analysis touches goes through a Proxy that notes the
 * node (its text, or anything else about it: type, children, fields) and its top-level statement. Slow; for
 * measuring what a cache keyed on what was read could reuse.
 */
class ReadRecorder {
  phase = '';
  readonly reads = new Map<string, PhaseReads>();
  private readonly views = new WeakMap<object, object>();
  private readonly targets = new WeakMap<object, object>();

  private current(): PhaseReads {
    let r = this.reads.get(this.phase);
    if (!r) this.reads.set(this.phase, (r = { statements: new Set(), structure: new Set(), text: new Set(), raw: false }));
    return r;
  }

  /** The source as the analysis sees it: `root` recorded, `text` a read of the raw text. */
  source(src: PythonSource): PythonSource {
    return new Proxy(src, {
      get: (t, k) => {
        if (k === 'text') this.current().raw = true;
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
          if (!POSITION_ONLY.has(k)) {
            const r = this.current();
            r.statements.add(top);
            (k === 'text' ? r.text : r.structure).add(t);
          }
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

/** A node's type and its children's types, fields and namedness: what a structure read of it sees. */
const structureOf = (n: SyntaxNode): string => `${n.type}|${n.children.map((c) => `${c.type}:${c.field ?? ''}:${c.isNamed ? 1 : 0}`).join(',')}`;

/** The node of the new tree at the old node's extent moved by the edit, with its type (null: gone or changed). */
function counterpart(root: SyntaxNode, n: SyntaxNode, d: SourceEdit): SyntaxNode | null {
  const delta = d.newEnd - d.oldEnd;
  const moved = (o: number, isEnd: boolean): number => (o < d.start || (o === d.start && !isEnd) ? o : o >= d.oldEnd ? o + delta : -1);
  const s = moved(n.startIndex, false);
  const e = moved(n.endIndex, true);
  if (s < 0 || e < 0) return null;
  for (let x: SyntaxNode | undefined = root; x; x = x.children.find((c) => c.startIndex <= s && c.endIndex >= e)) {
    if (x.startIndex === s && x.endIndex === e && x.type === n.type) return x;
  }
  return null;
}

/** Whether an edit changes what a phase read, at the grain of top-level statements or of nodes. */
function invalidates(r: PhaseReads, prev: SyntaxNode, next: SyntaxNode, d: SourceEdit): { statement: boolean; node: boolean } {
  const touched = prev.children.flatMap((c, j) => (c.startIndex <= d.oldEnd && d.start <= c.endIndex ? [j] : []));
  const statement = (touched.length ? touched : [MODULE]).some((t) => r.statements.has(t));
  const textHit = [...r.text].some((n) => n.startIndex <= d.oldEnd && d.start <= n.endIndex);
  const node = textHit || [...r.structure].some((n) => {
    const c = counterpart(next, n, d);
    return !c || structureOf(c) !== structureOf(n);
  });
  return { statement, node };
}

/** The statements each phase of one full pass reads (phases in order: a later phase's reads of indexes an earlier one built are not counted again). */
function readsOfPass(src: PythonSource): Map<string, PhaseReads> {
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
 * How often a result cached per phase would survive the next of `edits` random small edits, keyed on what the phase
 * read: at the grain of top-level statements (invalidated when the edit touches one it read), or of nodes (when the
 * edit touches a node whose text it read, or changes the type or children of a node whose structure it read); with
 * and without its raw-text reads (which invalidate always unless replaced by keyed queries). A lower bound on what a
 * phase reads: reads of an index an earlier phase built are not charged to it.
 */
export function lintFootprint(parser: Parser, text: string, edits: number, seed = 1): string {
  const r = rng(seed);
  let prev = parsePython(parser, text);
  let reads = readsOfPass(prev);
  const statements = prev.root.children.length;
  const hits = new Map<string, number[]>();
  for (let i = 0; i < edits; i++) {
    const next = smallEdit(text, r);
    const d = diffEdit(text, next);
    text = next;
    const src = reparsePython(parser, prev, text);
    for (const [phase, got] of reads) {
      const h = hits.get(phase) ?? [0, 0, 0, 0];
      const inv = d ? invalidates(got, prev.root, src.root, d) : { statement: false, node: false };
      h[0]! += inv.statement || got.raw ? 1 : 0;
      h[1]! += inv.statement ? 1 : 0;
      h[2]! += inv.node || got.raw ? 1 : 0;
      h[3]! += inv.node ? 1 : 0;
      hits.set(phase, h);
    }
    prev.tree.delete();
    prev = src;
    reads = readsOfPass(src);
  }
  prev.tree.delete();
  const rows = [...hits].map(([phase, h]) => {
    const got = reads.get(phase);
    const n = got ? [...got.statements].filter((t) => t >= 0).length : 0;
    return `| ${phase} | ${n} of ${statements} | ${got?.structure.size ?? 0} / ${got?.text.size ?? 0} | ${got?.raw ? 'yes' : 'no'} | ${h[0]} / ${h[1]} | ${h[2]} / ${h[3]} |`;
  });
  return `What each phase reads, and how many of ${edits} random small edits change it\n\n| phase | top-level statements read | nodes read (structure / text) | raw text | invalidated, statement grain (with / without raw-text reads) | invalidated, node grain (with / without raw-text reads) |\n|---|---|---|---|---|---|\n${rows.join('\n')}`;
}
