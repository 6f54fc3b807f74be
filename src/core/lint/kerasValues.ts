import type { SyntaxNode as Node } from './syntaxNode';
import { familyByPrefix, type FamilyInfo } from '../presets/familyCatalog';
import { presetFacts, type PresetFacts, type PresetLookup } from '../presets/presetFacts';
import type { CallInfo, PythonModel } from './pythonModel';
import { presetTableOf, type PresetTable } from './presetTables';
import { sequentialAddedTo } from './sequentialAdd';

/** kerascv-task: `keras_cv.models.ImageClassifier.from_preset(...)` and other non-backbone KerasCV presets. */
export type ValueKind = 'backbone' | 'task' | 'converter' | 'preprocessor' | 'kerascv-backbone' | 'kerascv-task';

/** A Keras Hub object created in the file (from_preset or a converter constructor). */
export interface KerasValue {
  kind: ValueKind;
  def: CallInfo;
  className: string;
  preset: string | null;
  presetNode: Node | null;
  facts: PresetFacts | undefined;
  family: FamilyInfo | null;
  /** Variable (or `self.x`) the value is bound to, if any. */
  name: string | null;
  /** The table the preset (and maybe the class) is picked from by a key this file does not fix (presetTables.ts). */
  table?: { name: string; node: Node; entries: { className: string | null; preset: string | null; facts: PresetFacts | undefined; family: FamilyInfo | null }[] };
}

/** A class's family, or the preset's own view of it (a preset with its own statistics) when it is the class's family. */
function familyFor(cls: string, facts: PresetFacts | undefined): FamilyInfo | null {
  const prefix = cls.replace(/(Backbone|ImageClassifierPreprocessor|ImageClassifier|ImageConverter|Preprocessor)$/, '');
  const byPrefix = prefix ? familyByPrefix(prefix) : undefined;
  return (byPrefix && facts?.family?.family === byPrefix.family ? facts.family : byPrefix) ?? facts?.family ?? null;
}

function classOf(callee: string): { ns: string; cls: string } | null {
  const m = /^(keras_hub\.models|keras_hub\.layers|keras_cv\.models|keras_hub)\.([A-Za-z0-9_]+)(?:\.from_preset)?$/.exec(callee);
  return m ? { ns: m[1] as string, cls: m[2] as string } : null;
}

function kindOf(ns: string, cls: string, isFromPreset: boolean): ValueKind | null {
  if (ns === 'keras_cv.models') return !isFromPreset ? null : /Backbone$/.test(cls) ? 'kerascv-backbone' : 'kerascv-task';
  if (/ImageConverter$/.test(cls)) return 'converter';
  if (!isFromPreset) return null;
  if (/Backbone$/.test(cls)) return 'backbone';
  if (/Preprocessor$/.test(cls)) return 'preprocessor';
  if (/(ImageClassifier|Task|ImageSegmenter|ObjectDetector)$/.test(cls)) return 'task';
  return null;
}

/** Binds the assignment target of a call, if the call is the whole right-hand side. */
export function boundName(call: Node): string | null {
  let n: Node = call;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (p?.type === 'assignment' && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    if (left && (left.type === 'identifier' || left.type === 'attribute')) return left.text;
  }
  return null;
}

export class KerasValues {
  readonly values: KerasValue[] = [];
  private readonly byCall = new Map<number, KerasValue>();
  private readonly valueCache = new Map<number, KerasValue | undefined>();
  private callTargets: { call: CallInfo; target: KerasValue | undefined; method: string | null; methodTarget: KerasValue | undefined }[] | null = null;

  constructor(readonly model: PythonModel, lookup?: PresetLookup) {
    for (const c of model.calls) {
      if (!c.callee) continue;
      const isFromPreset = c.callee.endsWith('.from_preset');
      const co = classOf(c.callee);
      if (!co) {
        if (isFromPreset) this.addTableValue(c, lookup);
        continue;
      }
      const kind = kindOf(co.ns, co.cls, isFromPreset);
      if (!kind) continue;
      const presetNode = isFromPreset ? (c.args[0] ?? c.kwargs.get('preset') ?? null) : null;
      const preset = presetNode ? model.stringValue(presetNode) : null;
      const facts = preset ? presetFacts(preset, lookup) : undefined;
      const family = familyFor(co.cls, facts);
      const v: KerasValue = { kind, def: c, className: co.cls, preset, presetNode, facts, family, name: boundName(c.node) };
      // XBackbone.from_preset(PRESETS[key]): the preset is one of the table's
      const table = isFromPreset && presetNode && preset === null ? presetTableOf(model, c, co.cls) : null;
      if (table) v.table = this.tableFacts(table, lookup);
      this.values.push(v);
      this.byCall.set(c.node.id, v);
    }
  }

