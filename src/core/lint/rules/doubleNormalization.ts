import { checkApplicationDoubleScaling } from '../applicationScaleChecks';
import { checkApplicationStackedPreprocessing } from '../applicationStacking';
import type { SyntaxNode as Node } from '../syntaxNode';
import { attribute, chainOf, flowOf, helperAnchor, onValidationData, sharedStepFeed } from '../flowAttribution';
import type { KerasValue } from '../kerasValues';
import type { LintRule, QuickFix, RuleContext } from '../lintTypes';
import type { PythonModel } from '../pythonModel';
import { kerasCvPreset, kerasCvPresetHasWeights } from '../../presets/kerasCvApi';
import { checkTaskPreprocessedTwice } from '../taskPreprocessedTwice';

const usesByModel = new WeakMap<PythonModel, Map<number, Node[]>>();

/** Where an applied converter is used (its name read after it is built), found once per file for every backbone. */
function usesOf(ctx: RuleContext, c: KerasValue): Node[] {
  let byConverter = usesByModel.get(ctx.model);
  if (!byConverter) usesByModel.set(ctx.model, (byConverter = new Map()));
  let uses = byConverter.get(c.def.node.id);
  if (!uses) {
    const at = c.def.node.startIndex;
    uses = c.name ? ctx.model.references(c.name).filter((r) => r.startIndex > at || c.name!.startsWith('self.')) : [c.def.node];
    byConverter.set(c.def.node.id, uses);
  }
  return uses;
}

/** The normalisation a keras_hub value gets on its own path: a converter applied there, its task's preprocessor, KerasCV's built-in rescaling. */
function ownNormalisation(ctx: RuleContext, v: KerasValue): { node: Node; what: string } | null {
  const flow = flowOf(ctx);
  if (v.kind === 'kerascv-backbone') {
    const inc = v.def.kwargs.get('include_rescaling');
    if (inc !== undefined && inc.text !== 'True') return null;
    // a configuration preset (`resnet50`) trains from scratch; a preset whose config says include_rescaling=False does not rescale
    if (!inc && v.preset && (kerasCvPresetHasWeights(v.preset) === false || kerasCvPreset(v.preset)?.includeRescaling === false)) return null;
    return { node: v.def.node, what: `the KerasCV backbone was built with include_rescaling=True${inc ? '' : ' (the preset default; setting the attribute after from_preset changes nothing)'} and rescales by 1/255 itself` };
  }
  if (v.kind === 'kerascv-task') {
    // ImageClassifier.from_preset("efficientnetv2_s_imagenet"): the task's backbone is that preset's, built from its config
    const p = v.preset ? kerasCvPreset(v.preset) : undefined;
    if (!p?.includeRescaling || kerasCvPresetHasWeights(p.name) !== true) return null;
    return { node: v.def.node, what: `the KerasCV ${v.className} is built on the "${p.name}" backbone preset, whose configuration has include_rescaling=True (it rescales 0–255 pixels by 1/255 itself)` };
  }
  if (v.kind === 'task' && ctx.evidence.tasksFittedWithPreprocessor.some((t) => t.def.node.id === v.def.node.id)) {
    const m = ['fit', 'predict', 'evaluate'].find((x) => ctx.values.methodCalls(v, x).length > 0) ?? 'fit';
    return { node: v.def.node, what: `${v.className}.${m}() runs the preset's preprocessor on every batch` };
  }
  // converters share names (`converter`, `preprocessor`): a use already asked about for an earlier one was not on the path
  const asked = new Set<number>();
  for (const c of ctx.evidence.appliedConverters) {
    if (c.kind === 'preprocessor' && c.def.node.id === v.def.node.id) continue;
    if (usesOf(ctx, c).some((u) => !asked.has(u.id) && (asked.add(u.id), flow.onPath(v, u) !== null))) return { node: c.def.node, what: `${c.className}.from_preset(...) already maps pixels to the preset's range` };
  }
  return null;
}

/**
 * VTD002: the preset's converter (or a task's own preprocessor in fit) plus a manual Rescaling or /255 on the same
 * data; a KerasCV backbone with include_rescaling=True plus a manual rescale.
 */
export const doubleNormalization: LintRule = {
  code: 'VTD002',
  name: 'double-normalization',
  defaultSeverity: 'warning',
  summary: 'Pixels are normalised twice: a manual scale stacked with the preset converter or built-in rescaling.',
  check(ctx) {
    checkApplicationDoubleScaling(ctx);
    checkApplicationStackedPreprocessing(ctx);
    checkTaskPreprocessedTwice(ctx);
    const ev = ctx.evidence;
    const scaling = ev.manual.filter((m) => m.kind === 'div255' || m.kind === 'minus1to1' || m.kind === 'imagenet' || m.kind === 'caffe');
    if (scaling.length === 0) return;
    const removalFix = (n: Node): QuickFix[] => {
      if (n.type !== 'call' || !/Rescaling/.test(n.text)) return [];
      const title = 'Remove the redundant Rescaling layer';
      if (n.parent?.type === 'list') {
        const end = n.nextSibling?.type === ',' ? n.nextSibling.endIndex : n.endIndex;
        return [{ title, edits: [{ range: ctx.offsets(n.startIndex, end), newText: '' }] }];
      }
      // x = Rescaling(1/255)(inputs)  →  x = inputs
      const outer = n.parent?.type === 'call' && n.parent.childForFieldName('function')?.id === n.id ? ctx.model.callAt(n.parent) : undefined;
      if (outer && outer.args.length === 1) return [{ title, edits: [{ range: ctx.range(outer.node), newText: outer.args[0]!.text }] }];
      return [];
    };
    const hubs = ctx.values.ofKind('backbone', 'task', 'kerascv-backbone', 'kerascv-task').map((v) => ({ v, own: ownNormalisation(ctx, v) })).filter((x) => x.own);
    for (const m of scaling) {
      for (const { v, own } of hubs) {
        // the manual step counts only when it is on the path of the data into this model
        const verdict = attribute(ctx, v, m.node);
        if (!verdict.on && !verdict.info) continue;
        const via = verdict.on ? verdict.via : null;
        // data shared with another model is changed at this model's input, as on the keras.applications path
        const feed = verdict.on && !via ? sharedStepFeed(ctx, v, m.node) : null;
        const anchor = via ? helperAnchor(ctx, via, m.node, (n) => attribute(ctx, v, n).on || onValidationData(ctx, flowOf(ctx).pathOf(v), n)) : feed ?? m.node;
        ctx.report({
          message: `Double normalisation: ${m.text.length > 40 ? `${m.text.slice(0, 40)}…` : m.text} scales the pixels, and ${own!.what}. ${feed ? 'The same data feeds another model: feed this model the unscaled pixels.' : 'Remove the manual step.'}${verdict.on ? '' : ` (Not certain: ${verdict.info}.)`}`,
          range: ctx.range(anchor),
          severity: verdict.on ? undefined : 'information',
          related: [...chainOf(ctx, v), { message: 'the other normalisation', range: ctx.range(own!.node) }, ...(via ? [anchor === via ? { message: 'the scaling inside the helper', range: ctx.range(m.node) } : { message: 'the helper is applied here', range: ctx.range(via) }] : []), ...(feed ? [{ message: 'the scaling, shared with another model', range: ctx.range(m.node) }] : [])],
          fixes: via || feed ? [] : removalFix(m.node),
        });
        break;
      }
    }
  },
};
