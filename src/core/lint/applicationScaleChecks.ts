import type { SyntaxNode as Node } from './syntaxNode';
import { contractText, modulesOf, type ApplicationContract } from '../presets/applicationContracts';
import { applicationSteps, type ApplicationStep } from './applicationEvidence';
import { applicationFlowOf, type ApplicationFlow, type ApplicationPath } from './applicationFlow';
import { applicationModelsOf, type ApplicationModel } from './applicationModels';
import { exclusiveArms } from './branchGuards';
import { onPixelPathOfModel } from './featureInputs';
import { scalingUndone } from './scaleUndone';
import { branchLink, flowOf } from './flowAttribution';
import { mergeRanges, rangesContain, type RangeSet } from './rangeSet';
import { TRAINING_METHODS, type FlowModel } from './modelFlow';
import type { LintRange, QuickFix, RuleContext } from './lintTypes';

/** Libraries that load images and leave them 0–255 (not preprocessing). */
const DATA_SOURCE = /^tensorflow_datasets\./;
export const SCALING = new Set(['div255', 'minus1to1', 'imagenet', 'caffe']);
/** The step kind each contract's own preprocess_input applies. */
export const WANT: Record<Exclude<ApplicationContract['kind'], 'inside'>, string> = { tf: 'minus1to1', caffe: 'caffe', torch: 'imagenet' };
const STEP_TEXT: Record<string, string> = {
  div255: 'scales the pixels to [0, 1]',
  minus1to1: 'maps the pixels to [-1, 1]',
  imagenet: 'normalises the pixels with ImageNet mean/std',
  caffe: 'applies caffe-mode preprocessing (BGR, mean subtracted)',
  passthrough: 'is a pass-through (the pixels stay 0–255)',
  zscore: "standardises the pixels with the data's own mean and std (mean 0, std 1)",
};

export const short = (t: string): string => (t.length > 50 ? `${t.slice(0, 50)}…` : t).replace(/\s+/g, ' ');

/** How the file reaches keras.applications (`keras.applications`, `tf.keras.applications`), or null. */
function applicationsPrefix(ctx: RuleContext): string | null {
  let tf: string | null = null;
  for (const [local, q] of ctx.model.imports) {
    if (q === 'keras') return `${local}.applications`;
    if (q === 'tensorflow' && !tf) tf = `${local}.keras.applications`;
  }
  return tf;
}

/** A step made for another model: a preprocess_input of a module whose model the file also builds (a model zoo). */
function otherModelsOwn(apps: ApplicationModel[], app: ApplicationModel, s: ApplicationStep): boolean {
  const module = s.module;
  return !!module && !modulesOf(app.name).has(module) && apps.some((o) => o !== app && modulesOf(o.name).has(module));
}

/** Whether a step of that kind is wrong for a model with that contract too (null: no contract, the step is its own). */
function wrongFor(contract: ApplicationContract | null, kind: string): boolean {
  if (!contract) return false;
  return contract.kind === 'inside' ? SCALING.has(kind) : WANT[contract.kind] !== kind;
}

const extractorSets = new WeakMap<ApplicationFlow, Set<FlowModel>>();

/** The models holding a keras.applications model: their predict/call output is features (a head fit on them takes no pixels). */
function extractorsOf(af: ApplicationFlow, apps: ApplicationModel[]): Set<FlowModel> {
  let set = extractorSets.get(af);
  if (!set) extractorSets.set(af, (set = new Set(apps.flatMap((a) => [...af.holders(a)]))));
  return set;
}

/**
 * Whether a step also lies on the path of another model of the file (data shared between models); with `rightOnly`,
 * only another model the step is right for counts (a from-scratch model, not a second pretrained one it is wrong for).
 */
