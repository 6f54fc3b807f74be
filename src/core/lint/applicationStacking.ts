import type { SyntaxNode as Node } from './syntaxNode';
import { contractText, modulesOf } from '../presets/applicationContracts';
import { applicationSteps, type ApplicationStep } from './applicationEvidence';
import { applicationFlowOf } from './applicationFlow';
import { applicationModelsOf } from './applicationModels';
import { SCALING, WANT, short } from './applicationScaleChecks';
import { exclusiveArms } from './branchGuards';
import { flowOf, helperAnchor, onValidationData } from './flowAttribution';
import type { RuleContext } from './lintTypes';
import { mergeRanges, rangesContain, type RangeSet } from './rangeSet';
import { CONVERT_IMAGE_DTYPE } from './integerPixels';
import { restoresWithin } from './scaleUndone';

const DID: Record<string, [string, string]> = {
  div255: ['scaled the pixels to [0, 1]', 'scales them again'],
  minus1to1: ['mapped the pixels to [-1, 1]', 'maps them to [-1, 1] again'],
  imagenet: ['normalised the pixels with ImageNet mean/std', 'normalises them again'],
  caffe: ['applied caffe-mode preprocessing (BGR, ImageNet means subtracted)', 'applies caffe-mode preprocessing again (means subtracted twice, channels swapped back)'],
};

/** The innermost lambda or function definition around a node. */
function enclosingFunction(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'lambda' || p.type === 'function_definition') return p;
  return null;
}

/**
 * What a step is applied to: the argument of a call (`preprocess_input(x)`), the left operand of `x / 255`, the data
 * of `ds.map(preprocess_input)`; inside a lambda or a helper of this file mapped over a dataset (`ds.map(fn)`), the
 * dataset too; for `rescale=` of an ImageDataGenerator, its `preprocessing_function` (Keras applies that first).
 */
function inputsOf(ctx: RuleContext, s: ApplicationStep): Node[] {
  const model = ctx.model;
  const n = s.node;
  const out: Node[] = [];
  const receiverOfMap = (arg: Node): Node | null => {
    const list = arg.parent;
    const call = list?.type === 'argument_list' ? list.parent : null;
    const c = call?.type === 'call' ? model.callAt(call) : undefined;
    return c && /\.map$/.test(c.fnText) && c.fn?.type === 'attribute' ? c.fn.childForFieldName('object') : null;
  };
  if (n.parent?.type === 'keyword_argument' && n.parent.childForFieldName('name')?.text === 'rescale') {
    const gen = n.parent.parent?.parent;
    const fn = gen?.type === 'call' ? model.callAt(gen)?.kwargs.get('preprocessing_function') : undefined;
    if (fn) out.push(fn);
  } else if (n.type === 'call') {
    const c = model.callAt(n);
    if (c?.args[0]) out.push(c.args[0]);
  } else if (n.type === 'binary_operator') {
    const left = n.childForFieldName('left');
    if (left) out.push(left);
  } else {
    const r = receiverOfMap(n);
    if (r) out.push(r);
  }
  const f = enclosingFunction(n);
  if (f?.type === 'lambda') {
    const r = receiverOfMap(f);
    if (r) out.push(r);
  } else if (f?.type === 'function_definition') {
    const name = f.childForFieldName('name')?.text;
    for (const ref of name ? model.identifiersNamed(name) : []) {
      const r = receiverOfMap(ref);
      if (r) out.push(r);
    }
  }
  return out;
}

/** `x * 255`, `x * 127.5 + 127.5`: a step that takes scaled pixels back to 0–255 (the earlier scaling is undone). */
function undoes(ctx: RuleContext, slice: RangeSet): boolean {
  return ctx.model.nodesOfType('binary_operator').some((b) => {
    if (b.childForFieldName('operator')?.text !== '*') return false;
    const k = [b.childForFieldName('left'), b.childForFieldName('right')].map((x) => ctx.model.numberValue(x));
    return k.some((v) => v !== null && (Math.abs(v - 255) < 1 || Math.abs(v - 127.5) < 0.5)) && rangesContain(slice, b.startIndex, b.endIndex);
  });
}

