import type { SyntaxNode as Node } from '../syntaxNode';
import type { LintRule } from '../lintTypes';
import { chainOf, flowOf } from '../flowAttribution';
import { ModelMembership } from '../modelMembership';
import { kerasCvPresetHasWeights } from '../../presets/kerasCvApi';
import type { KerasValue } from '../kerasValues';
import { trainableSetsOf, type TrainableSet } from '../trainableSets';

/** The top-level layers of a keras-hub ViTBackbone (a functional model): what `backbone.layers` iterates over. */
const VIT_TOP_LAYERS = ['images', 'vit_patching_and_embedding', 'vit_encoder'];
/** The ones holding weights: freezing both freezes the backbone. */
const VIT_WEIGHT_LAYERS = new Set(['vit_patching_and_embedding', 'vit_encoder']);

/** Python slice of a list with literal bounds, or null when a bound is not a literal integer. */
function pySlice<T>(xs: T[], sliceText: string): T[] | null {
  const m = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*$/.exec(sliceText);
  if (!m) return null;
  const n = xs.length;
  const norm = (v: string | undefined, d: number): number => (v === undefined ? d : Math.max(0, Math.min(n, Number(v) < 0 ? n + Number(v) : Number(v))));
  return xs.slice(norm(m[1], 0), norm(m[2], n));
}

/** Whether `cond` (over the loop variable's `.name`) holds for a layer name; null when it cannot be evaluated. */
function nameCondition(cond: string, v: string, layer: string): boolean | null {
  const c = cond.trim();
  const neg = /^not\s+(.*)$/s.exec(c);
  if (neg) {
    const r = nameCondition(neg[1] as string, v, layer);
    return r === null ? null : !r;
  }
  const esc = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let m = new RegExp(`^["']([^"']*)["']\\s+(not\\s+)?in\\s+${esc}\\.name$`).exec(c);
  if (m) return layer.includes(m[1] as string) !== !!m[2];
  m = new RegExp(`^${esc}\\.name\\.(startswith|endswith)\\(\\s*["']([^"']*)["']\\s*\\)$`).exec(c);
  if (m) return m[1] === 'startswith' ? layer.startsWith(m[2] as string) : layer.endsWith(m[2] as string);
  return null;
}

const DEFAULT_LR: Record<string, number> = { adam: 1e-3, adamw: 1e-3, sgd: 0.01, rmsprop: 1e-3, nadam: 1e-3, adamax: 1e-3 };
const THRESHOLD: Record<string, number> = { adam: 5e-4, adamw: 5e-4, nadam: 5e-4, adamax: 5e-4, rmsprop: 5e-4, sgd: 0.05 };

/**
 * VTD007: a trainable pretrained backbone compiled with a high learning rate, judged per compile() from the
 * trainable state at that point; freezing code that freezes nothing.
 */
/** Whether a node runs once, in file order: not inside a function, lambda or class body (run when called) nor a loop. */
function atModuleLevel(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) if (['function_definition', 'lambda', 'class_definition', 'for_statement', 'while_statement'].includes(p.type)) return false;
  return true;
}

