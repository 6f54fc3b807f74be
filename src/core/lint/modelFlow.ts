import type { SyntaxNode as Node } from './syntaxNode';
import { boundName, type KerasValue, type KerasValues } from './kerasValues';
import { exclusiveArms } from './branchGuards';
import type { Assignment, CallInfo, PythonModel } from './pythonModel';
import { mergeRanges, rangesContain, type RangeSet } from './rangeSet';
import { pathArgumentExtents } from './pathArguments';
import { wrappedLayer } from './layerWrappers';
import { savedModelsAt } from './savedModels';
import { sequentialLayersOf, stagesBefore, type SequentialLayers } from './sequentialLayers';
import { batchMethodOf, classAt, selfMethodAt, selfValuesAt } from './userClasses';

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
  /** Data (not only a keras.Input of a graph) reaches the backbone through a call of this file (computed on demand). */
  fedWithData: () => boolean;
}

/** Node types with no names inside. */
const LEAVES = new Set(['string', 'integer', 'float', 'comment', 'true', 'false', 'none']);

/** What a name read is bound to: an expression (its assignment, a loop's iterable), a helper of this file, a missing link. */
type Binding =
  | { kind: 'none'; called: boolean }
  | { kind: 'missing'; called: boolean; text: string }
  | { kind: 'expr'; called: boolean; node: Node; extra: { start: number; end: number }[]; more?: Node[] }
  | { kind: 'def'; called: boolean; def: Node; body: Node | null }
  | { kind: 'param'; called: boolean; args: Node[] };

// fit_generator & co.: Keras 2's names for fit/predict/evaluate on generators (course notebooks still use them)
/** The feed methods that train a model (its loss sees their labels). */
export const TRAINING_METHODS: ReadonlySet<string> = new Set(['fit', 'fit_generator', 'train_on_batch']);
/** The feed methods that evaluate a model (its loss sees their labels, no training). */
export const EVALUATION_METHODS: ReadonlySet<string> = new Set(['evaluate', 'evaluate_generator', 'test_on_batch']);
/** The feed methods that only run a model on data (no labels). */
export const PREDICTION_METHODS: ReadonlySet<string> = new Set(['predict', 'predict_generator', 'predict_on_batch']);
const FEED_METHODS = new Set([...TRAINING_METHODS, ...EVALUATION_METHODS, ...PREDICTION_METHODS, '__call__']);
const NO_FEEDS: readonly (Feed & { target: FlowModel })[] = Object.freeze([]);
/** The operators of augmented assignments (`//=` and `**=` contain `/=` and `*=`). */
const AUGMENTED_OPS = ['-=', '+=', '*=', '/='];
const FUNCTIONAL = /^keras\.(models\.)?Model$/;
const SEQUENTIAL = /(^|\.)Sequential$/;
const LOAD_MODEL = /^keras\.(models\.|saving\.)?load_model$/;

/**
 * One model-flow analysis for the rules: which models the file builds, which keras_hub values sit inside each, which
 * calls feed or compile each (the name as assigned at that point: later cells redefine it), and which code lies on
 * the path of the data into a backbone.
 */
