import type { Node } from 'web-tree-sitter';
import type { KerasValue, KerasValues } from './kerasValues';
import type { CallInfo, PythonModel } from './pythonModel';

/** A model built in the file: a Sequential, a functional keras.Model, a keras_hub value, an application, a subclass. */
export interface FlowModel {
  node: Node;
  /** application: keras.applications, or a KerasCV/keras_hub task built by its constructor around a backbone argument. */
  kind: 'sequential' | 'functional' | 'hub' | 'application' | 'subclass';
  /** The keras_hub backbones/tasks inside it (itself for a hub value). */
  hub: KerasValue[];
}

/** Where data reaches a model: `m.fit(x)`, `m.predict(x)`, `m(x)`. */
export interface Feed {
  call: CallInfo;
  method: string;
  data: Node | null;
}

/** The code a backbone's input depends on, and how sure the chain is. */
export interface FlowPath {
  /** Source extents whose code computes what reaches the backbone (steps inside them are on its path). */
  ranges: { start: number; end: number; via: Node | null }[];
  /** Calls that feed the backbone (or a model containing it) with data. */
  feeds: Feed[];
  /** Links that could not be followed (a helper from another module, an argument read at run time). */
  missing: string[];
  /** Data (not only a keras.Input of a graph) reaches the backbone through a call of this file. */
  fedWithData: boolean;
}

const FEED_METHODS = new Set(['fit', 'predict', 'evaluate', 'predict_on_batch', 'train_on_batch', 'test_on_batch', '__call__']);
const FUNCTIONAL = /^keras\.(models\.)?Model$/;
const SEQUENTIAL = /(^|\.)Sequential$/;

/**
 * One model-flow analysis for the rules: which models the file builds, which keras_hub values sit inside each, which
 * calls feed or compile each (the name as assigned at that point: later cells redefine it), and which code lies on
 * the path of the data into a backbone.
 */
export class ModelFlow {
  readonly models: FlowModel[] = [];
  private readonly byNode = new Map<number, FlowModel>();
  private readonly paths = new Map<number, FlowPath>();
  private feedsCache: Feed[] | null = null;
  private readonly subclasses = new Map<string, Node>();

  constructor(readonly model: PythonModel, readonly values: KerasValues) {
    for (const v of values.values) if (v.kind !== 'converter' && v.kind !== 'preprocessor') this.add({ node: v.def.node, kind: 'hub', hub: [v] });
    this.findSubclasses();
    for (const c of model.calls) {
      const callee = c.callee ?? '';
      if (SEQUENTIAL.test(callee) && /^(keras|tf)\b|^Sequential$/.test(callee)) this.add({ node: c.node, kind: 'sequential', hub: [] });
      else if (FUNCTIONAL.test(callee)) this.add({ node: c.node, kind: 'functional', hub: [] });
      else if (/^keras\.applications\.(?:[a-z0-9_]+\.)?[A-Z]\w*$/.test(callee) || /^keras_cv\.models\.(?!.*Backbone\.from_preset)[A-Z]/.test(callee) || /^keras_hub\.models\.[A-Z]\w*(ImageClassifier|Task)$/.test(callee)) this.add({ node: c.node, kind: 'application', hub: [] });
      else if (c.fn?.type === 'identifier' && this.subclasses.has(c.fnText)) this.add({ node: c.node, kind: 'subclass', hub: [] });
    }
    for (const m of this.models) if (m.kind !== 'hub') m.hub = this.contents(m, 0);
  }

  private add(m: FlowModel): void {
    if (this.byNode.has(m.node.id)) return;
    this.models.push(m);
    this.byNode.set(m.node.id, m);
  }

  /** `class Net(keras.Model)` defined in this file. */
  private findSubclasses(): void {
    for (const f of this.model.scopes.list) {
      if (!f.isMethod || !f.className || this.subclasses.has(f.className)) continue;
      let cls: Node | null = f.node.parent;
      while (cls && cls.type !== 'class_definition') cls = cls.parent;
      const bases = cls?.childForFieldName('superclasses')?.text ?? '';
      if (cls && /\b(Model|Layer)\b/.test(bases)) this.subclasses.set(f.className, cls);
    }
  }