function sharedWithOther(ctx: RuleContext, af: ApplicationFlow, apps: ApplicationModel[], app: ApplicationModel, node: Node, rightOnly?: ApplicationStep): boolean {
  const alsoWrong = rightOnly ? apps.filter((o) => o !== app && wrongFor(o.contract, rightOnly.kind)) : [];
  if (apps.some((o) => o !== app && !alsoWrong.includes(o) && af.onPath(o, node))) return true;
  const flow = flowOf(ctx);
  // another model uses the data when data is fed to it: only fed models are asked (each costs a slice)
  const mine = af.holders(app);
  // data flows forward: a model fed only before the step cannot take its output
  // a model whose every call lies on this model's path (an augmentation Sequential applied in the map) or in the graph
  // of a model holding it (the augmentation before it, the head after it) is a stage of it
  const stage = (m: FlowModel): boolean => {
    const calls = flow.feedsOf(m);
    return calls.length > 0 && calls.every((f) => f.method === '__call__' && (af.onPath(app, f.call.node) !== null || af.inHolderGraph(app, f.call.node)));
  };
  // a model holding a second pretrained model the step is also wrong for is not one it is right for
  const wrongHolder = (m: FlowModel): boolean => alsoWrong.some((o) => af.holders(o).has(m));
  if (af.fedModels(node.startIndex).some((m) => !mine.has(m) && !wrongHolder(m) && m.kind !== 'hub' && m.kind !== 'application' && onPixelPathOfModel(flow, m, node, extractorsOf(af, apps)) && !stage(m))) return true;
  return flow.values.values.some((v) => v.kind !== 'converter' && v.kind !== 'preprocessor' && flow.onPath(v, node) !== null);
}

/** Related locations: the model built here, called or fed here. */
function chain(ctx: RuleContext, af: ApplicationFlow, app: ApplicationModel): { message: string; range: LintRange }[] {
  const p = af.pathOf(app);
  const out = [{ message: `${app.name} built here (pretrained weights)`, range: ctx.range(app.call.node) }];
  const called = p.feeds.find((f) => f.method === '__call__' && f.target === af.modelOf(app));
  if (called) out.push({ message: 'called here', range: ctx.range(called.call.node) });
  const fit = p.feeds.find((f) => f.method !== '__call__');
  if (fit) out.push({ message: `fed here (${fit.method})`, range: ctx.range(fit.call.node) });
  return out;
}

/** Removes a /255: `x / 255.0` → `x`, `rescale=1./255` dropped, a `Rescaling(1/255)` list element dropped. */
function removalFix(ctx: RuleContext, s: ApplicationStep): QuickFix | null {
  const n = s.node;
  const parent = n.parent;
  if (s.kind !== 'div255') return null;
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.text === 'rescale') {
    const next = parent.nextSibling;
    const end = next?.type === ',' ? next.endIndex : parent.endIndex;
    return { title: `Remove ${short(parent.text)}`, edits: [{ range: ctx.offsets(parent.startIndex, end), newText: '' }] };
  }
  if (n.type === 'binary_operator' && /^(\/|\*)$/.test(n.childForFieldName('operator')?.text ?? '')) {
    const left = n.childForFieldName('left');
    if (left) return { title: `Remove the scaling: ${short(n.text)} → ${short(left.text)}`, edits: [{ range: ctx.range(n), newText: left.text }] };
  }
  if (n.type === 'call' && parent?.type === 'list') {
    const end = n.nextSibling?.type === ',' ? n.nextSibling.endIndex : n.endIndex;
    return { title: 'Remove the Rescaling layer', edits: [{ range: ctx.offsets(n.startIndex, end), newText: '' }] };
  }
  return null;
}

/** Replaces a /255 by the model's preprocess_input: `x / 255.0` → `…preprocess_input(x)`, `rescale=1./255` → `preprocessing_function=…`. */
function preprocessFix(ctx: RuleContext, s: ApplicationStep, module: string): QuickFix | null {
  const prefix = applicationsPrefix(ctx);
  if (!prefix || s.kind !== 'div255') return null;
  const fn = `${prefix}.${module}.preprocess_input`;
  const parent = s.node.parent;
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.text === 'rescale') {
    return { title: `Use preprocessing_function=${fn}`, edits: [{ range: ctx.range(parent), newText: `preprocessing_function=${fn}` }] };
  }
  const left = s.node.type === 'binary_operator' && s.node.childForFieldName('operator')?.text === '/' ? s.node.childForFieldName('left') : null;
  return left ? { title: `Use ${fn}`, edits: [{ range: ctx.range(s.node), newText: `${fn}(${left.text})` }] } : null;
}

