import { flowOf } from '../flowAttribution';
import { findLosses, isBinaryLoss } from '../headAndLoss';
import type { LintRule } from '../lintTypes';
import { headOfModel } from '../modelHeads';

/** The loss class to suggest for a logits head (from_logits=True). */
const LOGITS_CLASS: Record<string, string> = {
  sparse_categorical_crossentropy: 'SparseCategoricalCrossentropy',
  categorical_crossentropy: 'CategoricalCrossentropy',
  binary_crossentropy: 'BinaryCrossentropy',
  binary_focal_crossentropy: 'BinaryFocalCrossentropy',
};

/**
 * VTD005: a softmax head with a categorical loss told from_logits=True, a sigmoid head with a binary one, or logits
 * with from_logits=False / a string loss name / a loss function passed by name.
 */
export const logitsLossMismatch: LintRule = {
  code: 'VTD005',
  name: 'logits-loss-mismatch',
  defaultSeverity: 'warning',
  summary: "The head's activation and the loss's from_logits disagree.",
  check(ctx) {
    const flow = flowOf(ctx);
    for (const loss of findLosses(ctx.model)) {
      if (loss.name === 'other') continue;
      const binary = isBinaryLoss(loss.name);
      // the head of the model this compile() compiles (the name as bound at that point), never another model's
      const target = loss.compile.fn?.type === 'attribute' ? flow.modelAt(loss.compile.fn.childForFieldName('object')) : null;
      const head = target ? headOfModel(ctx.model, target) : undefined;
      if (!head) continue;
      const related = [{ message: head.task ? 'head (keras_hub task) created here' : 'head here', range: ctx.range(head.node) }, { message: 'compiled here', range: ctx.range(loss.compile.node) }];
      // softmax before a categorical loss, sigmoid before a binary one (a sigmoid before a categorical loss, a softmax
      // before a binary one: another mistake than applying the activation twice, not this rule's)
      const activation = binary ? 'sigmoid' : 'softmax';
      if (head.activation === activation && loss.fromLogits) {
        ctx.report({
          message: `The head applies ${activation}, but the loss is told from_logits=True: ${activation} runs twice, gradients shrink and the loss floor rises.`,
          range: ctx.range(loss.fromLogitsNode ?? loss.node),
          related,
          fixes: loss.fromLogitsNode ? [{ title: 'Set from_logits=False', edits: [{ range: ctx.range(loss.fromLogitsNode), newText: 'False' }], preferred: true }] : [],
        });
      } else if (head.activation === null && !loss.fromLogits) {
        const lossClass = LOGITS_CLASS[loss.name] ?? 'CategoricalCrossentropy';
        const kerasAlias = [...ctx.model.imports].find(([, q]) => q === 'keras')?.[0];
        const prefix = kerasAlias ? `${kerasAlias}.losses.` : 'keras.losses.';
        ctx.report({
          message: `The head outputs logits (${head.task ? 'keras_hub tasks default to activation=None' : 'Dense without activation'}), but the loss ${loss.isString ? `"${loss.name}" ` : loss.isFunction ? `${loss.node.text} ` : ''}expects probabilities (from_logits=False): training is unstable and the reported loss is wrong.`,
          range: ctx.range(loss.fromLogitsNode ?? loss.node),
          related,
          fixes: loss.fromLogitsNode
            ? [{ title: 'Set from_logits=True', edits: [{ range: ctx.range(loss.fromLogitsNode), newText: 'True' }], preferred: true }]
            : (loss.isString || loss.isFunction) && kerasAlias
              ? [{ title: `Use ${prefix}${lossClass}(from_logits=True)`, edits: [{ range: ctx.range(loss.node), newText: `${prefix}${lossClass}(from_logits=True)` }], preferred: true }]
              : [],
        });
      }
    }
    // keras_hub pitfall: a task with activation="softmax" is compiled at construction with from_logits=True
    for (const task of ctx.values.ofKind('task')) {
      const act = task.def.kwargs.get('activation');
      if (!act || ctx.model.stringValue(act) !== 'softmax') continue;
      if (ctx.values.methodCalls(task, 'compile').length > 0 || ctx.values.methodCalls(task, 'fit').length === 0) continue;
      ctx.report({
        message: 'A keras_hub task built with activation="softmax" is compiled at construction with from_logits=True (it compiles before storing the activation): call compile() with from_logits=False, or keep activation=None.',
        range: ctx.range(act),
        related: [{ message: 'trained here', range: ctx.range(ctx.values.methodCalls(task, 'fit')[0]!.node) }],
      });
    }
  },
};