export const unfrozenBackboneHighLr: LintRule = {
  code: 'VTD007',
  name: 'unfrozen-backbone-high-lr',
  defaultSeverity: 'warning',
  summary: 'A trainable pretrained backbone is fine-tuned with a learning rate that destroys its features.',
  check(ctx) {
    // a keras-cv preset without weights (`yolo_v8_xs_backbone`, `resnet50`) builds a model to train from scratch
    const weights = (v: KerasValue): boolean | null => (v.kind !== 'kerascv-backbone' ? true : v.preset ? kerasCvPresetHasWeights(v.preset) : null);
    const backbones = ctx.values.ofKind('backbone', 'task', 'kerascv-backbone').filter((v) => weights(v) !== false);
    if (backbones.length === 0) return;
    const b = backbones[0]!;
    const names = backbones.flatMap((v) => (v.name ? [v.name] : []));
    // freezing that freezes (almost) nothing: for layer in backbone.layers[:-k] on a 3-layer ViT backbone
    for (const sub of ctx.model.nodesOfType('subscript')) {
      if (!sub || !/\.layers\s*\[/.test(sub.text)) continue;
      const value = sub.childForFieldName('value');
      if (value?.type !== 'attribute' || value.childForFieldName('attribute')?.text !== 'layers') continue;
      const owner = ctx.values.valueOf(value.childForFieldName('object'));
      if (!owner || owner.family?.output !== 'tokens' || owner.kind !== 'backbone') continue;
      const slice = sub.childForFieldName('subscript');
      if (slice?.type !== 'slice') continue;
      ctx.report({
        message: `${owner.className}.layers has only 3 layers (input, patching_and_embedding, encoder): ${sub.text} does not select transformer blocks. All encoder blocks live in one layer; freeze with backbone.trainable = False, or set trainable on backbone.get_layer("vit_encoder") sub-layers.`,
        range: ctx.range(sub),
        related: [{ message: 'backbone created here', range: ctx.range(owner.def.node) }],
      });
    }
    // trainable state over the file, in source order ('unknown' = freezing code we cannot follow: judge nothing after it)
    const trainableSets: TrainableSet[] = [];
    for (const loop of ctx.model.nodesOfType('for_statement')) {
      // only `for x in <…>.layers…:` loops can freeze backbone layers (text test before any tree walk)
      if (!loop || !/^for\s+\w+\s+in\s+[^\n:]*\.layers\b/.test(loop.text)) continue;
      const v = loop.childForFieldName('left');
      const right = loop.childForFieldName('right');
      if (v?.type !== 'identifier' || !right) continue;
      const base = right.type === 'subscript' ? right.childForFieldName('value') : right;
      if (base?.type !== 'attribute' || base.childForFieldName('attribute')?.text !== 'layers') continue;
      const owner = ctx.values.valueOf(base.childForFieldName('object'));
      if (!owner || owner.family?.family !== 'vit' || owner.kind !== 'backbone') continue;
      const selected = right.type === 'subscript' ? pySlice(VIT_TOP_LAYERS, right.childForFieldName('subscript')?.text ?? '?') : VIT_TOP_LAYERS;
      const body = loop.childForFieldName('body');
      const setter = new RegExp(`^${v.text}\\.trainable\\s*=\\s*False$`);
      const frozen = new Set<string>();
      let followed = selected !== null;
      for (const st of body?.namedChildren ?? []) {
        if (!st) continue;
        if (st.type === 'expression_statement' && setter.test(st.text.trim())) selected?.forEach((l) => frozen.add(l));
        else if (st.type === 'if_statement' && st.namedChildren.filter((x) => x?.type === 'elif_clause' || x?.type === 'else_clause').length === 0) {
          const inner = st.childForFieldName('consequence')?.namedChildren ?? [];
          if (!inner.some((x) => x && setter.test(x.text.trim()))) continue;
          for (const l of selected ?? []) {
            const r = nameCondition(st.childForFieldName('condition')?.text ?? '', v.text, l);
            if (r === null) followed = false;
            else if (r) frozen.add(l);
          }
        } else if (/\.trainable\s*=/.test(st.text)) followed = false;
      }
      if (!followed) trainableSets.push({ at: loop.startIndex, value: 'unknown' });
      else if ([...VIT_WEIGHT_LAYERS].every((l) => frozen.has(l))) trainableSets.push({ at: loop.startIndex, value: false });
    }
    // models that contain the backbone: setting their trainable sets it on every layer inside (keras semantics)
    const wrappers = new Set<string>();
    for (const c of ctx.model.calls) {
      if (!c.callee || !/^keras\.(models\.)?(Model|Sequential)$/.test(c.callee)) continue;
      const p = c.node.parent;
      const left = p?.type === 'assignment' && p.childForFieldName('right')?.id === c.node.id ? p.childForFieldName('left') : null;
      if (left?.type === 'identifier' || left?.type === 'attribute') wrappers.add(left.text);
    }
    for (const [name, list] of ctx.model.assignments) {
      const m = /^(.*)\.trainable$/.exec(name);
      if (!m) continue;
      const owner = m[1] as string;
      const ownsBackbone = names.includes(owner) || names.some((n) => owner === `${n}.backbone`) || wrappers.has(owner);
      if (!ownsBackbone) continue;
      // in a constructor or method called in the file: at its calls, with their arguments (trainableSetsOf)
      for (const a of list) trainableSets.push(...trainableSetsOf(ctx.model, a));
    }
    trainableSets.sort((x, y) => x.at - y.at);
    const membership = new ModelMembership(ctx.model, ctx.values);
    const flow = flowOf(ctx);
    for (const { call: c, target } of flow.compiles()) {
      // baseline.compile(...) on a model built without the backbone: not this rule's business
      if (c.fn?.type === 'attribute' && membership.compiledModelIsOther(c.fn.childForFieldName('object'))) continue;
      const held = target?.hub.filter((h) => weights(h) !== false);
      if (held && held.length === 0) continue;
      const owner = held?.find((h) => h.kind !== 'converter' && h.kind !== 'preprocessor') ?? b;
      // a compile() of an untraced model that runs before the backbone is built (both at module level) cannot train it
      if (!target && c.node.startIndex < owner.def.node.startIndex && atModuleLevel(c.node) && atModuleLevel(owner.def.node)) continue;
      // the model compiled is not known (a subclass, a name bound elsewhere, a transformers/timm/TF Hub model the
      // flow does not know, even when the backbone is the file's only model), or whether its keras-cv preset has
      // weights: information at most
      const weighted = weights(owner) === true;
      const sure = !!target && weighted;
      const at = c.node.startIndex;
      const state = trainableSets.filter((s) => s.at < at && (!s.within || (s.within.start <= at && at < s.within.end))).pop();
      if (state && state.value !== true) continue;
      const optNode = c.kwargs.get('optimizer') ?? c.args[0] ?? null;
      if (!optNode) continue;
      const resolved = ctx.model.resolve(optNode);
      let kind: string | null = null;
      let lr: number | null = null;
      let lrNode: Node | null = null;
      const s = ctx.model.stringValue(resolved);
      if (s !== null) {
        kind = s.toLowerCase();
        lr = DEFAULT_LR[kind] ?? null;
      } else {
        const oc = ctx.model.callAt(resolved);
        const cls = oc?.callee?.split('.').pop()?.toLowerCase() ?? '';
        if (oc && DEFAULT_LR[cls] !== undefined) {
          kind = cls;
          lrNode = oc.kwargs.get('learning_rate') ?? oc.kwargs.get('lr') ?? oc.args[0] ?? null;
          lr = lrNode ? ctx.model.numberValue(lrNode) : DEFAULT_LR[cls] ?? null;
          if (lrNode && lr === null) continue; // a schedule or a variable we cannot evaluate
        }
      }
      if (!kind || lr === null || THRESHOLD[kind] === undefined || lr < (THRESHOLD[kind] as number)) continue;
      ctx.report({
        message: `The pretrained backbone is trainable here and ${kind === 'sgd' ? 'SGD' : kind} runs at learning rate ${lr}${lrNode ? '' : ' (the default)'}: full fine-tuning at this rate wipes the pretrained features. Use ≤ ${kind === 'sgd' ? '0.01' : '1e-4'} (keras_hub tasks default to 5e-5), or freeze the backbone first (backbone.trainable = False).${sure ? '' : weighted ? ' (Not certain: the model compiled here could not be traced to the backbone.)' : ` (Not certain: whether the keras-cv preset ${owner.preset ?? ''} carries pretrained weights is not known.)`}`,
        // one anchor: the compile() call that trains at this rate (where the optimizer is passed); the rate's own
        // place is a related location and the quick fix's target
        range: ctx.range(c.fn ?? c.node),
        severity: sure ? undefined : 'information',
        related: [...chainOf(ctx, owner).slice(0, 1), { message: lrNode ? 'learning rate set here' : 'optimizer (default learning rate) here', range: ctx.range(lrNode ?? optNode) }],
        fixes: lrNode && kind !== 'sgd' ? [{ title: 'Use learning rate 5e-5', edits: [{ range: ctx.range(lrNode), newText: '5e-5' }] }] : [],
      });
    }
  },
};
