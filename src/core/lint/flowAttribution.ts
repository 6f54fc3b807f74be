import type { SyntaxNode as Node } from './syntaxNode';
import { exclusiveArms } from './branchGuards';
import { onPixelPathOfModel } from './featureInputs';
import type { KerasValue } from './kerasValues';
import type { LintRange, RuleContext } from './lintTypes';
import { modelFlowOf, TRAINING_METHODS, type FlowModel, type FlowPath, type ModelFlow } from './modelFlow';
import { mergeRanges, rangesContain } from './rangeSet';
import { batchMethodOf } from './userClasses';

/**
 * Whether a piece of code belongs to a keras_hub value's path. `on`: the evidence chain is complete (a warning may be
 * said). Otherwise `info` names the missing link (information at most), or is null: the code is another model's, or
 * certainly not on the path (say nothing).
 */
export type Verdict = { on: true; via: Node | null } | { on: false; info: string | null; otherModel: () => boolean };

export function flowOf(ctx: RuleContext): ModelFlow {
  return modelFlowOf(ctx.model, ctx.values);
}

const hubModelCounts = new WeakMap<ModelFlow, number>();

/** How many keras_hub values the file builds are models (not converters), counted once per file. */
function hubModelCount(flow: ModelFlow): number {
  let n = hubModelCounts.get(flow);
  if (n === undefined) hubModelCounts.set(flow, (n = flow.values.values.filter((v) => v.kind !== 'converter' && v.kind !== 'preprocessor').length));
  return n;
}

/** Several distinct models: other than v's holders, a baseline, an application, or another backbone. */
const othersCache = new WeakMap<ModelFlow, Map<number, FlowModel[]>>();

function otherModels(flow: ModelFlow, v: KerasValue): FlowModel[] {
  let byValue = othersCache.get(flow);
  if (!byValue) othersCache.set(flow, (byValue = new Map()));
  let out = byValue.get(v.def.node.id);
  if (!out) byValue.set(v.def.node.id, (out = computeOthers(flow, v)));
  return out;
}

function computeOthers(flow: ModelFlow, v: KerasValue): FlowModel[] {
  const mine = new Set(flow.containing(v));
  // a task and its own backbone, or a model wrapping v, are v's
  return flow.models.filter((m) => !mine.has(m) && !m.hub.some((h) => h.def.node.id === v.def.node.id) && !(m.kind === 'hub' && m.hub[0]?.name && v.name?.startsWith(`${m.hub[0].name}.`)));
}

/** No extractors besides pretrained models (the keras_hub view knows no keras.applications holders). */
const NO_EXTRACTORS: ReadonlySet<FlowModel> = new Set();

const onModelCache = new WeakMap<ModelFlow, Map<number, Map<FlowModel, boolean>>>();

/** Whether the code lies on the path of another model of the file (its graph, or the data fed to it). */
function onOtherModel(flow: ModelFlow, others: FlowModel[], node: Node): boolean {
  // every backbone asks about the same step and mostly the same other models: each (step, model) answered once
  let byNode = onModelCache.get(flow);
  if (!byNode) onModelCache.set(flow, (byNode = new Map()));
  let known = byNode.get(node.id);
  if (!known) byNode.set(node.id, (known = new Map()));
  const memo = known;
  return others.some((m) => {
    let on = memo.get(m);
    if (on === undefined) memo.set(m, (on = m.hub.some((h) => flow.onPath(h, node)) || onPixelPathOfModel(flow, m, node, NO_EXTRACTORS)));
    return on;
  });
}

export function attribute(ctx: RuleContext, v: KerasValue, node: Node): Verdict {
  const flow = flowOf(ctx);
  const found = flow.onPath(v, node);
  // a step in a helper branch that no call of the helper runs (every call leaves `scale=False`) is not on the path
  const on = found && ctx.model.runsInSomeCall(node) === false ? null : found;
  if (on && !exclusiveArms(node, v.def.node)) return { on: true, via: on.via };
  const others = otherModels(flow, v);
  const otherModel = (): boolean => onOtherModel(flow, others, node);
  // the data path is followed through both arms of an if, but a run that builds the model in one arm skips the other
  if (on) return { on: false, info: branchLink(v.className), otherModel };
  const path = flow.pathOf(v);
  if (others.length > 0 || hubModelCount(flow) > 1) {
    // several models and the code reaches none of this one's along links we followed: only a broken link can make it
    // this one's, and not when it is on another model's path (asked only then: every other path costs a slice)
    if (path.missing.length === 0 || otherModel()) return { on: false, info: null, otherModel };
    return { on: false, info: `this file builds several models, and the path of the data into ${v.className} goes through ${path.missing[0]}`, otherModel };
  }
  if (path.missing.length > 0) return { on: false, info: `the path of the data into ${v.className} goes through ${path.missing[0]}`, otherModel };
  if (path.fedWithData()) return { on: false, info: null, otherModel }; // followed every link: this code is not on it
  return { on: false, info: `no call in this file feeds data into ${v.className}`, otherModel };
}