  /** The model an expression names at that point of the program, or null when it cannot be told. */
  modelAt(expr: Node | null, depth = 0): FlowModel | null {
    if (!expr || depth > 4) return null;
    const v = this.values.valueOf(expr);
    if (v && v.kind !== 'converter' && v.kind !== 'preprocessor') return this.byNode.get(v.def.node.id) ?? null;
    const r = this.model.resolve(expr);
    return r ? this.byNode.get(r.id) ?? null : null;
  }

  /** The keras_hub values inside a model (nested models followed). */
  private contents(m: FlowModel, depth: number): KerasValue[] {
    if (m.kind === 'hub') return m.hub;
    if (depth > 3) return [];
    const c = this.model.callAt(m.node);
    if (!c) return [];
    const out: KerasValue[] = [];
    const addFrom = (n: Node): void => {
      const inner = this.modelAt(n, depth + 1);
      if (inner && inner !== m) for (const v of this.contents(inner, depth + 1)) if (!out.includes(v)) out.push(v);
    };
    if (m.kind === 'sequential') {
      const list = this.model.resolve(c.args[0] ?? c.kwargs.get('layers') ?? null);
      for (const el of list?.type === 'list' ? list.namedChildren : []) if (el) addFrom(el);
      // model.add(backbone) after the Sequential is made
      const name = assignedName(m.node);
      if (name) for (const a of this.model.calls) if (a.fnText === `${name}.add` && a.args[0] && this.modelAt(a.fn?.childForFieldName('object') ?? null) === m) addFrom(a.args[0]);
    } else if (m.kind === 'functional') {
      const outputs = c.kwargs.get('outputs') ?? c.args[1] ?? null;
      const slice = this.slice(outputs ? [outputs] : []);
      for (const v of this.values.values) {
        if (v.kind === 'converter' || v.kind === 'preprocessor') continue;
        const sites = [...this.values.callsOf(v), ...this.values.backboneCallsOf(v)];
        if (sites.some((s) => slice.ranges.some((r) => r.start <= s.node.startIndex && s.node.endIndex <= r.end))) out.push(v);
      }
      for (const el of slice.calledModels) addFrom(el);
    } else if (m.kind === 'application') {
      // keras_cv.models.ImageClassifier(backbone=backbone, ...), keras_hub.models.ViTImageClassifier(backbone=...): a task around a backbone
      for (const a of [...c.args, ...c.kwargs.values()]) {
        const v = this.values.valueOf(a);
        if (v && v.kind !== 'converter' && v.kind !== 'preprocessor' && !out.includes(v)) out.push(v);
        addFrom(a);
      }
    } else if (m.kind === 'subclass') {
      const cls = this.subclasses.get(c.fnText);
      for (const v of this.values.values) {
        if (v.kind === 'converter' || v.kind === 'preprocessor') continue;
        const inClass = cls && cls.startIndex <= v.def.node.startIndex && v.def.node.endIndex <= cls.endIndex;
        const passed = [...c.args, ...c.kwargs.values()].some((a) => this.values.valueOf(a) === v);
        if (inClass || passed) out.push(v);
      }
      for (const a of [...c.args, ...c.kwargs.values()]) addFrom(a);
    }
    return out;
  }

  /** Models that contain a keras_hub value. */
  containing(v: KerasValue): FlowModel[] {
    return this.models.filter((m) => m.hub.some((h) => h.def.node.id === v.def.node.id));
  }

  /** Models of the file that do not contain any keras_hub value (a baseline, a from-scratch convnet, an application). */
  others(): FlowModel[] {
    return this.models.filter((m) => m.hub.length === 0);
  }