export class ModelFlow {
  readonly models: FlowModel[] = [];
  private readonly byNode = new Map<number, FlowModel>();
  private readonly paths = new Map<number, FlowPath>();
  private feedsCache: (Feed & { target: FlowModel })[] | null = null;
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
      const cls = f.classNode;
      const bases = cls?.childForFieldName('superclasses')?.text ?? '';
      if (cls && /\b(Model|Layer)\b/.test(bases)) this.subclasses.set(f.className, cls);
    }
  }

  /** The model an expression names at that point of the program, or null when it cannot be told. */
  modelAt(expr: Node | null, depth = 0): FlowModel | null {
    if (!expr || depth > 4) return null;
    const v = this.values.valueOf(expr);
    if (v && v.kind !== 'converter' && v.kind !== 'preprocessor') return this.byNode.get(v.def.node.id) ?? null;
    if (expr.type === 'attribute' && expr.text.startsWith('self.')) {
      const own = this.selfAssignment(expr.text, expr.startIndex);
      if (own) return 'several' in own || !own.a ? null : this.modelAt(own.a.value, depth + 1);
    }
    const r = this.model.resolve(expr);
    if (!r) return null;
    const m = this.byNode.get(r.id);
    if (m || r.type !== 'call') return m ?? null;
    // TimeDistributed(base): the wrapper calls the model on each frame, so it stands for the model
    const inner = wrappedLayer(this.model.callAt(r));
    if (inner) return this.modelAt(inner, depth + 1);
    // keras.models.load_model(path) of a path this file saves the model to (model.save, ModelCheckpoint): that model
    const load = this.model.callAt(r);
    if (!load || !LOAD_MODEL.test(load.callee ?? '')) return null;
    for (const saver of savedModelsAt(this.model, load)) {
      const saved = this.modelAt(saver, depth + 1);
      if (saved) return saved;
    }
    return null;
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
      // its list, then model.add(backbone) after the Sequential is made (for layer in backbone.layers: model.add(layer) copies it)
      for (const l of this.layersOf(m).layers) addFrom(l.copiedFrom ?? l.node);
    } else if (m.kind === 'functional') {
      const outputs = c.kwargs.get('outputs') ?? c.args[1] ?? null;
      const slice = this.slice(outputs ? [outputs] : [], this.hubCallIds());
      const merged = mergeRanges(slice.ranges);
      for (const v of this.values.values) {
        if (v.kind === 'converter' || v.kind === 'preprocessor') continue;
        const sites = this.hubSites(v);
        if (sites.some((s) => rangesContain(merged, s.node.startIndex, s.node.endIndex))) out.push(v);
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

  private readonly sites = new Map<KerasValue, readonly CallInfo[]>();

  /** A keras_hub value's calls and its backbone's (`task.backbone(x)`), joined once per value (do not change the list). */
  private hubSites(v: KerasValue): readonly CallInfo[] {
    let out = this.sites.get(v);
    if (!out) this.sites.set(v, (out = [...this.values.callsOf(v), ...this.values.backboneCallsOf(v)]));
    return out;
  }

  private hubCalls: Set<number> | null = null;

  /** The calls of keras_hub backbones and tasks (`backbone(x)`, `task.backbone(x)`), by node id. */
  private hubCallIds(): Set<number> {
    if (!this.hubCalls) {
      this.hubCalls = new Set();
      for (const v of this.values.values) {
        if (v.kind === 'converter' || v.kind === 'preprocessor') continue;
        for (const c of this.hubSites(v)) this.hubCalls.add(c.node.id);
      }
    }
    return this.hubCalls;
  }

  private readonly layerLists = new Map<number, SequentialLayers>();

  /** A Sequential's layers in program order: its list, then its `.add` calls (found once per model). */
  layersOf(m: FlowModel): SequentialLayers {
    let l = this.layerLists.get(m.node.id);
    if (!l) this.layerLists.set(m.node.id, (l = sequentialLayersOf(this.model, m.node, (r) => this.modelAt(r) === m)));
    return l;
  }

  /** Models that contain a keras_hub value. */
  containing(v: KerasValue): FlowModel[] {
    return this.models.filter((m) => m.hub.some((h) => h.def.node.id === v.def.node.id));
  }

  /** Models of the file that do not contain any keras_hub value (a baseline, a from-scratch convnet, an application). */
  others(): FlowModel[] {
    return this.models.filter((m) => m.hub.length === 0);
  }

  /** Every fit/predict/evaluate/call of a model built in the file, with the model it reaches (found once; do not change the list). */
  feeds(): (Feed & { target: FlowModel })[] {
    return (this.feedsCache ??= this.computeFeeds());
  }

  private feedsByTarget: Map<FlowModel, (Feed & { target: FlowModel })[]> | null = null;

  /** The feeds of one model, in source order (grouped once per pass; do not change the list). */
  feedsOf(m: FlowModel): readonly (Feed & { target: FlowModel })[] {
    if (!this.feedsByTarget) {
      this.feedsByTarget = new Map();
      for (const f of this.feeds()) {
        const list = this.feedsByTarget.get(f.target);
        if (list) list.push(f);
        else this.feedsByTarget.set(f.target, [f]);
      }
    }
    return this.feedsByTarget.get(m) ?? NO_FEEDS;
  }

  private computeFeeds(): (Feed & { target: FlowModel })[] {
    const out: (Feed & { target: FlowModel })[] = [];
    const names = new Set<string>();
    for (const m of this.models) {
      const n = boundName(m.node);
      if (n) names.add(n);
    }
    for (const [name, list] of this.model.assignments) if (list.some((a) => this.model.callAt(a.value) && !names.has(name))) names.add(name);
    // best_model = model (kept in a search loop, then evaluated): a name assigned another model name is a model name
    // too (modelAt below tells which model it is at the feed, or none)
    for (let grown = true; grown; ) {
      grown = false;
      for (const [name, list] of this.model.assignments) {
        if (names.has(name) || !list.some((a) => a.value.type === 'identifier' && names.has(a.value.text))) continue;
        names.add(name);
        grown = true;
      }
    }
    for (const call of this.model.calls) {
      const text = call.fnText;
      // layers.TimeDistributed(base)(x): a call of the wrapper, not a method named after it
      const dot = call.fn?.type === 'call' && wrappedLayer(this.model.callAt(call.fn)) ? -1 : text.lastIndexOf('.');
      const method = dot > 0 ? text.slice(dot + 1) : '__call__';
      const receiver = dot > 0 ? call.fn?.childForFieldName('object') ?? null : call.fn;
      if (!receiver || !FEED_METHODS.has(method)) continue;
      const recText = dot > 0 ? text.slice(0, dot) : text;
      // a parameter (`def train(model, data): model.fit(data)`) names what the calls of its function pass
      if (!names.has(recText) && !this.byNode.has(receiver.id) && !recText.includes('(') && !this.model.scopes.isParam(this.model.scopes.scopeAt(receiver.startIndex), recText)) continue;
      const target = this.modelAt(receiver);
      if (!target) continue;
      const data = call.kwargs.get('x') ?? call.kwargs.get('generator') ?? call.args[0] ?? null;
      out.push({ call, method, data, target });
    }
    return out;
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
    const cached = this.paths.get(value.def.node.id);
    if (cached) return cached;
    const v = this.values.values.find((x) => x.def.node.id === value.def.node.id) ?? value;
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
    const guessed: string[] = [];
    // model = Sequential(); model.add(Rescaling(...)); model.add(backbone): the layers added before the backbone
    for (const m of holders) {
      if (m.kind !== 'sequential') continue;
      const before = stagesBefore(this.layersOf(m), (l) => {
        const inner = this.modelAt(l.copiedFrom ?? l.node);
        return !!inner && inner.hub.some((h) => h.def.node.id === v.def.node.id);
      });
      if (before?.guessed) guessed.push(before.guessed);
      for (const el of before?.stages ?? []) {
        if (extra.some((r) => r.start === el.startIndex)) continue;
        extra.push({ start: el.startIndex, end: el.endIndex, via: null });
        starts.push(el);
      }
    }
    for (const f of this.feeds()) {
      if (!holders.has(f.target) || feeds.some((x) => x.call.node.id === f.call.node.id)) continue;
      feeds.push(f);
      if (f.data) starts.push(f.data);
    }
    const s = this.slice(starts);
    let fed: boolean | null = null;
    // asked only when a finding depends on it: one slice per call of the backbone
    const fedWithData = (): boolean => (fed ??= feeds.some((f) => f.data && (f.method !== '__call__' || !this.slice([f.data]).ranges.some((r) => this.isInput(r.start, r.end)))));
    const path: FlowPath = { ranges: [...extra, ...s.ranges], feeds, missing: [...s.missing, ...guessed], fedWithData };
    this.paths.set(v.def.node.id, path);
    return path;
  }

  private inputCalls: Set<string> | null = null;

  /** Whether an extent is exactly a keras.Input(...) call. */
  private isInput(start: number, end: number): boolean {
    this.inputCalls ??= new Set(this.model.calls.filter((c) => /^keras\.(layers\.)?Input(Layer)?$/.test(c.callee ?? '')).map((c) => `${c.node.startIndex}:${c.node.endIndex}`));
    return this.inputCalls.has(`${start}:${end}`);
  }

  private readonly modelPaths = new Map<number, { starts: number[]; ends: number[] }>();

  /** Whether a node lies in a model's own graph or on the data fed to it (for models without keras_hub values). */
  onPathOfModel(m: FlowModel, node: Node): boolean {
    let merged = this.modelPaths.get(m.node.id);
    if (!merged) {
      const starts = [m.node];
      for (const f of this.feedsOf(m)) if (f.data) starts.push(f.data);
      this.modelPaths.set(m.node.id, (merged = mergeRanges(this.slice(starts).ranges)));
    }
    return rangesContain(merged, node.startIndex, node.endIndex);
  }

  private readonly merged = new Map<FlowPath, { starts: number[]; ends: number[]; vias: FlowPath['ranges'] }>();

  /** Whether a node lies on the path into v; `via` is the reference that brought a helper's body in, if any. */
  onPath(v: KerasValue, node: Node): { via: Node | null } | null {
    // asked for every (step, value) pair: the merged path is kept by the value's definition (pathOf's own key)
    let m = this.mergedByValue.get(v.def.node.id);
    if (!m) {
      const path = this.pathOf(v);
      m = this.merged.get(path);
      if (!m) this.merged.set(path, (m = { ...mergeRanges(path.ranges), vias: path.ranges.filter((r) => r.via) }));
      this.mergedByValue.set(v.def.node.id, m);
    }
    const start = node.startIndex;
    const end = node.endIndex;
    if (!rangesContain(m, start, end)) return null;
    for (const r of m.vias) if (r.start <= start && end <= r.end) return { via: r.via };
    return { via: null };
  }

  private readonly mergedByValue = new Map<number, { starts: number[]; ends: number[]; vias: FlowPath['ranges'] }>();

  /**
   * Backward slice: the extents of the expressions a value is computed from, following names to their assignments
   * (the one before the read: later cells redefine names) and helpers of this file to their bodies.
   */
  slice(starts: Node[], stop?: Set<number>, skip?: RangeSet): { ranges: FlowPath['ranges']; missing: string[]; calledModels: Node[] } {
    const ranges: FlowPath['ranges'] = [];
    const missing: string[] = [];
    const calledModels: Node[] = [];
    const seen = new Set<number>();
    const seenDefs = new Set<number>();
    let budget = 400;
    const visit = (expr: Node, via: Node | null, depth: number): void => {
      if (depth > 30 || seen.has(expr.id) || budget-- <= 0) return;
      seen.add(expr.id);
      ranges.push({ start: expr.startIndex, end: expr.endIndex, via });
      // a model's graph is known to hold a backbone once its call is reached: what feeds the backbone is its path's business
      if (stop?.has(expr.id)) return;
      const reads = this.readsOf(expr);
      for (const c of reads.called) calledModels.push(c);
      for (const n of reads.names) {
        // names read inside `skip` (the arguments of a feature-making call nested in the expression) are not followed
        if (skip && rangesContain(skip, n.startIndex, n.endIndex)) continue;
        const b = this.bindingOf(n);
        switch (b.kind) {
          case 'missing':
            missing.push(b.text);
            break;
          case 'expr':
            for (const r of b.extra) ranges.push({ start: r.start, end: r.end, via });
            visit(b.node, via, depth + 1);
            for (const m of b.more ?? []) visit(m, via, depth + 1);
            break;
          case 'param':
            // `def train(model, data): model.fit(data)`: what the calls of train pass. Only from the feed's own function:
            // inside a helper body brought in by a reference, the other calls' arguments are other data
            if (via === null) for (const a of b.args) visit(a, null, depth + 1);
            break;
          case 'def':
            if (seenDefs.has(b.def.id)) break;
            seenDefs.add(b.def.id);
            // a helper of this file: the code in its body is on the path; the reference is where the user changes it
            ranges.push({ start: b.def.startIndex, end: b.def.endIndex, via: via ?? n });
            if (b.body) visit(b.body, via ?? n, depth + 1);
            break;
        }
      }
    };
    for (const s of starts) visit(s, null, 0);
    return { ranges, missing, calledModels };
  }

  private readonly readsCache = new Map<number, { names: Node[]; called: Node[] }>();
  private pathArgs: RangeSet | null = null;

  /** The names an expression reads (identifiers, `self.x`) and the functions it calls by name, found once per expression. */
  private readsOf(expr: Node): { names: Node[]; called: Node[] } {
    const cached = this.readsCache.get(expr.id);
    if (cached) return cached;
    const names: Node[] = [];
    const called: Node[] = [];
    // a walk of the mirror's children (a node's type, field and text are plain fields; no cursor, no text copies)
    let budget = 3000;
    const walk = (node: Node, parent: string | null, field: string | null): void => {
      const type = node.type;
      // the attribute name of `obj.attr` and a keyword's name are not reads
      const notRead = (parent === 'attribute' && field === 'attribute') || (parent === 'keyword_argument' && field === 'name');
      if (type === 'identifier') {
        if (!notRead) {
          names.push(node);
          if (parent === 'call' && field === 'function') called.push(node);
        }
        return;
      }
      if (type === 'attribute' && !notRead && node.endIndex - node.startIndex >= 5 && node.source.text.startsWith('self.', node.startIndex)) {
        names.push(node);
        return;
      }
      if (!node.isNamed || LEAVES.has(type) || budget-- <= 0) return;
      for (const c of node.children) walk(c, type, c.field);
    };
    walk(expr, null, null);
    // the path argument of an image loader (cv2.imread(p)) names a file: what computes it is not on a pixel chain
    this.pathArgs ??= pathArgumentExtents(this.model);
    const pathArgs = this.pathArgs;
    const pixel = (n: Node): boolean => !rangesContain(pathArgs, n.startIndex, n.endIndex) || rangesContain(pathArgs, expr.startIndex, expr.endIndex);
    const out = { names: names.filter(pixel), called: called.filter(pixel) };
    this.readsCache.set(expr.id, out);
    return out;
  }

  private readonly bindings = new Map<number, Binding>();

  /** What a name read at that point is bound to, decided once per read. */
  private bindingOf(n: Node): Binding {
    const cached = this.bindings.get(n.id);
    if (cached) return cached;
    const b = this.computeBinding(n);
    this.bindings.set(n.id, b);
    return b;
  }

  private computeBinding(n: Node): Binding {
    const name = n.text;
    const called = false;
    if (this.nearText(n, 'lambda') && enclosing(n, 'lambda').some((l) => lambdaBinds(l, name))) return { kind: 'none', called };
    // c.build(...) on an instance of a class of this file (or self.build(...)): that method's body computes the value
    const call = n.parent?.type === 'attribute' && n.parent.childForFieldName('object')?.id === n.id && n.parent.parent?.type === 'call' ? n.parent.parent : null;
    const onInstance = call && call.childForFieldName('function')?.id === n.parent!.id ? this.model.calledFunction(call) : null;
    if (onInstance !== null) {
      const def = this.model.scopes.list[onInstance]!.node;
      return { kind: 'def', called, def, body: def.childForFieldName('body') };
    }
    const imported = this.model.imports.get(name);
    if (imported) {
      return this.model.unknownImports.has(name) ? { kind: 'missing', called, text: `${name} comes from ${imported.split('.').slice(0, -1).join('.') || imported} (another module)` } : { kind: 'none', called };
    }
    // for x, y in ds: / [f(x) for x in xs]: the loop variable is an element of what is iterated
    const iterated = this.loopSource(n);
    if (iterated) return { kind: 'expr', called, node: iterated, extra: [] };
    // self.x inside a class: that class's assignments only
    const own = name.startsWith('self.') ? this.selfAssignment(name, n.startIndex) : null;
    if (own && 'several' in own) return { kind: 'missing', called, text: own.several };
    const a = own ? own.a : this.model.lastAssignment(name, n.startIndex);
    const inside = a && a.valueStart <= n.startIndex && a.valueEnd >= n.endIndex;
    const ownBefore = own && inside ? this.selfAssignment(name, a.target.startIndex) : null;
    const prior = !inside ? a : own ? (ownBefore && 'a' in ownBefore ? ownBefore.a : undefined) : this.model.lastAssignment(name, a.target.startIndex);
    if (prior) {
      const extra: { start: number; end: number }[] = [];
      // the statement `NAME = value` itself (constants are reported on their line)
      const st = prior.target.parent?.parent;
      if (st?.type === 'expression_statement') extra.push({ start: st.startIndex, end: st.endIndex });
      // x /= 255 between the assignment and the read
      const stmt = prior.target.parent;
      if (stmt) extra.push(...this.augmentedBetween(name, stmt.endIndex, n.startIndex));
      // data = [] then data.append(x) in a loop: what is appended is part of the list read here
      const more = stmt && prior.value.type === 'list' ? this.appendedBetween(name, stmt.endIndex, n.startIndex) : [];
      // if ...: x = a / else: x = b, then a read of x: either arm's value may be read
      more.push(...this.alternativesOf(name, prior, n.startIndex));
      return more.length ? { kind: 'expr', called, node: prior.value, extra, more } : { kind: 'expr', called, node: prior.value, extra };
    }
    const fnIndex = this.model.scopes.functionVisibleAt(name, n.startIndex);
    if (fnIndex !== null) {
      const def = this.model.scopes.list[fnIndex]!.node;
      return { kind: 'def', called, def, body: def.childForFieldName('body') };
    }
    // Gen(...) of a keras.utils.Sequence subclass: its batches are what __getitem__ returns; self.load(...) in a method:
    // that method of the same class
    const method = name.startsWith('self.') ? selfMethodAt(this.model, name, n.startIndex) : batchMethodOf(this.model, name);
    if (method) return { kind: 'def', called, def: method, body: method.childForFieldName('body') };
    const scope = this.model.scopes.scopeAt(n.startIndex);
    if (scope >= 0 && this.model.scopes.isParam(scope, name)) {
      const fn = this.model.scopes.list[scope]!;
      if (!fn.isMethod && this.model.scopes.functionNamed(fn.name) === null) return { kind: 'missing', called, text: `the argument ${name} of ${fn.name}()` };
      const args = this.model.argumentsOf(n);
      if (args.length > 0) return { kind: 'param', called, args };
    }
    return { kind: 'none', called };
  }

  /**
   * `self.x` read at `at` inside a class of the file: the assignment of that class it reads (one assignment; or several
   * in one method: the one before the read there, the last one elsewhere), `several` naming the link when methods of the
   * class assign it differently (which runs first is not known). Null outside a class.
   */
  private selfAssignment(name: string, at: number): { a: Assignment | undefined } | { several: string } | null {
    const own = selfValuesAt(this.model, name, at);
    if (!own) return null;
    if (own.length <= 1) return { a: own[0] };
    const scopes = this.model.scopes;
    const method = scopes.scopeAt(own[0]!.target.startIndex);
    if (own.some((x) => scopes.scopeAt(x.target.startIndex) !== method)) {
      return { several: `${name} (assigned in several methods of class ${classAt(this.model, at)?.name ?? '?'})` };
    }
    const before = own.filter((x) => x.target.startIndex < at);
    return { a: scopes.scopeAt(at) === method ? before[before.length - 1] : own[own.length - 1] };
  }

  /** Whether a word occurs in the few hundred characters before a node (a cheap test before any walk up the tree). */
  private nearText(n: Node, word: string): boolean {
    const start = n.startIndex;
    return this.model.src.text.slice(Math.max(0, start - 400), start).includes(word);
  }

  private forLoops: { node: Node; start: number; end: number }[] | null = null;

  /** The iterable a loop variable is drawn from, when `n` is read inside a for loop or comprehension that binds it. */
  private loopSource(n: Node): Node | null {
    const name = n.text;
    if (this.nearText(n, 'for ') || this.model.indexOfText(' for ', n.endIndex) - n.endIndex < 400) {
      // [f(x) for x in xs]: the comprehension is on the way up to the statement
      for (const c of enclosing(n, 'comprehension')) {
        for (const clause of c.namedChildren) if (clause?.type === 'for_in_clause' && bindsName(clause.childForFieldName('left'), name)) return clause.childForFieldName('right');
      }
    }
    // for x in ds: the innermost loop of the same function whose body holds the read (loops are indexed by the model)
    this.forLoops ??= this.model.nodesOfType('for_statement').map((node) => ({ node, start: node.startIndex, end: node.endIndex }));
    const at = n.startIndex;
    const fn = this.model.scopes.scopeAt(at);
    let best: Node | null = null;
    for (const f of this.forLoops) {
      if (f.start > at) break;
      if (at >= f.end || this.model.scopes.scopeAt(f.start) !== fn) continue;
      const body = f.node.childForFieldName('body');
      if (body && body.startIndex <= at && bindsName(f.node.childForFieldName('left'), name)) best = f.node;
    }
    return best ? best.childForFieldName('right') : null;
  }

  /** Values assigned to `name` before `readAt` in another arm of an if/try that holds the assignment `prior`. */
  private alternativesOf(name: string, prior: Assignment, readAt: number): Node[] {
    const out: Node[] = [];
    const list = this.model.assignments.get(name);
    if (!list || list.length < 2) return out;
    for (const a of list) if (a !== prior && a.scope === prior.scope && a.index === undefined && a.target.startIndex < readAt && exclusiveArms(a.target, prior.target)) out.push(a.value);
    return out;
  }

  /** The arguments of `name.append(...)` / `name.extend(...)` calls between two offsets. */
  private appendedBetween(name: string, from: number, to: number): Node[] {
    const out: Node[] = [];
    if (to <= from) return out;
    for (const method of ['append', 'extend']) {
      for (const c of this.model.callsWithText(`${name}.${method}`)) {
        const at = c.node.startIndex;
        if (at > from && at < to && c.args[0]) out.push(c.args[0]);
      }
    }
    return out;
  }

  private readonly augmentedRes = new Map<string, RegExp>();

  /** `name -= 0.5`, `name /= 255` between two offsets, found in the text and confirmed by the tree. */
  private augmentedBetween(name: string, from: number, to: number): { start: number; end: number }[] {
    const out: { start: number; end: number }[] = [];
    if (to <= from || !/^[A-Za-z_][\w.]*$/.test(name)) return out;
    // every augmented assignment has one of these in the window (`//=` holds `/=`, `**=` holds `*=`): most windows have none
    const inWindow = (op: string): boolean => {
      const at = this.model.indexOfText(op, from);
      return at >= 0 && at + op.length <= to;
    };
    if (!AUGMENTED_OPS.some(inWindow)) return out;
    let re = this.augmentedRes.get(name);
    if (!re) this.augmentedRes.set(name, (re = new RegExp(`(?<![\\w.])${name.replace(/\./g, '\\.')}\\s*(?:[-+*/]|//|\\*\\*)=`, 'g')));
    re.lastIndex = 0;
    const text = this.model.src.text.slice(from, to);
    for (let m = re.exec(text); m; m = re.exec(text)) {
      let aug: Node | null = this.model.src.root.descendantForIndex(from + m.index, from + m.index + name.length);
      while (aug && aug.type !== 'augmented_assignment' && aug.type !== 'module') aug = aug.parent;
      if (aug?.type === 'augmented_assignment') out.push({ start: aug.startIndex, end: aug.endIndex });
    }
    return out;
  }
}

/** The iterable a loop variable is drawn from, when `n` is read inside a for loop or comprehension that binds it. */
const bindsName = (left: Node | null, name: string): boolean =>
  !!left && (left.text === name || left.namedChildren.some((c) => (c?.type === 'identifier' && c.text === name) || (!!c && /pattern|^tuple$|^list$|parenthesized/.test(c.type) && bindsName(c, name))));

/** The nodes around `n` up to its statement whose type ends with `suffix` (lambda, …comprehension, generator_expression). */
function enclosing(n: Node, suffix: string): Node[] {
  const out: Node[] = [];
  for (let p = n.parent; p && !/statement$|^block$|^module$/.test(p.type); p = p.parent) {
    if (p.type.endsWith(suffix) || (suffix === 'comprehension' && p.type === 'generator_expression')) out.push(p);
  }
  return out;
}

/** `lambda x, y: (x / 255, y)`: x is the lambda's parameter, not a variable of the file. */
function lambdaBinds(lambda: Node, name: string): boolean {
  const params = lambda.childForFieldName('parameters');
  return !!params && params.namedChildren.some((c) => c?.text === name || (c?.type === 'default_parameter' && c.childForFieldName('name')?.text === name));
}

const cache = new WeakMap<PythonModel, ModelFlow>();

/** The file's model flow, built once per parsed file on the first rule that asks. */
export function modelFlowOf(model: PythonModel, values: KerasValues): ModelFlow {
  let f = cache.get(model);
  if (!f) cache.set(model, (f = new ModelFlow(model, values)));
  return f;
}