/**
 * When a step on v's path, written outside any helper, also lies on another model's path (one `x / 255` feeding a
 * from-scratch CNN and the pretrained model): the call of v's own feed whose data carries it, where the fix belongs
 * (removing the step would break the other model). Null when no other model uses it or no feed's data shows it.
 */
export function sharedStepFeed(ctx: RuleContext, v: KerasValue, step: Node): Node | null {
  const flow = flowOf(ctx);
  // only models that take data count; one whose every call lies on v's path (an augmentation Sequential applied in
  // the map) or in the graph of a functional model holding v (the augmentation before it, the head after it) is a
  // stage of v's data, not another model sharing it
  const graphs = flow.containing(v).filter((h) => h.kind === 'functional');
  const others = otherModels(flow, v).filter((m) => {
    const calls = flow.feedsOf(m);
    return calls.length > 0 && !calls.every((f) => f.method === '__call__' && (flow.onPath(v, f.call.node) !== null || graphs.some((h) => flow.onPathOfModel(h, f.call.node))));
  });
  if (others.length === 0 || !onOtherModel(flow, others, step)) return null;
  for (const f of flow.pathOf(v).feeds) {
    if (f.data && rangesContain(mergeRanges(flow.slice([f.data]).ranges), step.startIndex, step.endIndex)) return f.call.node;
  }
  return null;
}

/** The missing link when a step and the model it would feed sit in different arms of one if/else or try. */
export function branchLink(model: string): string {
  return `this step and ${model} are in different branches of one if/else or try, so a run that builds the model skips it (unless a loop runs both)`;
}

/** Related locations of the evidence chain: built here, called here, fed (predict/evaluate) here, trained here. */
export function chainOf(ctx: RuleContext, v: KerasValue): { message: string; range: LintRange }[] {
  const flow = flowOf(ctx);
  const path = flow.pathOf(v);
  const out = [{ message: `${v.className}.from_preset(${v.presetNode?.text ?? '…'}) built here`, range: ctx.range(v.def.node) }];
  const called = path.feeds.find((f) => f.method === '__call__');
  if (called) out.push({ message: 'called here', range: ctx.range(called.call.node) });
  const fed = path.feeds.find((f) => f.method !== '__call__' && !TRAINING_METHODS.has(f.method));
  if (fed) out.push({ message: 'fed here', range: ctx.range(fed.call.node) });
  const fit = path.feeds.find((f) => TRAINING_METHODS.has(f.method));
  if (fit) out.push({ message: 'trained here', range: ctx.range(fit.call.node) });
  return out;
}

const validationCache = new WeakMap<object, { start: number; end: number }[]>();

/**
 * Whether a node lies on what the fit() calls of a path get as `validation_data`, or on data handed with the fed model
 * to an evaluator imported from user code (the same model's evaluation data: a helper applied to it and to the
 * training data is not shared with other data).
 */
export function onValidationData(ctx: RuleContext, path: Pick<FlowPath, 'feeds'>, node: Node): boolean {
  let ranges = validationCache.get(path);
  if (!ranges) {
    const data = path.feeds.filter((f) => /^fit(_generator)?$/.test(f.method)).flatMap((f) => f.call.kwargs.get('validation_data') ?? []);
    data.push(...handedWithModel(ctx, path));
    validationCache.set(path, (ranges = data.length ? flowOf(ctx).slice(data).ranges : []));
  }
  return ranges.some((r) => r.start <= node.startIndex && node.endIndex <= r.end);
}

/**
 * The data handed together with a model this path feeds to a function the file imports from user code
 * (`result_test(test_gen, model)` of `from utils import result_test`): the model's own evaluation, out of sight.
 */
function handedWithModel(ctx: RuleContext, path: Pick<FlowPath, 'feeds'>): Node[] {
  const flow = flowOf(ctx);
  const fed = new Set<FlowModel | null>(path.feeds.map((f) => (f.call.fn?.type === 'attribute' ? flow.modelAt(f.call.fn.childForFieldName('object')) : null)));
  fed.delete(null);
  if (fed.size === 0) return [];
  const out: Node[] = [];
  for (const c of ctx.model.calls) {
    if (c.fn?.type !== 'identifier' || !ctx.model.unknownImports.has(c.fnText)) continue;
    const args = [...c.args, ...c.kwargs.values()];
    const model = args.find((a) => a.type === 'identifier' && fed.has(flow.modelAt(a)));
    if (model) out.push(...args.filter((a) => a !== model));
  }
  return out;
}

/**
 * Where a finding about a step reached through a helper (`via`: the reference that applies it) is anchored: the step
 * itself when it is written inside that helper (the line to change), also when the helper is applied to other data
 * of the same model (`onPath`: the training and the validation data); where the helper is applied to this data when
 * another application of it is off the path (another model's data, data shown or kept: changing the body would change
 * it too) or the step is a constant the helper reads.
 */