interface Judged {
  app: ApplicationModel;
  contract: ApplicationContract;
  on: ApplicationStep[];
}

const judgedCache = new WeakMap<object, ReturnType<typeof computeJudge>>();

/** Each judged application with the steps on the path of its data (one analysis per file, shared by both rules). */
function judge(ctx: RuleContext): ReturnType<typeof computeJudge> {
  if (judgedCache.has(ctx.model)) return judgedCache.get(ctx.model) ?? null;
  const j = computeJudge(ctx);
  judgedCache.set(ctx.model, j);
  return j;
}

function computeJudge(ctx: RuleContext): { af: ApplicationFlow; apps: ApplicationModel[]; judged: Judged[] } | null {
  const apps = applicationModelsOf(ctx.model);
  if (!apps.some((a) => a.contract)) return null;
  const af = applicationFlowOf(flowOf(ctx));
  const steps = applicationSteps(ctx.model, ctx.evidence);
  const judged: Judged[] = [];
  for (const app of apps) {
    if (!app.contract) continue;
    // a / 255 scaled back with `* 255` on the same chain before the model (augmentation with Rescaling, then
    // preprocess_input(image * 255)) leaves 0–255 pixels
    const undone = (s: ApplicationStep): boolean => s.kind === 'div255' && scalingUndone(af.flow, s.node, (n) => !!af.onPath(app, n));
    // a step in a helper branch no call of the helper runs (`if scale: return img / 255.`, scale left False) is not on it
    judged.push({ app, contract: app.contract, on: steps.filter((s) => af.onPath(app, s.node) && !otherModelsOwn(apps, app, s) && ctx.model.runsInSomeCall(s.node) !== false && !undone(s)) });
  }
  return { af, apps, judged };
}

/** VTD002 on keras.applications models that rescale inside (EfficientNet, EfficientNetV2, ConvNeXt, …) fed scaled pixels. */
export function checkApplicationDoubleScaling(ctx: RuleContext): void {
  const j = judge(ctx);
  if (!j) return;
  const reported = new Set<number>();
  for (const { app, contract, on } of j.judged) {
    if (contract.kind !== 'inside') continue;
    const scaling = on.filter((s) => SCALING.has(s.kind));
    const first = scaling[0];
    if (!first || scaling.some((s) => reported.has(s.node.id))) continue;
    scaling.forEach((s) => reported.add(s.node.id));
    const shared = sharedWithOther(ctx, j.af, j.apps, app, first.node);
    const fix = shared ? null : removalFix(ctx, first);
    const via = j.af.onPath(app, first.node)?.via;
    const branch = exclusiveArms(first.node, app.call.node);
    ctx.report({
      message: `Double normalisation: ${short(first.text)} ${STEP_TEXT[first.kind]}, but ${app.name} (keras.applications, weights="imagenet") expects ${contractText(contract)}. Remove the manual scaling and feed 0–255 pixels.${branch ? ` (Not certain: ${branchLink(app.name)}.)` : ''}`,
      range: ctx.range(first.node),
      severity: branch ? 'information' : undefined,
      related: [...chain(ctx, j.af, app), ...(via ? [{ message: 'the helper is applied here', range: ctx.range(via) }] : []), ...scaling.slice(1).map((s) => ({ message: 'the same scaling on other data', range: ctx.range(s.node) }))],
      fixes: fix ? [fix] : [],
    });
  }
}

/**
 * When the model's own preprocess_input lies on its path, the wrong steps of the feeds whose data never gets it: each
 * fed call (`fit`, `predict`, a call) is sliced alone. Empty when the own mapping is inside the model (on no feed's
 * data, so every feed gets it) or every feed with a wrong step also gets the own one.
 */
