import type { SyntaxNode as Node } from './syntaxNode';
import { chainOf, flowOf } from './flowAttribution';
import type { KerasValue } from './kerasValues';
import type { RuleContext } from './lintTypes';
import { mergeRanges, rangesContain } from './rangeSet';

const METHODS = ['fit', 'predict', 'evaluate'];

const PREPROCESSOR_CALL = /^(.+)\.preprocessor(\.image_converter)?$/;

/** Per pass: every call whose callee (read through names) is `<receiver>.preprocessor[.image_converter]`, with that receiver's text. */
const preprocessorCallsByModel = new WeakMap<RuleContext['model'], { node: Node; receiver: string }[]>();

function allPreprocessorCalls(ctx: RuleContext): { node: Node; receiver: string }[] {
  let out = preprocessorCallsByModel.get(ctx.model);
  if (out) return out;
  out = [];
  for (const c of ctx.model.calls) {
    if (!c.fn) continue;
    const fn = c.fn.type === 'identifier' ? ctx.model.resolve(c.fn) : c.fn;
    const m = fn && (fn.type === 'attribute' || fn.type === 'identifier') ? PREPROCESSOR_CALL.exec(fn.text) : null;
    if (m) out.push({ node: c.node, receiver: m[1] as string });
  }
  preprocessorCallsByModel.set(ctx.model, out);
  return out;
}

/** Calls of a task's own preprocessor by hand: `task.preprocessor(x)`, `task.preprocessor.image_converter(x)`, or a name bound to either. */
function preprocessorCalls(ctx: RuleContext, t: KerasValue): Node[] {
  if (!t.name) return [];
  return allPreprocessorCalls(ctx).filter((c) => c.receiver === t.name && c.node.startIndex >= t.def.node.endIndex).map((c) => c.node);
}

/** keras_hub task classes built by their constructor (`HGNetV2ImageClassifier(backbone=..., preprocessor=...)`). */
const TASK_CLASS = /^keras_hub\.models\.\w*(ImageClassifier|ObjectDetector|ImageSegmenter|DepthEstimator|Task)$/;

/** A receiver that is not a value the file builds with from_preset: a keras_hub task constructed with its preprocessor, read through names and parameters. */
function constructedTask(ctx: RuleContext, receiver: Node): boolean {
  const targets = receiver.type === 'identifier' && ctx.model.scopes.isParam(ctx.model.scopes.scopeAt(receiver.startIndex), receiver.text) ? ctx.model.argumentsOf(receiver) : [receiver];
  return (
    targets.length > 0 &&
    targets.every((t) => {
      const c = ctx.model.callAt(ctx.model.resolve(t));
      const pre = c?.kwargs.get('preprocessor');
      return !!c && TASK_CLASS.test(c.callee ?? '') && !!pre && pre.type !== 'none';
    })
  );
}

/** `model.preprocessor(x)` then `model.predict(...)` of that output on a constructed task (not a value of the file). */
function checkConstructedTasks(ctx: RuleContext, known: Set<string>): void {
  for (const c of ctx.model.calls) {
    const m = /^([A-Za-z_][\w.]*)\.preprocessor(\.image_converter)?$/.exec(c.fnText);
    if (!m || known.has(m[1]!) || c.fn?.type !== 'attribute') continue;
    let recv: Node | null = c.fn.childForFieldName('object');
    if (m[2]) recv = recv?.childForFieldName('object') ?? null;
    if (!recv || !constructedTask(ctx, recv)) continue;
    const scope = ctx.model.scopes.scopeAt(c.node.startIndex);
    for (const method of METHODS) {
      const use = ctx.model.callsWithText(`${m[1]}.${method}`).find((u) => u.node.startIndex > c.node.endIndex && ctx.model.scopes.scopeAt(u.node.startIndex) === scope && onDataOf(ctx, u.kwargs.get('x') ?? u.args[0] ?? null, c.node));
      if (!use) continue;
      ctx.report({
        message: `Double preprocessing: ${c.node.text.length > 40 ? `${c.node.text.slice(0, 40)}…` : c.node.text} applies the task's own preprocessor, and ${method}() runs it again on every batch. Pass the raw images to ${method}() (or build the task with preprocessor=None).`,
        range: ctx.range(c.node),
        related: [{ message: `${method}() preprocesses its input again`, range: ctx.range(use.node) }],
      });
      break;
    }
  }
}

/** Whether `step` lies on what `data` is computed from. */
function onDataOf(ctx: RuleContext, data: Node | null, step: Node): boolean {
  if (!data) return false;
  const path = mergeRanges(flowOf(ctx).slice([data]).ranges);
  return rangesContain(path, step.startIndex, step.endIndex);
}

/**
 * VTD002 for a keras_hub task whose own preprocessor is applied by hand (`task.preprocessor(images)`) and whose
 * fit/predict/evaluate then gets that output: the task runs its preprocessor again on every batch.
 */
export function checkTaskPreprocessedTwice(ctx: RuleContext): void {
  checkConstructedTasks(ctx, new Set(ctx.values.values.flatMap((v) => (v.name ? [v.name] : []))));
  tasks: for (const t of ctx.values.ofKind('task')) {
    const pre = t.def.kwargs.get('preprocessor');
    if (pre !== undefined && pre.type === 'none') continue;
    const manual = preprocessorCalls(ctx, t);
    if (manual.length === 0) continue;
    for (const method of METHODS) {
      for (const call of ctx.values.methodCalls(t, method)) {
        const data = call.kwargs.get('x') ?? call.args[0] ?? null;
        const hit = manual.find((m) => onDataOf(ctx, data, m));
        if (!hit) continue;
        ctx.report({
          message: `Double preprocessing: ${hit.text.length > 40 ? `${hit.text.slice(0, 40)}…` : hit.text} applies the task's own preprocessor, and ${t.className}.${method}() runs it again on every batch. Pass the raw images to ${method}() (or build the task with preprocessor=None).`,
          range: ctx.range(hit),
          related: [...chainOf(ctx, t), { message: `${method}() preprocesses its input again`, range: ctx.range(call.node) }],
        });
        continue tasks;
      }
    }
  }
}