  /**
   * `cls, preset = TABLE[key]; cls.from_preset(preset)`: a value whose class and preset are one entry of a table, when
   * every entry names a keras_hub class of one kind (backbone, task, …).
   */
  private addTableValue(c: CallInfo, lookup?: PresetLookup): void {
    const table = presetTableOf(this.model, c, null);
    const classes = table ? [...new Set(table.entries.map((e) => e.className))] : [];
    if (!table || classes.some((x) => x === null)) return;
    const kinds = new Set(classes.map((x) => kindOf('keras_hub.models', x!, true)));
    const kind = kinds.size === 1 ? [...kinds][0] : null;
    if (!kind) return;
    const presetNode = c.args[0] ?? c.kwargs.get('preset') ?? null;
    const v: KerasValue = { kind, def: c, className: classes.join('/'), preset: null, presetNode, facts: undefined, family: null, name: boundName(c.node), table: this.tableFacts(table, lookup) };
    this.values.push(v);
    this.byCall.set(c.node.id, v);
  }

  private tableFacts(table: PresetTable, lookup?: PresetLookup): NonNullable<KerasValue['table']> {
    const entries = table.entries.map((e) => {
      const facts = e.preset ? presetFacts(e.preset, lookup) : undefined;
      return { className: e.className, preset: e.preset, facts, family: e.className && facts ? familyFor(e.className, facts) : null };
    });
    return { name: table.name, node: table.node, entries };
  }

  /** The Keras value an expression evaluates to: a from_preset call, a variable holding one, `task.backbone`. */
  valueOf(node: Node | null): KerasValue | undefined {
    if (!node) return undefined;
    if (this.valueCache.has(node.id)) return this.valueCache.get(node.id);
    const v = this.computeValueOf(node);
    this.valueCache.set(node.id, v);
    return v;
  }

  private computeValueOf(node: Node | null): KerasValue | undefined {
    const r = this.model.resolve(node);
    if (!r) return undefined;
    if (r.type === 'call') return this.byCall.get(r.id);
    if (r.type === 'attribute') {
      const attr = r.childForFieldName('attribute')?.text;
      const base = this.valueOf(r.childForFieldName('object'));
      if (base?.kind === 'task' && attr === 'backbone') return { ...base, kind: 'backbone', name: r.text };
      if (base?.kind === 'task' && attr === 'preprocessor') return { ...base, kind: 'preprocessor', name: r.text };
    }
    return undefined;
  }

  ofKind(...kinds: ValueKind[]): KerasValue[] {
    return this.values.filter((v) => kinds.includes(v.kind));
  }

  /** For every call: the value it calls (`backbone(x)`), and the value whose method it calls (`task.fit`). */
  private targets(): NonNullable<KerasValues['callTargets']> {
    if (this.callTargets) return this.callTargets;
    this.callTargets = this.model.calls.map((call) => {
      const text = call.fnText;
      // decided from the callee's text first: most calls (print, len, keras.layers.Dense) cannot be a value
      const dotted = /^[A-Za-z_][\w.]*$/.test(text);
      const target = call.fn && (dotted ? this.mightBeValue(text) : text.includes('(')) ? this.valueOf(call.fn) : undefined;
      let method: string | null = null;
      let methodTarget: KerasValue | undefined;
      const dot = text.lastIndexOf('.');
      if (dot > 0 && /^[A-Za-z_]\w*$/.test(text.slice(dot + 1)) && call.fn?.type === 'attribute') {
        method = text.slice(dot + 1);
        const objText = text.slice(0, dot);
        if (dotted ? this.mightBeValue(objText) : objText.includes('(')) methodTarget = this.valueOf(call.fn.childForFieldName('object'));
      }
      return { call, target, method, methodTarget };
    });
    return this.callTargets;
  }

  private boundNames: Set<string> | null = null;

  /** Cheap pre-filter: only names bound to a value, assigned, or parameters (or calls) can evaluate to one. */
  private mightBeValue(text: string): boolean {
    if (text.includes('(')) return true;
    if (!this.boundNames) {
      this.boundNames = new Set([...this.values.flatMap((v) => (v.name ? [v.name] : [])), ...this.model.assignments.keys(), ...this.model.scopes.list.flatMap((f) => f.params.map((p) => p.name))]);
    }
    const base = text.replace(/\.(backbone|preprocessor)$/, '');
    return this.boundNames.has(base) || this.boundNames.has(text);
  }