function feedsWithoutOwn(af: ApplicationFlow, app: ApplicationModel, on: ApplicationStep[], want: string): { steps: ApplicationStep[]; feed: Node; own: Node } {
  const none = { steps: [], feed: app.call.node, own: app.call.node };
  const own = on.filter((s) => s.kind === want);
  const feeds = af.pathOf(app).feeds.filter((f) => f.data);
  const slices = feeds.map((f) => ({ f, r: mergeRanges(af.flow.slice([f.data!]).ranges) }));
  const inSlice = (r: RangeSet, s: ApplicationStep): boolean => rangesContain(r, s.node.startIndex, s.node.endIndex);
  // applied inside the model (its graph, a Sequential layer) or where no feed's data shows it: every feed may get it
  if (own.some((s) => !slices.some((x) => inSlice(x.r, s)))) return none;
  for (const { f, r } of slices) {
    if (own.some((s) => inSlice(r, s))) continue;
    const steps = on.filter((s) => s.kind !== want && inSlice(r, s));
    if (steps.length > 0) return { steps, feed: f.call.node, own: own[0]!.node };
  }
  return none;
}

/** Whether a feed's data (call, fit, predict, evaluate) is computed from the step. */
function feedTakes(af: ApplicationFlow, f: ApplicationPath['feeds'][number], s: ApplicationStep): boolean {
  return !!f.data && rangesContain(mergeRanges(af.flow.slice([f.data]).ranges), s.node.startIndex, s.node.endIndex);
}

