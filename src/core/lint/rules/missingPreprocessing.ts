import type { SyntaxNode as Node } from '../syntaxNode';
import type { KerasValue } from '../kerasValues';
import { insertLineAfter, insertLineBefore, kerasHubAlias, pyString } from '../fixHelpers';
import { checkApplicationPreprocessing } from '../applicationScaleChecks';
import { checkTrainPredictMismatch } from '../applicationFeedConsistency';
import { attribute, chainOf, flowOf, helperAnchor, onValidationData, sharedStepFeed } from '../flowAttribution';
import type { LintRange, LintRule, QuickFix, RuleContext } from '../lintTypes';
import { matchesContract, type ManualKind, type ManualStep } from '../preprocessingEvidence';
import { calledInUnfedFactory, someHubModelFed } from '../unfedModels';
import { valueContract, valueContractText, valueSubject } from '../tableContracts';

const KIND_TEXT: Record<ManualKind, string> = {
  div255: 'a scaling to [0, 1] only (x / 255, min-max)',
  minus1to1: 'x / 127.5 - 1 (range [-1, 1])',
  imagenet: 'ImageNet mean/std normalisation',
  caffe: 'caffe-mode preprocess_input (BGR, mean subtracted, range ≈ [-124, 152])',
  passthrough: 'a preprocess_input that leaves pixels at 0–255',
  zscore: "a standardisation with the data's own mean and std (mean 0, std 1)",
};

function contractText(v: KerasValue): string {
  return valueContractText(v);
}

/** `'vit_base_patch16_224_imagenet'`, `preset from _PRESETS` for a preset picked from a table, or `…`. */
function presetArg(v: KerasValue): string {
  return v.preset ? pyString(v.preset) : v.table ? `${v.presetNode?.text ?? '…'} from ${v.table.name}` : '…';
}

/** The other places of the group's steps (the mean/std constants applied, a / 255 completed), once each. */
function partsOf(ctx: RuleContext, steps: ManualStep[]): { message: string; range: LintRange }[] {
  const seen = new Set(steps.map((s) => s.node.id));
  const out: { message: string; range: LintRange }[] = [];
  for (const p of steps.flatMap((s) => s.parts ?? []).sort((a, b) => a.node.startIndex - b.node.startIndex)) {
    if (seen.has(p.node.id)) continue;
    seen.add(p.node.id);
    out.push({ message: p.role === 'statistics' ? 'the statistics it applies, bound here' : 'part of the same mapping', range: ctx.range(p.node) });
  }
  return out;
}

/** np.zeros / keras.ops.ones / tf.random.uniform / np.random.rand …: a dummy tensor, not pixels (randint stays pixels). */
const SYNTHETIC = /(^|\.)(zeros|ones|zeros_like|ones_like|full|empty|uniform|normal|truncated_normal|rand|randn|random|standard_normal)$/;

function isSyntheticTensor(ctx: RuleContext, node: Node | null): boolean {
  let r = ctx.model.resolve(node);
  for (let i = 0; i < 3 && r?.type === 'call'; i++) {
    const c = ctx.model.callAt(r);
    if (!c) return false;
    if (SYNTHETIC.test(c.callee ?? c.fnText)) return true;
    // np.zeros(...).astype("float32"), tf.cast(np.ones(...), tf.float32)
    if (/\.astype$/.test(c.fnText) && c.fn?.type === 'attribute') r = ctx.model.resolve(c.fn.childForFieldName('object'));
    else if (/(^|\.)(cast|convert_to_tensor|constant|array|asarray)$/.test(c.callee ?? c.fnText)) r = ctx.model.resolve(c.args[0] ?? null);
    else return false;
  }
  return false;
}

function converterFix(ctx: RuleContext, v: KerasValue, site: Node, callArg: { start: number; end: number; text: string } | null): QuickFix | null {
  if (!v.presetNode || !v.preset) return null;
  const { alias, importEdit } = kerasHubAlias(ctx);
  const stmt = ctx.model.statementOf(v.def.node);
  const scopes = ctx.model.scopes;
  // the converter is made where the backbone is, unless that is another function (a factory) or a return: then
  // right before the call it must convert for
  const atSite = stmt.type === 'return_statement' || scopes.scopeAt(v.def.node.startIndex) !== scopes.scopeAt(site.startIndex);
  const name = v.name?.startsWith('self.') && !atSite ? 'self.image_converter' : 'image_converter';
  const siteScope = scopes.scopeAt(site.startIndex);
  // never build a converter inside a method such as call(): it would be made again on every forward pass
  if (atSite && siteScope >= 0 && scopes.list[siteScope]!.isMethod) return null;
  const line = `${name} = ${alias}.layers.ImageConverter.from_preset(${atSite ? pyString(v.preset) : v.presetNode.text})`;
  const edits = [atSite ? insertLineBefore(ctx, ctx.model.statementOf(site), line) : insertLineAfter(ctx, stmt, line)];
  if (importEdit) edits.unshift(importEdit);
  if (callArg) {
    edits.push({ range: ctx.offsets(callArg.start, callArg.end), newText: `${name}(${callArg.text})` });
  }
  return { title: `Apply the preset's converter: ${alias}.layers.ImageConverter.from_preset(${pyString(v.preset)})`, edits, preferred: true };
}

