import type { SyntaxNode as Node } from '../syntaxNode';
import { flowOf } from '../flowAttribution';
import { findLosses } from '../headAndLoss';
import { labelFeedsOf } from '../labelFeeds';
import type { LintRule, RuleContext } from '../lintTypes';
import type { FlowModel, ModelFlow } from '../modelFlow';
import { headOfModel } from '../modelHeads';

const CLASS_COUNT_NAME = /^(self\.)?(num|n)_?classes$/i;

/**
 * The number of classes the code defines for the model compiled at `at`: the class-count names bound at that point
 * (later cells and sections do not count). One such name: it is the program's. Several (a notebook with one section
 * per dataset): only the one read on this model's path (its graph or the data fed to it), else none.
 */
function classCountFor(ctx: RuleContext, flow: ModelFlow, target: FlowModel, at: number): { value: number; node: Node; name: string; read: boolean } | null {
  const bound: { name: string; value: number | null; node: Node }[] = [];
  for (const name of ctx.model.assignments.keys()) {
    if (!CLASS_COUNT_NAME.test(name)) continue;
    const a = ctx.model.lastAssignment(name, at);
    if (a) bound.push({ name, value: ctx.model.numberValue(a.value), node: a.value });
  }
  const numeric = bound.filter((b): b is { name: string; value: number; node: Node } => b.value !== null);
  const read = (b: { name: string }): boolean => ctx.model.references(b.name).some((r) => r.startIndex < at && flow.onPathOfModel(target, r));
  if (bound.length === 1) return numeric[0] ? { ...numeric[0], read: read(numeric[0]) } : null;
  const onPath = numeric.filter(read);
  return onPath.length === 1 ? { ...(onPath[0] as { value: number; node: Node; name: string }), read: true } : null;
}

/**
 * VTD006: head units vs the number of classes in the code; sparse vs categorical loss vs the label encoding. Judged per
 * compile(): the head of the model compiled, the labels of the data fed to that model.
 */
export const labelHeadMismatch: LintRule = {
  code: 'VTD006',
  name: 'label-head-mismatch',
  defaultSeverity: 'warning',
  summary: 'The head size or the loss does not match the labels.',
  check(ctx) {
    const flow = flowOf(ctx);
    // labels re-encoded somewhere (ds.map(lambda x, y: (x, tf.one_hot(y, n)))): the directory's label_mode is not what
    // the loss sees; an argmax counts only on a model's labelled data (argmax of predictions is everywhere)
    const encodes = ctx.model.calls.some((c) => /(^|\.)(one_hot|to_categorical|CategoryEncoding)$/.test(c.callee ?? c.fnText));
    const argmaxes = ctx.model.calls.filter((c) => /(^|\.)argmax$/.test(c.callee ?? c.fnText));
    const dsCalls = encodes ? [] : ctx.model.calls.filter((c) => /image_dataset_from_directory$/.test(c.callee ?? ''));
    const headsSeen = new Set<number>();
    for (const loss of findLosses(ctx.model)) {
      const target = loss.compile.fn?.type === 'attribute' ? flow.modelAt(loss.compile.fn.childForFieldName('object')) : null;
      if (!target) continue; // which model is compiled cannot be told: its head and data are unknown
      const head = headOfModel(ctx.model, target);
      const count = classCountFor(ctx, flow, target, loss.compile.node.startIndex);
      const classes = count?.value ?? null;
      const classesNode = count?.node ?? null;
      const compiled = { message: 'compiled here', range: ctx.range(loss.compile.node) };
      const binaryHead = head?.units === 1 && (loss.name === 'sparse_categorical_crossentropy' || loss.name === 'categorical_crossentropy');
      if (head && !headsSeen.has(head.node.id)) {
        headsSeen.add(head.node.id);
        if (head.units != null && classes !== null && head.units !== classes && head.unitsNode?.type === 'integer') {
          // the program's one count, never read on this model's path, while the file builds several models: a guess
          const guessed = count && !count.read && flow.models.length > 1;
          ctx.report({
            message: `The head has ${head.units} units but the code defines ${classes} classes.${guessed ? ` (Not certain: ${count.name} is not read on the path of this model, and the file builds several models.)` : ''}`,
            range: ctx.range(head.unitsNode),
            severity: guessed ? 'information' : undefined,
            related: [...(classesNode ? [{ message: `${classes} classes here`, range: ctx.range(classesNode) }] : []), compiled],
          });
        }
        if (binaryHead) {
          // one unit says the task is binary: the loss is what to change (anchored there; the head is related)
          ctx.report({
            message: 'A 1-unit head with a categorical cross-entropy: the single output is the only class, so the loss is constant and nothing is learned. Use a binary loss (binary_crossentropy), or one unit per class.',
            range: ctx.range(loss.node),
            related: [{ message: '1-unit head here', range: ctx.range(head.unitsNode ?? head.node) }, compiled],
          });
        }
      }
      // the directory's labels count only when that data is fed to the model this loss compiles; after a 1-unit head
      // with a categorical loss, the label encoding advice (a sparse loss) would be wrong too: the loss is binary
      // each data set whose labels this loss sees (fit's x, validation_data, evaluate's x): on the training data the
      // loss is what to change; a data set only validated or evaluated on is itself the place to fix (the loss is related)
      const labelled = labelFeedsOf(flow, target);
      if (argmaxes.some((c) => labelled.roleOf(c.node) !== null)) continue;
      for (const ds of binaryHead ? [] : dsCalls) {
        const role = labelled.roleOf(ds.node);
        if (!role) continue;
        const modeNode = ds.kwargs.get('label_mode');
        const mode = modeNode ? ctx.model.stringValue(modeNode) : 'int';
        if (modeNode && mode === null) continue;
        const made = { message: 'labels made here', range: ctx.range(modeNode ?? ds.node) };
        const at = role === 'training' ? ctx.range(loss.node) : made.range;
        const related = role === 'training' ? [made, compiled] : [{ message: 'loss compiled here', range: ctx.range(loss.node) }, compiled];
        const where = role === 'training' ? 'training' : 'evaluation';
        if (mode === 'categorical' && loss.name === 'sparse_categorical_crossentropy') {
          ctx.report({ message: `label_mode="categorical" gives one-hot labels, but the loss is sparse (expects integer labels): ${where} fails with a shape error.`, range: at, severity: 'error', related });
        } else if (mode === 'int' && loss.name === 'categorical_crossentropy') {
          ctx.report({ message: `image_dataset_from_directory gives integer labels${modeNode ? '' : ' (label_mode="int" by default)'}, but CategoricalCrossentropy expects one-hot: use ${role === 'training' ? 'SparseCategoricalCrossentropy or ' : ''}label_mode="categorical".`, range: at, related });
        }
      }
    }
  },
};