  /** Calls whose callee is the value itself (`backbone(x)`, `self.encoder(x)`), not its methods. */
  callsOf(v: KerasValue): CallInfo[] {
    return this.cachedCalls(v, v.kind, (t) => t.call.node.id !== v.def.node.id && t.target!.kind === v.kind);
  }

  /** callsOf and backboneCallsOf answers by definition and kind (rules ask for every backbone, again and again). */
  private readonly callsCache = new Map<number, Map<string, CallInfo[]>>();

  /** The calls of the targets of v's definition that `keep` accepts, found once per definition and key. */
  private cachedCalls(v: KerasValue, key: string, keep: (t: NonNullable<KerasValues['callTargets']>[number]) => boolean): CallInfo[] {
    let byKey = this.callsCache.get(v.def.node.id);
    if (!byKey) this.callsCache.set(v.def.node.id, (byKey = new Map()));
    let calls = byKey.get(key);
    if (!calls) byKey.set(key, (calls = (this.targetsByDef().get(v.def.node.id) ?? []).filter(keep).map((t) => t.call)));
    return calls;
  }

  private byDef: Map<number, NonNullable<KerasValues['callTargets']>> | null = null;

  /** Call targets grouped by the definition of the value called (each value's calls found without a full scan). */
  private targetsByDef(): Map<number, NonNullable<KerasValues['callTargets']>> {
    if (!this.byDef) {
      this.byDef = new Map();
      for (const t of this.targets()) {
        if (!t.target) continue;
        const id = t.target.def.node.id;
        let list = this.byDef.get(id);
        if (!list) this.byDef.set(id, (list = []));
        list.push(t);
      }
    }
    return this.byDef;
  }

  private sequentialElements: { el: Node; value: KerasValue | undefined }[] | null = null;

  /** Calls of a task's backbone (`classifier.backbone(x)`). */
  backboneCallsOf(task: KerasValue): CallInfo[] {
    if (task.kind !== 'task') return [];
    return this.cachedCalls(task, 'backbone-of-task', (t) => t.target!.kind === 'backbone');
  }

  /** `keras.Sequential([..., backbone, ...])`, `s.add(backbone)`: the backbone receives whatever the layers before it produce. */
  sequentialUses(v: KerasValue): CallInfo[] {
    if (!this.sequentialElements) {
      this.sequentialElements = [];
      for (const c of this.model.calls) {
        if (!c.callee || !/(^|\.)Sequential$/.test(c.callee)) continue;
        const r = this.model.resolve(c.args[0] ?? c.kwargs.get('layers') ?? null);
        if (r?.type !== 'list') continue;
        for (const el of r.namedChildren) if (el) this.sequentialElements.push({ el, value: this.valueOf(el) });
      }
      // s = keras.Sequential(); s.add(backbone): the add() form of the same model
      for (const c of this.model.calls) {
        const el = c.args[0];
        if (el && sequentialAddedTo(this.model, c)) this.sequentialElements.push({ el, value: this.valueOf(el) });
      }
    }
    return this.sequentialElements
      .filter((e) => e.value?.def.node.id === v.def.node.id)
      .map((e) => ({ node: e.el, fn: null, fnText: '', callee: null, args: [], kwargs: new Map() }));
  }

  /** Method calls on the value: `task.fit(...)`, `backbone.summary()`. */
  methodCalls(v: KerasValue, method: string): CallInfo[] {
    if (!this.byMethod) {
      // every method call indexed once by (value, method), in call order
      this.byMethod = new Map();
      for (const t of this.targets()) {
        if (t.method === null || t.methodTarget === undefined) continue;
        const key = `${t.methodTarget.def.node.id}:${t.method}`;
        let list = this.byMethod.get(key);
        if (!list) this.byMethod.set(key, (list = []));
        list.push(t.call);
      }
    }
    return [...(this.byMethod.get(`${v.def.node.id}:${method}`) ?? [])];
  }

  private byMethod: Map<string, CallInfo[]> | null = null;

  /** Is the value used anywhere besides its definition (called, mapped, passed, listed)? */
  isUsed(v: KerasValue): boolean {
    if (!v.name) {
      // inline use: ImageConverter.from_preset(p)(x), ds.map(ImageConverter.from_preset(p)), preprocessor=...
      const p = v.def.node.parent;
      return p !== null && p.type !== 'expression_statement';
    }
    return this.model.references(v.name).some((r) => r.startIndex > v.def.node.startIndex || v.name!.startsWith('self.'));
  }
}