/**
 * VTD002 on keras.applications models whose own preprocess_input is on the path and whose data went through another
 * scaling before it or after it on the same chain (`preprocess_input` then `/ 255`, two modules' caffe
 * preprocess_input one after the other, `ImageDataGenerator(rescale=1./255, preprocessing_function=preprocess_input)`).
 * Warning only when the later step's input is computed from the earlier one in this file; silent when they are
 * alternatives (branches), when pixels are scaled back to 0–255 between them, or when imported code lies between.
 */
export function checkApplicationStackedPreprocessing(ctx: RuleContext): void {
  const apps = applicationModelsOf(ctx.model).filter((a) => a.contract && a.contract.kind !== 'inside');
  if (apps.length === 0) return;
  const af = applicationFlowOf(flowOf(ctx));
  const steps = applicationSteps(ctx.model, ctx.evidence).filter((s) => SCALING.has(s.kind));
  if (steps.length < 2) return;
  const inputSlices = new Map<number, RangeSet>();
  const sliceOf = (s: ApplicationStep): RangeSet => {
    let r = inputSlices.get(s.node.id);
    if (!r) inputSlices.set(s.node.id, (r = mergeRanges(af.flow.slice(inputsOf(ctx, s)).ranges)));
    return r;
  };
  const reported = new Set<number>();
  for (const app of apps) {
    const contract = app.contract!;
    if (contract.kind === 'inside') continue;
    const want = WANT[contract.kind];
    const own = (s: ApplicationStep): boolean => s.kind === want && (!s.module || s.module === 'imagenet_utils' || modulesOf(app.name).has(s.module));
    const on = steps.filter((s) => af.onPath(app, s.node));
    if (!on.some(own)) continue;
    // one finding per earlier step: the same stacking on other data (test, validation) is related to it
    const byEarlier = new Map<ApplicationStep, ApplicationStep[]>();
    for (const later of on) {
      if (reported.has(later.node.id)) continue;
      const slice = sliceOf(later);
      const earlier = on.find((e) => e !== later && (own(e) || own(later)) && rangesContain(slice, e.node.startIndex, e.node.endIndex) && !exclusiveArms(e.node, later.node));
      if (!earlier || undoes(ctx, slice) || restoresWithin(af.flow, slice)) continue;
      // imported code between the two steps may undo or replace the first
      if (ctx.evidence.unknown.some((u) => rangesContain(slice, u.startIndex, u.endIndex))) continue;
      reported.add(later.node.id);
      byEarlier.set(earlier, [...(byEarlier.get(earlier) ?? []), later]);
    }
    for (const [earlier, laters] of byEarlier) {
      const later = laters[0]!;
      const via = af.onPath(app, later.node)?.via ?? null;
      const earlierVia = af.onPath(app, earlier.node)?.via ?? null;
      // the model's own mapping is right by itself: what must change is where it is applied to processed data (the
      // helper's application); a wrong later step is changed where it is written (inside its helper unless other data shares it)
      const anchor = !via ? later.node : own(later) ? via : helperAnchor(ctx, via, later.node, (n) => !!af.onPath(app, n) || onValidationData(ctx, af.pathOf(app), n));
      // convert_image_dtype's / 255 is implied by the dtype of its input (uint8 from a decoder), not written: information
      const implied = CONVERT_IMAGE_DTYPE.test(ctx.model.callAt(earlier.node)?.callee ?? '');
      ctx.report({
        message: `Preprocessing applied twice for ${app.name} (keras.applications, weights="imagenet"): ${short(earlier.text)} already ${DID[earlier.kind]![0]}${implied ? ' (uint8 input: it divides by 255)' : ''}, then ${short(later.text)} ${DID[later.kind]![1]}. The model expects ${contractText(contract)} on 0–255 pixels: keep one step.`,
        range: ctx.range(anchor),
        severity: implied ? 'information' : undefined,
        related: [
          { message: 'the earlier step', range: ctx.range(earlier.node) },
          ...(earlierVia ? [{ message: 'the helper with the earlier step is applied here', range: ctx.range(earlierVia) }] : []),
          ...(via ? [anchor === via ? { message: 'this step inside the helper', range: ctx.range(later.node) } : { message: 'the helper with this step is applied here', range: ctx.range(via) }] : []),
          ...laters.slice(1).map((l) => ({ message: 'the same second step on other data', range: ctx.range(l.node) })),
          { message: `${app.name} built here (pretrained weights)`, range: ctx.range(app.call.node) },
        ],
      });
    }
  }
}
