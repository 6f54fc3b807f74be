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
    const wants21k = /(imagenet[-_ ]?2[12]k|\bin2[12]k|\b2[12]k[- ]pre-?train|pre-?trained on (imagenet[- ])?2[12]k)/.test(words);
    const wants1k = /(imagenet[-_ ]?1k|\bin1k|fine-?tuned on imagenet(?![-_ ]?2[12]k))/.test(words);
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