export function helperAnchor(ctx: RuleContext, via: Node, step: Node, onPath: (n: Node) => boolean): Node {
  if (via.type === 'attribute') return methodAnchor(ctx, via, step, onPath);
  if (via.type !== 'identifier') return via;
  const def = ctx.model.scopes.functionVisibleAt(via.text, via.startIndex);
  // a keras.utils.Sequence subclass brings its __getitem__ in: the class's other uses decide as a helper's would
  const batches = def === null ? batchMethodOf(ctx.model, via.text) : null;
  const fn = def === null ? null : ctx.model.scopes.list[def]!;
  const extent = fn ?? (batches ? { start: batches.startIndex, end: batches.endIndex } : null);
  if (!extent) return via;
  const sameDef = (r: Node): boolean => (batches ? r.parent?.type !== 'class_definition' : ctx.model.scopes.functionVisibleAt(r.text, r.startIndex) === def);
  const shared = ctx.model.identifiersNamed(via.text).some((r) => r.parent?.type !== 'function_definition' && r.id !== via.id && sameDef(r) && !onPath(r));
  if (shared) return via;
  if (step.startIndex >= extent.start && step.endIndex <= extent.end) return step;
  return def !== null && (onlyWithin(ctx, def, step, onPath) || layerOnlyFor(ctx, fn!, step)) ? step : via;
}

/**
 * `self._preprocess(image)`: a method of the class applied to the data, anchored as a helper is. Its other
 * applications (`self._preprocess` elsewhere in the class, `obj._preprocess(...)` on an instance) decide: all on the
 * path, the step inside the method is the line to change; one off it, where the method is applied to this data.
 */
function methodAnchor(ctx: RuleContext, via: Node, step: Node, onPath: (n: Node) => boolean): Node {
  const call = via.parent?.type === 'call' && ctx.model.callAt(via.parent)?.fn?.id === via.id ? via.parent : null;
  const def = call && via.text.startsWith('self.') ? ctx.model.calledFunction(call) : null;
  const fn = def === null ? null : ctx.model.scopes.list[def]!;
  if (!fn?.isMethod || !fn.classNode) return via;
  const cls = fn.classNode;
  const name = via.text.slice('self.'.length);
  const applies = (r: Node): boolean => {
    const c = r.parent?.type === 'call' && ctx.model.callAt(r.parent)?.fn?.id === r.id ? r.parent : null;
    if (c) return ctx.model.calledFunction(c) === def;
    // passed by reference (ds.map(self._preprocess)) inside the class
    return r.text === via.text && cls.startIndex <= r.startIndex && r.endIndex <= cls.endIndex;
  };
  const others = ctx.model.attributesMatching((t) => t.endsWith(`.${name}`)).filter((r) => r.id !== via.id && applies(r));
  if (others.some((r) => !onPath(r))) return via;
  return step.startIndex >= fn.start && step.endIndex <= fn.end ? step : via;
}

/**
 * A layer written outside the helper in an object only the helper uses (`augmentation_layers = Sequential([
 * Rescaling(1/255), ...])` read only inside `def augment(ds)`): the layer's line is the one to change.
 */
function layerOnlyFor(ctx: RuleContext, fn: { start: number; end: number }, step: Node): boolean {
  if (step.type !== 'call') return false;
  const st = ctx.model.statementOf(step);
  const a = st.type === 'expression_statement' ? st.namedChildren[0] : null;
  const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
  if (left?.type !== 'identifier' || ctx.model.scopes.scopeAt(st.startIndex) !== -1) return false;
  const reads = ctx.model.references(left.text).filter((r) => r.startIndex > st.endIndex);
  return reads.length > 0 && reads.every((r) => fn.start <= r.startIndex && r.endIndex <= fn.end);
}

/**
 * A step in another helper that the applied helper `def` reaches (build_dataset → build_decoder → decode_image): every
 * function around the step is used only inside these functions or on the path, so the step's line is the one to change.
 */
function onlyWithin(ctx: RuleContext, def: number, step: Node, onPath: (n: Node) => boolean): boolean {
  const scopes = ctx.model.scopes;
  const around: number[] = [];
  for (let s = scopes.scopeAt(step.startIndex); s >= 0; s = scopes.list[s]!.parent) around.push(s);
  if (around.length === 0 || around.includes(def)) return false;
  const chain = [def, ...around].map((i) => scopes.list[i]!);
  const internal = (r: Node): boolean => chain.some((f) => f.start <= r.startIndex && r.endIndex <= f.end);
  return around.every((i) => {
    const f = scopes.list[i]!;
    if (f.isMethod) return false;
    return ctx.model.identifiersNamed(f.name).every((r) => r.parent?.type === 'function_definition' || scopes.functionVisibleAt(r.text, r.startIndex) !== i || internal(r) || onPath(r));
  });
}