  /** Every fit/predict/evaluate/call of a model built in the file, with the model it reaches. */
  feeds(): (Feed & { target: FlowModel })[] {
    const out: (Feed & { target: FlowModel })[] = [];
    const names = new Set<string>();
    for (const m of this.models) {
      const n = assignedName(m.node);
      if (n) names.add(n);
    }
    for (const [name, list] of this.model.assignments) if (list.some((a) => this.model.callAt(a.value) && !names.has(name))) names.add(name);
    for (const call of this.model.calls) {
      const text = call.fnText;
      const dot = text.lastIndexOf('.');
      const method = dot > 0 ? text.slice(dot + 1) : '__call__';
      const receiver = dot > 0 ? call.fn?.childForFieldName('object') ?? null : call.fn;
      if (!receiver || !FEED_METHODS.has(method)) continue;
      const recText = dot > 0 ? text.slice(0, dot) : text;
      if (!names.has(recText) && !this.byNode.has(receiver.id) && !recText.includes('(')) continue;
      const target = this.modelAt(receiver);
      if (!target) continue;
      const data = call.kwargs.get('x') ?? call.args[0] ?? null;
      out.push({ call, method, data, target });
    }
    return out;
  }

  private allFeeds(): (Feed & { target: FlowModel })[] {
    return (this.feedsCache as (Feed & { target: FlowModel })[] | null) ?? (this.feedsCache = this.feeds());
  }

  /** The compile() calls of the file, with the model each compiles (null: cannot be told). */
  compiles(): { call: CallInfo; target: FlowModel | null }[] {
    return this.model.calls
      .filter((c) => /\.compile$/.test(c.fnText) && c.fn?.type === 'attribute')
      .map((c) => ({ call: c, target: this.modelAt(c.fn!.childForFieldName('object')) }));
  }

  /** The code on the path of the data into a keras_hub value, the calls feeding it, and the links not followed. */
  pathOf(value: KerasValue): FlowPath {
    // a task seen as its backbone (`classifier.backbone`) shares the task's path
    const v = this.values.values.find((x) => x.def.node.id === value.def.node.id) ?? value;
    const cached = this.paths.get(v.def.node.id);
    if (cached) return cached;
    const starts: Node[] = [];
    const feeds: Feed[] = [];
    const direct = [...this.values.callsOf(v), ...this.values.backboneCallsOf(v)];
    for (const s of direct) {
      feeds.push({ call: s, method: '__call__', data: s.args[0] ?? null });
      if (s.args[0]) starts.push(s.args[0]);
    }
    const extra: FlowPath['ranges'] = [];
    // keras.Sequential([Rescaling(...), backbone, ...]): the layers before the backbone
    for (const use of this.values.sequentialUses(v)) {
      const list = use.node.parent;
      for (const el of list?.namedChildren ?? []) {
        if (!el || el.startIndex >= use.node.startIndex) continue;
        extra.push({ start: el.startIndex, end: el.endIndex, via: null });
        starts.push(el);
      }
    }
    const holders = new Set<FlowModel>(this.containing(v));
    for (const f of this.allFeeds()) {
      if (!holders.has(f.target) || feeds.some((x) => x.call.node.id === f.call.node.id)) continue;
      feeds.push(f);
      if (f.data) starts.push(f.data);
    }
    const s = this.slice(starts);
    const fedWithData = feeds.some((f) => f.data && (f.method !== '__call__' || !this.slice([f.data]).ranges.some((r) => this.isInput(r.start, r.end))));
    const path: FlowPath = { ranges: [...extra, ...s.ranges], feeds, missing: s.missing, fedWithData };
    this.paths.set(v.def.node.id, path);
    return path;
  }

  private inputCalls: CallInfo[] | null = null;

  /** Whether an extent is exactly a keras.Input(...) call. */
  private isInput(start: number, end: number): boolean {
    this.inputCalls ??= this.model.calls.filter((c) => /^keras\.(layers\.)?Input(Layer)?$/.test(c.callee ?? ''));
    return this.inputCalls.some((c) => c.node.startIndex === start && c.node.endIndex === end);
  }