/** VTD001 on keras.applications models that need their preprocess_input (ResNet, MobileNetV2, Xception, DenseNet, …). */
export function checkApplicationPreprocessing(ctx: RuleContext): void {
  const j = judge(ctx);
  if (!j) return;
  const reported = new Set<number>();
  for (const { app, contract, on } of j.judged) {
    if (contract.kind === 'inside') continue;
    const want = WANT[contract.kind];
    // the model's own mapping on the path: only data of a feed that never gets it is judged (trained on /255, predicted right)
    const partial = on.some((s) => s.kind === want) ? feedsWithoutOwn(j.af, app, on, want) : null;
    if (partial && partial.steps.length === 0) continue;
    const p = j.af.pathOf(app);
    // imported code prepares the data: unknown is not guilty (tensorflow_datasets only loads: its images are 0–255)
    const loader = (u: Node): boolean => DATA_SOURCE.test(`${ctx.model.imports.get((ctx.model.callAt(u)?.fnText ?? u.text).split('.')[0] ?? '') ?? ''}.`);
    if (ctx.evidence.unknown.some((u) => j.af.onPath(app, u) && !loader(u))) continue;
    const wrong = partial ? partial.steps : on.filter((s) => s.kind !== want);
    // the same wrong scaling applied again to data it already scaled (frames / 255 in a helper, then videos / 255 on the
    // stacked array): the finding sits on the later step, like a preprocessing applied twice; both must change, no fix
    const head = wrong[0];
    const again = head ? [...wrong].reverse().find((s) => s !== head && s.kind === head.kind && rangesContain(mergeRanges(j.af.flow.slice([s.node]).ranges), head.node.startIndex, head.node.endIndex)) : undefined;
    // shared with a model the scaling is right for (a from-scratch CNN): fixed at this model's input, not at the step
    const sharedSteps = new Map<ApplicationStep, boolean>();
    const sharedStep = (s: ApplicationStep): boolean => {
      let shared = sharedSteps.get(s);
      if (shared === undefined) sharedSteps.set(s, (shared = sharedWithOther(ctx, j.af, j.apps, app, s.node, s)));
      return shared;
    };
    // a wrong scaling applied only to this model's data is where to fix it, even when an earlier one is shared
    // among the wrong scalings only this model takes, one on its training data (fit) comes before one it only predicts
    // on (features extracted from /255 pixels, then the model trained end to end on /255 generators)
    const own1 = wrong.filter((s) => !sharedStep(s));
    const trained = own1.length > 1 ? own1.find((s) => p.feeds.some((f) => TRAINING_METHODS.has(f.method) && feedTakes(j.af, f, s))) : undefined;
    const first = again ?? trained ?? (head && sharedStep(head) ? own1[0] ?? head : head);
    const own = j.af.modelOf(app);
    const callSite = p.feeds.find((f) => f.method === '__call__' && f.target === own);
    const fn = `keras.applications.${contract.module}.preprocess_input`;
    if (first) {
      const sharedAny = sharedWithOther(ctx, j.af, j.apps, app, first.node);
      // data shared with a model the scaling is right for is changed at this model's input (its call, else the first
      // fit/predict/evaluate fed that data); shared only with models it is wrong for too, at this model's call when
      // there is one; otherwise where the wrong scaling is
      const input = sharedStep(first) ? (callSite ?? p.feeds.find((f) => feedTakes(j.af, f, first))) : sharedAny ? callSite : undefined;
      const at = input?.call.node ?? first.node;
      const shared = at !== first.node;
      if (reported.has(at.id)) continue;
      reported.add(at.id);
      const fix = sharedAny || again ? null : preprocessFix(ctx, first, contract.module);
      const chained = chain(ctx, j.af, app);
      const via = j.af.onPath(app, first.node)?.via;
      const branch = exclusiveArms(first.node, app.call.node);
      ctx.report({
        message: `Wrong input scale for ${app.name} (keras.applications, weights="imagenet"): ${short(first.text)} ${again && head ? `${STEP_TEXT[first.kind]} again (${short(head.text)} already did)` : STEP_TEXT[first.kind]}, but the model expects ${contractText(contract)}.${partial ? ` The model's ${contract.module}.preprocess_input is applied to other data of this file, not to this data.` : ''} ${shared ? `The same data feeds another model: apply ${fn} to 0–255 pixels at this model's input.` : `Replace it with ${fn} on 0–255 pixels.`}${branch ? ` (Not certain: ${branchLink(app.name)}.)` : ''}`,
        range: ctx.range(at),
        severity: branch ? 'information' : undefined,
        related: [
          ...chained,
          ...(via && via.id !== at.id ? [{ message: 'the helper is applied here', range: ctx.range(via) }] : []),
          ...wrong.filter((s) => s.node.id !== at.id).map((s) => ({ message: s === head && again ? 'the same scaling, applied first here' : 'scaling on the path of the data into the model', range: ctx.range(s.node) })),
          ...(first.parts ?? []).map((q) => ({ message: q.role === 'statistics' ? 'the statistics it applies, bound here' : 'part of the same mapping', range: ctx.range(q.node) })),
          ...(partial && !chained.some((c) => c.range.start.line === ctx.range(partial.feed).start.line) ? [{ message: 'fed here without the model\'s preprocess_input', range: ctx.range(partial.feed) }] : []),
          ...(partial ? [{ message: 'the model\'s preprocess_input, applied to other data', range: ctx.range(partial.own) }] : []),
        ],
        fixes: fix ? [fix] : [],
      });
      continue;
    }
    // nothing maps the pixels: an absence, so information at most, and only when every link of the path was followed
    // and data is fed
    if (p.missing.length > 0 || !p.feeds.some((f) => f.data && f.method !== '__call__')) continue;
    const at = callSite?.call.node ?? p.feeds.find((f) => f.method !== '__call__')?.call.node;
    if (!at || reported.has(at.id)) continue;
    reported.add(at.id);
    ctx.report({
      message: `Images reach ${app.name} (keras.applications, weights="imagenet") without ${fn}: the model expects ${contractText(contract)} and does not include it. Apply ${fn} to the 0–255 pixels.`,
      range: ctx.range(at),
      severity: 'information',
      related: chain(ctx, j.af, app),
    });
  }
}
