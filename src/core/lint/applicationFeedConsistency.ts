import type { SyntaxNode as Node } from './syntaxNode';
import { applicationSteps, type ApplicationStep } from './applicationEvidence';
import { applicationFlowOf } from './applicationFlow';
import { applicationModelsOf, type ApplicationModel } from './applicationModels';
import { SCALING, WANT, short } from './applicationScaleChecks';
import { flowOf } from './flowAttribution';
import { EVALUATION_METHODS, PREDICTION_METHODS, TRAINING_METHODS } from './modelFlow';
import { mergeRanges, rangesContain, type RangeSet } from './rangeSet';
import type { RuleContext } from './lintTypes';

/** Calls that may map pixels without being a step the rules classify: a feed holding one is not called unmapped. */
const MAYBE_SCALES = /normali[sz]|standardi[sz]|convert_image_dtype|preprocess|rescal|scale/i;

/**
 * A pretrained keras.applications model whose input mapping is the file's own business: it needs a preprocess_input
 * (ResNet, MobileNetV2, ...: judged only when trained on that mapping) or was built with include_preprocessing=False
 * (the range it then expects is not stated consistently by Keras, so only the training data tells it).
 */
function judgedByTraining(ctx: RuleContext, app: ApplicationModel): boolean {
  const w = app.call.kwargs.get('weights');
  if (w && ctx.model.stringValue(w) !== 'imagenet') return false;
  if (app.contract) return app.contract.kind !== 'inside';
  const inc = app.call.kwargs.get('include_preprocessing');
  return inc?.type === 'false';
}

/** Whether a feed's data is raw pixels as far as the file shows: no step, no unknown code, no arithmetic that may scale. */
function unmapped(ctx: RuleContext, ranges: RangeSet, steps: ApplicationStep[]): boolean {
  const inside = (n: Node): boolean => rangesContain(ranges, n.startIndex, n.endIndex);
  if (steps.some((s) => inside(s.node)) || ctx.evidence.unknown.some(inside)) return false;
  if (ctx.model.nodesOfType('binary_operator').some((b) => /^(\/|\*)$/.test(b.childForFieldName('operator')?.text ?? '') && inside(b))) return false;
  return !ctx.model.calls.some((c) => MAYBE_SCALES.test(calledName(c.fn)) && inside(c.node));
}

/**
 * The called function's own name: `normalize` of `utils.normalize(x)`, `Rescaling` of `layers.Rescaling(1 / 255)(x)`;
 * not its module path (`tf.keras.preprocessing.image.img_to_array` maps nothing).
 */
function calledName(fn: Node | null): string {
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? '';
  if (fn?.type === 'call') return calledName(fn.childForFieldName('function'));
  return fn?.text ?? '';
}

/**
 * VTD001: a model trained on mapped pixels (`x / 127.5 - 1`, `preprocess_input`) and then asked to predict or evaluate
 * raw 0–255 pixels — the same model, or the one `load_model` reads back from the path this file saved it to. Each
 * feed's data is followed alone; a feed whose path has a link not followed, imported code or arithmetic is not judged.
 */
export function checkTrainPredictMismatch(ctx: RuleContext): void {
  const apps = applicationModelsOf(ctx.model).filter((a) => judgedByTraining(ctx, a));
  if (apps.length === 0) return;
  const af = applicationFlowOf(flowOf(ctx));
  const steps = applicationSteps(ctx.model, ctx.evidence).filter((s) => SCALING.has(s.kind));
  const reported = new Set<number>();
  for (const app of apps) {
    const feeds = af.pathOf(app).feeds.filter((f) => f.data);
    const train = feeds.filter((f) => TRAINING_METHODS.has(f.method));
    if (train.length === 0) continue;
    // every training feed maps the pixels: the mapping the model learnt
    const learnt = train.map((f) => {
      const r = mergeRanges(af.flow.slice([f.data!]).ranges);
      return steps.find((s) => rangesContain(r, s.node.startIndex, s.node.endIndex));
    });
    if (learnt.some((s) => !s)) continue;
    const step = learnt[0]!;
    // trained on a wrong mapping (/255 for VGG16): that step is the finding (at the step), not the unmapped feed
    if (app.contract && app.contract.kind !== 'inside' && learnt.some((s) => s!.kind !== WANT[app.contract!.kind as keyof typeof WANT])) continue;
    for (const f of feeds) {
      if (!(EVALUATION_METHODS.has(f.method) || PREDICTION_METHODS.has(f.method)) || reported.has(f.call.node.id)) continue;
      const s = af.flow.slice([f.data!]);
      if (s.missing.length > 0 || !unmapped(ctx, mergeRanges(s.ranges), steps)) continue;
      reported.add(f.call.node.id);
      const receiver = f.call.fn?.childForFieldName('object') ?? null;
      const loaded = receiver ? ctx.model.resolve(receiver) : null;
      const reloaded = loaded?.type === 'call' && /load_model$/.test(ctx.model.callAt(loaded)?.callee ?? '') ? loaded : null;
      ctx.report({
        message: `${f.method}() gets pixels that no step of this file maps, but ${app.name} (keras.applications, weights="imagenet") was trained on data mapped by ${short(step.text)}${reloaded ? ' (the model is reloaded from the file this file saved it to)' : ''}. Apply the same mapping to this data.`,
        range: ctx.range(f.call.node),
        related: [
          { message: `${app.name} built here (pretrained weights)`, range: ctx.range(app.call.node) },
          { message: 'the mapping of the training data', range: ctx.range(step.node) },
          { message: `trained here (${train[0]!.method})`, range: ctx.range(train[0]!.call.node) },
          ...(reloaded ? [{ message: 'reloaded here', range: ctx.range(reloaded) }] : []),
        ],
      });
    }
  }
}
