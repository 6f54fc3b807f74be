import type { LintRule } from '../lintTypes';

/** VTD010: ImageClassifier.from_preset on a backbone-only preset without num_classes (TypeError), or a kept 1000-class head. */
export const missingNumClasses: LintRule = {
  code: 'VTD010',
  name: 'missing-num-classes',
  defaultSeverity: 'error',
  summary: 'An image classifier from a preset without num_classes: fails for backbone-only presets, keeps the 1000-class head otherwise.',
  check(ctx) {
    for (const t of ctx.values.ofKind('task')) {
      if (t.def.kwargs.has('num_classes') || !t.facts || !t.presetNode) continue;
      if (t.facts.taskClasses === null) {
        ctx.report({
          message: `"${t.preset}" is backbone-only (no task.json): ${t.className}.from_preset needs num_classes=..., otherwise it raises TypeError.`,
          range: ctx.range(t.def.node),
          fixes: [{ title: 'Add num_classes=...', edits: [{ range: ctx.offsets(t.presetNode.endIndex, t.presetNode.endIndex), newText: ', num_classes=NUM_CLASSES' }] }],
        });
      } else if (typeof t.facts.taskClasses === 'number' && ctx.values.methodCalls(t, 'fit').length > 0) {
        ctx.report({
          message: `${t.className}.from_preset("${t.preset}") keeps the preset's ${t.facts.taskClasses}-class head; pass num_classes=<your classes> to get a fresh head for fine-tuning.`,
          range: ctx.range(t.def.node),
          severity: 'warning',
        });
      }
    }
  },
};
