import { findHead, findLosses } from '../headAndLoss';
import type { LintRule } from '../lintTypes';

/** VTD006: head units vs the number of classes in the code; sparse vs categorical loss vs the label encoding. */
export const labelHeadMismatch: LintRule = {
  code: 'VTD006',
  name: 'label-head-mismatch',
  defaultSeverity: 'warning',
  summary: 'The head size or the loss does not match the labels.',
  check(ctx) {
    const head = findHead(ctx.model, ctx.values);
    const losses = findLosses(ctx.model);
    // number of classes written in the code
    let classes: number | null = null;
    let classesNode = null;
    for (const [name, list] of ctx.model.assignments) {
      if (!/^(self\.)?(num|n)_?classes$/i.test(name)) continue;
      const v = ctx.model.numberValue(list[list.length - 1]?.value);
      if (v !== null) {
        classes = v;
        classesNode = list[list.length - 1]!.value;
      }
    }
    if (head?.units != null && classes !== null && head.units !== classes && head.unitsNode?.type === 'integer') {
      ctx.report({
        message: `The head has ${head.units} units but the code defines ${classes} classes.`,
        range: ctx.range(head.unitsNode),
        related: classesNode ? [{ message: `${classes} classes here`, range: ctx.range(classesNode) }] : [],
      });
    }
    // labels re-encoded somewhere (ds.map(lambda x, y: (x, tf.one_hot(y, n)))): the directory's label_mode is not what the loss sees
    const reencoded = ctx.model.calls.some((c) => /(^|\.)(one_hot|to_categorical|CategoryEncoding|argmax)$/.test(c.callee ?? c.fnText));
    const dsCalls = reencoded ? [] : ctx.model.calls.filter((c) => /image_dataset_from_directory$/.test(c.callee ?? ''));
    for (const ds of dsCalls) {
      const modeNode = ds.kwargs.get('label_mode');
      const mode = modeNode ? ctx.model.stringValue(modeNode) : 'int';
      if (modeNode && mode === null) continue;
      for (const loss of losses) {
        if (mode === 'categorical' && loss.name === 'sparse_categorical_crossentropy') {
          ctx.report({ message: 'label_mode="categorical" gives one-hot labels, but the loss is sparse (expects integer labels): training fails with a shape error.', range: ctx.range(loss.node), severity: 'error', related: [{ message: 'labels made here', range: ctx.range(modeNode ?? ds.node) }] });
        } else if (mode === 'int' && loss.name === 'categorical_crossentropy') {
          ctx.report({ message: `image_dataset_from_directory gives integer labels${modeNode ? '' : ' (label_mode="int" by default)'}, but CategoricalCrossentropy expects one-hot: use SparseCategoricalCrossentropy or label_mode="categorical".`, range: ctx.range(loss.node), related: [{ message: 'labels made here', range: ctx.range(modeNode ?? ds.node) }] });
        }
      }
    }
    if (head?.units === 1 && losses.some((l) => l.name === 'sparse_categorical_crossentropy' || l.name === 'categorical_crossentropy')) {
      ctx.report({ message: 'A 1-unit head with a categorical cross-entropy: every logit is the only class, the loss is constant. Use one unit per class, or a binary loss.', range: ctx.range(head.unitsNode ?? head.node), related: [] });
    }
  },
};