  private readonly modelPaths = new Map<number, FlowPath['ranges']>();

  /** Whether a node lies in a model's own graph or on the data fed to it (for models without keras_hub values). */
  onPathOfModel(m: FlowModel, node: Node): boolean {
    let ranges = this.modelPaths.get(m.node.id);
    if (!ranges) {
      const starts = [m.node, ...this.allFeeds().filter((f) => f.target === m && f.data).map((f) => f.data as Node)];
      this.modelPaths.set(m.node.id, (ranges = this.slice(starts).ranges));
    }
    return ranges.some((r) => r.start <= node.startIndex && node.endIndex <= r.end);
  }

  /** Whether a node lies on the path into v; `via` is the reference that brought a helper's body in, if any. */
  onPath(v: KerasValue, node: Node): { via: Node | null } | null {
    for (const r of this.pathOf(v).ranges) if (r.start <= node.startIndex && node.endIndex <= r.end) return { via: r.via };
    return null;
  }

  /**
   * Backward slice: the extents of the expressions a value is computed from, following names to their assignments
   * (the one before the read: later cells redefine names) and helpers of this file to their bodies.
   */
  private slice(starts: Node[]): { ranges: FlowPath['ranges']; missing: string[]; calledModels: Node[] } {
    const ranges: FlowPath['ranges'] = [];
    const missing: string[] = [];
    const calledModels: Node[] = [];
    const seen = new Set<number>();
    const seenDefs = new Set<number>();
    let budget = 4000;
    const visit = (expr: Node, via: Node | null, depth: number): void => {
      if (depth > 30 || seen.has(expr.id) || budget <= 0) return;
      seen.add(expr.id);
      ranges.push({ start: expr.startIndex, end: expr.endIndex, via });
      const stack: Node[] = [expr];
      while (stack.length && budget-- > 0) {
        const n = stack.pop()!;
        if (n.type === 'identifier') this.follow(n, via, depth, visit, seenDefs, ranges, missing, calledModels);
        else if (n.type === 'attribute' && n.text.startsWith('self.')) this.follow(n, via, depth, visit, seenDefs, ranges, missing, calledModels);
        else {
          if (n.type === 'call' && n.childForFieldName('function')?.type === 'identifier') calledModels.push(n.childForFieldName('function')!);
          for (const ch of n.namedChildren) {
            if (!ch || ch.type === 'comment') continue;
            // the attribute name of `obj.attr` and a keyword's name are not reads
            if (n.type === 'attribute' && ch.id === n.childForFieldName('attribute')?.id) continue;
            if (n.type === 'keyword_argument' && ch.id === n.childForFieldName('name')?.id) continue;
            stack.push(ch);
          }
        }
      }
    };
    for (const s of starts) visit(s, null, 0);
    return { ranges, missing, calledModels };
  }

