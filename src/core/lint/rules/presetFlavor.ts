import type { LintRule } from '../lintTypes';

/** VTD009 (information): a *_imagenet preset where the code intends the 21k backbone, and the other way round. */
export const presetFlavor: LintRule = {
  code: 'VTD009',
  name: 'preset-flavor',
  defaultSeverity: 'information',
  summary: 'The preset flavour (ImageNet-1k fine-tuned vs ImageNet-21k backbone) differs from what the code says it wants.',
  check(ctx) {
    const words = [...ctx.model.comments.map((c) => c.text), ...ctx.model.nodesOfType('string_content').map((s) => s?.text ?? '')]
      .filter((t) => !/^vit_/.test(t.trim()))
      .join('\n')
      .toLowerCase();
    const wants21k = /(21k|21 k|imagenet-21k|imagenet21k|in21k|22k)/.test(words);
    const wants1k = /(1k|imagenet-1k|in1k|fine-?tuned on imagenet)/.test(words.replace(/21k|22k/g, ''));
    for (const v of ctx.values.values) {
      if (!v.preset || !v.presetNode || v.family?.family !== 'vit') continue;
      if (/_imagenet$/.test(v.preset) && wants21k) {
        ctx.report({
          message: `"${v.preset}" is ImageNet-21k pre-trained and then fine-tuned on ImageNet-1k (it ships a 1000-class head). The code mentions 21k: the 21k-only backbone is "${v.preset}21k".`,
          range: ctx.range(v.presetNode),
          fixes: [{ title: `Use "${v.preset}21k"`, edits: [{ range: ctx.range(v.presetNode), newText: JSON.stringify(`${v.preset}21k`) }] }],
        });
      } else if (/_imagenet21k$/.test(v.preset) && wants1k) {
        ctx.report({
          message: `"${v.preset}" is the ImageNet-21k backbone only (no head, not fine-tuned on 1k). The code mentions ImageNet-1k: the fine-tuned preset is "${v.preset.replace(/21k$/, '')}" where it exists.`,
          range: ctx.range(v.presetNode),
        });
      }
    }
  },
};
