import type { Node } from 'web-tree-sitter';
import type { LintRule } from '../lintTypes';

const DEFAULT_LR: Record<string, number> = { adam: 1e-3, adamw: 1e-3, sgd: 0.01, rmsprop: 1e-3, nadam: 1e-3, adamax: 1e-3 };
const THRESHOLD: Record<string, number> = { adam: 5e-4, adamw: 5e-4, nadam: 5e-4, adamax: 5e-4, rmsprop: 5e-4, sgd: 0.05 };

/**
 * VTD007: a trainable pretrained backbone compiled with a high learning rate, judged per compile() from the
 * trainable state at that point; freezing code that freezes nothing.
 */
export const unfrozenBackboneHighLr: LintRule = {
  code: 'VTD007',
  name: 'unfrozen-backbone-high-lr',
  defaultSeverity: 'warning',
  summary: 'A trainable pretrained backbone is fine-tuned with a learning rate that destroys its features.',
  check(ctx) {
    const backbones = ctx.values.ofKind('backbone', 'task', 'kerascv-backbone');
    if (backbones.length === 0) return;
    const b = backbones[0]!;
    const names = backbones.flatMap((v) => (v.name ? [v.name] : []));
    // freezing that freezes (almost) nothing: for layer in backbone.layers[:-k] on a 3-layer ViT backbone
    for (const sub of ctx.model.nodesOfType('subscript')) {
      if (!sub) continue;
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
    // trainable state over the file, in source order
    const trainableSets: { at: number; value: boolean }[] = [];
    for (const [name, list] of ctx.model.assignments) {
      const m = /^(.*)\.trainable$/.exec(name);
      if (!m || !names.includes(m[1] as string)) continue;
      for (const a of list) trainableSets.push({ at: a.target.startIndex, value: a.value.text === 'True' });
    }
    trainableSets.sort((x, y) => x.at - y.at);
    for (const c of ctx.model.calls) {
      if (!/\.compile$/.test(c.node.childForFieldName('function')?.text ?? '')) continue;
      const state = trainableSets.filter((s) => s.at < c.node.startIndex).pop();
      if (state && !state.value) continue;
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
        message: `The pretrained backbone is trainable here and ${kind === 'sgd' ? 'SGD' : kind} runs at learning rate ${lr}${lrNode ? '' : ' (the default)'}: full fine-tuning at this rate wipes the pretrained features. Use ≤ ${kind === 'sgd' ? '0.01' : '1e-4'} (keras_hub tasks default to 5e-5), or freeze the backbone first (backbone.trainable = False).`,
        range: ctx.range(lrNode ?? optNode),
        related: [{ message: `${b.className}.from_preset here`, range: ctx.range(b.def.node) }],
        fixes: lrNode && kind !== 'sgd' ? [{ title: 'Use learning rate 5e-5', edits: [{ range: ctx.range(lrNode), newText: '5e-5' }] }] : [],
      });
    }
  },
};