  private follow(
    n: Node,
    via: Node | null,
    depth: number,
    visit: (e: Node, via: Node | null, d: number) => void,
    seenDefs: Set<number>,
    ranges: FlowPath['ranges'],
    missing: string[],
    calledModels: Node[],
  ): void {
    const name = n.text;
    const p = n.parent;
    if (lambdaParam(n)) return;
    if (p?.type === 'call' && p.childForFieldName('function')?.id === n.id) calledModels.push(n);
    const imported = this.model.imports.get(name);
    if (imported) {
      if (this.model.unknownImports.has(name)) missing.push(`${name} comes from ${imported.split('.').slice(0, -1).join('.') || imported} (another module)`);
      return;
    }
    // for x, y in ds: / [f(x) for x in xs]: the loop variable is an element of what is iterated
    const iterated = loopSource(n);
    if (iterated) {
      visit(iterated, via, depth + 1);
      return;
    }
    const a = this.model.lastAssignment(name, n.startIndex);
    const inside = a && a.valueStart <= n.startIndex && a.valueEnd >= n.endIndex;
    const prior = inside ? this.model.lastAssignment(name, a.target.startIndex) : a;
    if (prior) {
      // the statement `NAME = value` itself (constants are reported on their line)
      const st = prior.target.parent?.parent;
      if (st?.type === 'expression_statement') ranges.push({ start: st.startIndex, end: st.endIndex, via });
      visit(prior.value, via, depth + 1);
      // x /= 255 between the assignment and the read
      const stmt = prior.target.parent;
      if (stmt) this.augmentedBetween(name, stmt.endIndex, n.startIndex, ranges, via);
      return;
    }
    const fnIndex = this.model.scopes.functionNamed(name);
    if (fnIndex !== null) {
      const def = this.model.scopes.list[fnIndex]!.node;
      if (seenDefs.has(def.id)) return;
      seenDefs.add(def.id);
      // a helper of this file: the code in its body is on the path; the reference is where the user changes it
      ranges.push({ start: def.startIndex, end: def.endIndex, via: via ?? n });
      const body = def.childForFieldName('body');
      if (body) visit(body, via ?? n, depth + 1);
      return;
    }
    const scope = this.model.scopes.scopeAt(n.startIndex);
    if (scope >= 0 && this.model.scopes.isParam(scope, name)) {
      const fn = this.model.scopes.list[scope]!;
      if (!fn.isMethod && this.model.scopes.functionNamed(fn.name) === null) missing.push(`the argument ${name} of ${fn.name}()`);
    }
  }

  private augmented: Node[] | null = null;

  private augmentedBetween(name: string, from: number, to: number, ranges: FlowPath['ranges'], via: Node | null): void {
    if (!this.augmented) this.augmented = this.model.src.root.descendantsOfType('augmented_assignment').filter((x): x is Node => !!x);
    for (const aug of this.augmented) {
      if (aug.startIndex < from || aug.startIndex >= to) continue;
      if (aug.childForFieldName('left')?.text === name) ranges.push({ start: aug.startIndex, end: aug.endIndex, via });
    }
  }
}

/** The iterable a loop variable is drawn from, when `n` is read inside a for loop or comprehension that binds it. */
function loopSource(n: Node): Node | null {
  const binds = (left: Node | null): boolean => !!left && (left.text === n.text || left.namedChildren.some((c) => c?.type === 'identifier' && c.text === n.text));
  for (let p = n.parent, child: Node = n; p && p.type !== 'function_definition' && p.type !== 'module'; child = p, p = p.parent) {
    if (p.type === 'for_statement' && p.childForFieldName('body')?.id === child.id && binds(p.childForFieldName('left'))) return p.childForFieldName('right');
    if (/comprehension$|^generator_expression$/.test(p.type)) {
      for (const c of p.namedChildren) if (c?.type === 'for_in_clause' && binds(c.childForFieldName('left'))) return c.childForFieldName('right');
    }
  }
  return null;
}

/** `lambda x, y: (x / 255, y)`: x is the lambda's parameter, not a variable of the file. */
function lambdaParam(n: Node): boolean {
  for (let p = n.parent; p && !/statement$|^block$|^module$/.test(p.type); p = p.parent) {
    if (p.type !== 'lambda') continue;
    const params = p.childForFieldName('parameters');
    if (params && params.namedChildren.some((c) => c?.text === n.text || (c?.type === 'default_parameter' && c.childForFieldName('name')?.text === n.text))) return true;
  }
  return false;
}

function assignedName(call: Node): string | null {
  let n: Node = call;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (p?.type === 'assignment' && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    if (left && (left.type === 'identifier' || left.type === 'attribute')) return left.text;
  }
  return null;
}

const cache = new WeakMap<PythonModel, ModelFlow>();

/** The file's model flow, built once per parsed file on the first rule that asks. */
export function modelFlowOf(model: PythonModel, values: KerasValues): ModelFlow {
  let f = cache.get(model);
  if (!f) cache.set(model, (f = new ModelFlow(model, values)));
  return f;
}
