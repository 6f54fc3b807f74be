import { findHead, findLosses } from '../headAndLoss';
import type { LintRule } from '../lintTypes';

/** VTD005: a softmax head with from_logits=True, or logits with from_logits=False / a string loss name. */
export const logitsLossMismatch: LintRule = {
  code: 'VTD005',
  name: 'logits-loss-mismatch',
  defaultSeverity: 'warning',
  summary: "The head's activation and the loss's from_logits disagree.",
  check(ctx) {
    const head = findHead(ctx.model, ctx.values);
    if (!head) return;
    const related = [{ message: head.task ? 'head (keras_hub task) created here' : 'head here', range: ctx.range(head.node) }];
    for (const loss of findLosses(ctx.model)) {
      if (loss.name === 'other' || loss.name === 'binary_crossentropy') continue;
      if (head.activation === 'softmax' && loss.fromLogits) {
        ctx.report({
          message: 'The head applies softmax, but the loss is told from_logits=True: softmax runs twice, gradients shrink and the loss floor rises.',
          range: ctx.range(loss.fromLogitsNode ?? loss.node),
          related,
          fixes: loss.fromLogitsNode ? [{ title: 'Set from_logits=False', edits: [{ range: ctx.range(loss.fromLogitsNode), newText: 'False' }], preferred: true }] : [],
        });
      } else if (head.activation === null && !loss.fromLogits) {
        const lossClass = loss.name === 'sparse_categorical_crossentropy' ? 'SparseCategoricalCrossentropy' : 'CategoricalCrossentropy';
        const kerasAlias = [...ctx.model.imports].find(([, q]) => q === 'keras')?.[0];
        const prefix = kerasAlias ? `${kerasAlias}.losses.` : 'keras.losses.';
        ctx.report({
          message: `The head outputs logits (${head.task ? 'keras_hub tasks default to activation=None' : 'Dense without activation'}), but the loss ${loss.isString ? `"${loss.name}"` : ''} expects probabilities (from_logits=False): training is unstable and the reported loss is wrong.`,
          range: ctx.range(loss.fromLogitsNode ?? loss.node),
          related,
          fixes: loss.fromLogitsNode
            ? [{ title: 'Set from_logits=True', edits: [{ range: ctx.range(loss.fromLogitsNode), newText: 'True' }], preferred: true }]
            : loss.isString && kerasAlias
              ? [{ title: `Use ${prefix}${lossClass}(from_logits=True)`, edits: [{ range: ctx.range(loss.node), newText: `${prefix}${lossClass}(from_logits=True)` }], preferred: true }]
              : [],
        });
      }
    }
    // keras_hub pitfall: a task with activation="softmax" is compiled at construction with from_logits=True
    if (head.task && head.activation === 'softmax' && findLosses(ctx.model).length === 0 && ctx.values.methodCalls(head.task, 'fit').length > 0) {
      ctx.report({
        message: 'A keras_hub task built with activation="softmax" is compiled at construction with from_logits=True (it compiles before storing the activation): call compile() with from_logits=False, or keep activation=None.',
        range: ctx.range(head.task.def.kwargs.get('activation') ?? head.task.def.node),
        related,
      });
    }
  },
};