/**
 * VTD001: a backbone from from_preset receives images that never pass through the preset's converter, or only through
 * a partial or wrong one.
 */
export const missingPreprocessing: LintRule = {
  code: 'VTD001',
  name: 'missing-preprocessing',
  defaultSeverity: 'warning',
  summary: "Images reach a pretrained backbone without the preset's preprocessing (or with the wrong one); keras.applications models without their preprocess_input.",
  check(ctx) {
    const ev = ctx.evidence;
    for (const conv of ev.unusedConverters) {
      // the converter is not used, but the code maps the pixels the preset's way itself: nothing is missing
      const contract = conv.family?.contract;
      if (contract && ev.manual.some((m) => matchesContract(m.kind, contract) === true)) continue;
      // without a feed in the file, whether the pixels reach the backbone unconverted is decided by code not seen
      const fed = someHubModelFed(ctx);
      ctx.report({
        message: fed
          ? `${conv.className}.from_preset(...) is built but never applied: the images do not go through it, so the backbone sees raw pixels.`
          : `${conv.className}.from_preset(...) is built but never applied, and no call in this file feeds images to the backbone: the code that feeds it must apply this converter.`,
        range: ctx.range(conv.def.node),
        severity: fed ? undefined : 'information',
        related: [],
      });
    }
    const backbones = ctx.values.ofKind('backbone');
    const tasks = ctx.values.ofKind('task');
    const contractOf = valueContract;
    const entries: { v: KerasValue; site: ReturnType<RuleContext['values']['callsOf']>[number]; asTaskLayer: boolean }[] = [];
    for (const b of backbones) {
      for (const site of ctx.values.callsOf(b)) entries.push({ v: b, site, asTaskLayer: false });
      for (const site of ctx.values.sequentialUses(b)) entries.push({ v: b, site, asTaskLayer: false });
    }
    for (const t of tasks) {
      for (const site of ctx.values.callsOf(t)) entries.push({ v: t, site, asTaskLayer: true });
      // keras.Sequential([augment, classifier]): called as a layer too
      for (const site of ctx.values.sequentialUses(t)) entries.push({ v: t, site, asTaskLayer: true });
      // classifier.backbone(inputs): the task's backbone alone, without the task's preprocessor
      for (const site of ctx.values.backboneCallsOf(t)) entries.push({ v: { ...t, kind: 'backbone' }, site, asTaskLayer: false });
      // preprocessor=None: fit() feeds the images to the backbone as they are
      if (t.def.kwargs.get('preprocessor')?.type === 'none') for (const site of ctx.values.methodCalls(t, 'fit')) entries.push({ v: t, site, asTaskLayer: true });
    }
    const reported = new Set<number>();
    for (const { v, site, asTaskLayer } of entries) {
      const contract = contractOf(v);
      if (!contract || contract === 'inside-model') continue;
      if (ev.appliedConverters.length > 0 || ev.unusedConverters.length > 0) continue;
      if (!asTaskLayer && ev.tasksFittedWithPreprocessor.length > 0) continue;
      if (isSyntheticTensor(ctx, site.args[0] ?? null)) continue; // backbone(np.zeros(...)): a shape check, not images
      const related = [...chainOf(ctx, v), ...(v.table ? [{ message: `the presets it is picked from (${v.table.name})`, range: ctx.range(v.table.node) }] : [])];
      const matching = ev.manual.filter((m) => matchesContract(m.kind, contract) === true);
      if (matching.length > 0) continue;
      // a wrong mapping counts against this backbone only when it is on the path of the data into it
      const judged = ev.manual.filter((m) => matchesContract(m.kind, contract) === false).map((m) => ({ m, verdict: attribute(ctx, v, m.node) }));
      const wrong = judged.filter((x) => x.verdict.on || x.verdict.info !== null);
      // a mapping that is neither on this path nor another model's: what this backbone gets is not known
      if (wrong.length === 0 && judged.some((x) => !x.verdict.on && !x.verdict.otherModel())) continue;
      if (wrong.length > 0) {
        // one finding per kind of wrong mapping (the ImageNet constants and the expression using them are one mistake)
        const kinds = new Map<string, typeof wrong>();
        // Rescaling(1/255) then Normalization(ImageNet mean/std) on the same path is one ImageNet mapping
        const hasImagenet = wrong.some((w) => w.m.kind === 'imagenet' && w.verdict.on);
        for (const w of wrong) {
          const k = hasImagenet && w.m.kind === 'div255' && w.verdict.on ? 'imagenet' : w.m.kind;
          kinds.set(k, [...(kinds.get(k) ?? []), w]);
        }
        for (const group of kinds.values()) {
          const byPlace = [...group].sort((a, b) => a.m.node.startIndex - b.m.node.startIndex);
          // the expression that applies the mapping comes after the constants it reads
          const last = [...byPlace].reverse().find((g) => g.m.kind !== 'div255') ?? byPlace[byPlace.length - 1]!;
          const w = last.m;
          if (group.some((g) => reported.has(g.m.node.id))) continue;
          group.forEach((g) => reported.add(g.m.node.id));
          const sure = group.find((g) => g.verdict.on);
          const via = sure && sure.verdict.on ? sure.verdict.via : null;
          // data shared with another model is changed at this model's input, as on the keras.applications path
          const feed = sure && !via ? sharedStepFeed(ctx, v, w.node) : null;
          const anchor = via ? helperAnchor(ctx, via, w.node, (n) => attribute(ctx, v, n).on || onValidationData(ctx, flowOf(ctx).pathOf(v), n)) : feed ?? w.node;
          const info = group.map((g) => (g.verdict.on ? null : g.verdict.info)).find((x) => x) ?? null;
          ctx.report({
            message: `Partial or wrong preprocessing for ${valueSubject(v)}: ${KIND_TEXT[w.kind]}, but ${v.table ? 'each' : 'the preset'} expects ${contractText(v)}. ${feed ? "The same data feeds another model: apply the preset's ImageConverter to the 0–255 pixels at this model's input." : "Use the preset's ImageConverter instead."}${sure ? '' : ` (Not certain: ${info}.)`}`,
            // one anchor: the scaling itself (inside a helper: the line to change), where the helper is applied related;
            // a helper also applied to other data is changed where it is applied to this data
            range: ctx.range(anchor),
            severity: sure ? undefined : 'information',
            related: [...related, ...(via ? [anchor === via ? { message: 'the scaling inside the helper', range: ctx.range(w.node) } : { message: 'the helper is applied here', range: ctx.range(via) }] : []), ...(feed ? [{ message: 'the scaling, shared with another model', range: ctx.range(w.node) }] : []), ...group.filter((g) => g !== last).map((g) => ({ message: 'part of the same mapping', range: ctx.range(g.m.node) })), ...partsOf(ctx, group.map((g) => g.m))],
            fixes: [],
          });
        }
        continue;
      }
      if (ev.unknown.length > 0) continue; // preprocessing may live in imported code: unknown is not guilty
      if (reported.has(site.node.id)) continue;
      reported.add(site.node.id);
      const arg = site.args[0];
      // a factory returning the model, fed by no call of the file: the caller's feed (and its mapping) is not seen
      const byFit = site.callee?.endsWith('.fit') || site.fnText.endsWith('.fit');
      if (!byFit && calledInUnfedFactory(ctx, v, site.node)) {
        ctx.report({
          message: `${asTaskLayer ? `${v.className} called as a layer drops its preprocessor` : `${v.className}.from_preset(${presetArg(v)}) is called with no preprocessing`} in this factory, and no call in this file feeds the model: the caller must apply the preset's ImageConverter (${contractText(v)}) to the images it feeds.`,
          range: ctx.range(site.node),
          severity: 'information',
          related,
          fixes: [],
        });
        continue;
      }
      const fix = converterFix(ctx, v, site.node, arg ? { start: arg.startIndex, end: arg.endIndex, text: arg.text } : null);
      ctx.report({
        message: asTaskLayer
          ? `${v.className} ${site.callee?.endsWith('.fit') || site.fnText.endsWith('.fit') ? 'built with preprocessor=None' : 'called as a layer'} drops its preprocessor: images reach the backbone unconverted. The preset expects ${contractText(v)}.`
          : `Images reach ${v.className}.from_preset(${presetArg(v)}) without its preprocessing. The backbone does not include it: apply the preset's ImageConverter (${contractText(v)}).`,
        range: ctx.range(site.node),
        related,
        fixes: fix ? [fix] : [],
      });
    }
    checkApplicationPreprocessing(ctx);
    checkTrainPredictMismatch(ctx);
  },
};
