import type { Node } from 'web-tree-sitter';
import type { LintRule, QuickFix } from '../lintTypes';

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
    const ev = ctx.evidence;
    const scaling = ev.manual.filter((m) => m.kind === 'div255' || m.kind === 'minus1to1' || m.kind === 'imagenet' || m.kind === 'caffe');
    if (scaling.length === 0) return;
    const conv = ev.appliedConverters[0];
    const task = ev.tasksFittedWithPreprocessor[0];
    // KerasCV presets are saved with include_rescaling=True: unless from_preset passes False, the backbone rescales
    // itself (setting backbone.include_rescaling after it is built changes nothing: the layer graph is made)
    const cv = ctx.values.ofKind('kerascv-backbone').find((v) => {
      const inc = v.def.kwargs.get('include_rescaling');
      return inc === undefined || inc.text === 'True';
    });
    const owner = conv ?? task ?? cv;
    if (!owner) return;
    const what = conv
      ? `${conv.className}.from_preset(...) already maps pixels to the preset's range`
      : task
        ? `${task.className}.${['fit', 'predict', 'evaluate'].find((m) => ctx.values.methodCalls(task, m).length > 0) ?? 'fit'}() runs the preset's preprocessor on every batch`
        : `the KerasCV backbone was built with include_rescaling=True${cv?.def.kwargs.get('include_rescaling') ? '' : ' (the preset default; setting the attribute after from_preset changes nothing)'} and rescales by 1/255 itself`;
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
    for (const m of scaling) {
      ctx.report({
        message: `Double normalisation: ${m.text.length > 40 ? `${m.text.slice(0, 40)}…` : m.text} scales the pixels, and ${what}. Remove the manual step.`,
        range: ctx.range(m.node),
        related: [{ message: 'the other normalisation', range: ctx.range(owner.def.node) }],
        fixes: removalFix(m.node),
      });
    }
  },
};
