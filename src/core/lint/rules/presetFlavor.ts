import { KERAS_HUB_KNOWLEDGE } from '../../presets/kerasHubKnowledge';
import type { LintRule } from '../lintTypes';

const exists = (name: string): boolean => KERAS_HUB_KNOWLEDGE.presets.some((p) => p.name === name && p.current);
const backbones21k = (): string => KERAS_HUB_KNOWLEDGE.presets.filter((p) => p.current && p.family === 'vit' && p.name.endsWith('_imagenet21k')).map((p) => p.name).join(', ');

const isWord = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/**
 * `lower.replace(/\b[a-z0-9_]*_imagenet(?:21k)?\b/g, ' ')` for a lower-cased text, without the regex's backtracking
 * at every word (the text is a whole file): each word (run of [A-Za-z0-9_]) ending in `_imagenet` or `_imagenet21k`
 * becomes one space.
 */
export function withoutPresetNames(lower: string): string {
  let out = '';
  let last = 0;
  for (let i = lower.indexOf('_imagenet'); i >= 0; i = lower.indexOf('_imagenet', i + 1)) {
    let end = i + 9;
    if (lower.startsWith('21k', end) && !isWord(lower.charCodeAt(end + 3))) end += 3;
    else if (isWord(lower.charCodeAt(end))) continue;
    let start = i;
    while (start > last && isWord(lower.charCodeAt(start - 1))) start--;
    out += `${lower.slice(last, start)} `;
    last = end;
    i = end - 1;
  }
  return last === 0 ? lower : out + lower.slice(last);
}

/** VTD009 (information): a *_imagenet preset where the code intends the 21k backbone, and the other way round. */
export const presetFlavor: LintRule = {
  code: 'VTD009',
  name: 'preset-flavor',
  defaultSeverity: 'information',
  summary: 'The preset flavour (ImageNet-1k fine-tuned vs ImageNet-21k backbone) differs from what the code says it wants.',
  check(ctx) {
    if (!ctx.values.values.some((v) => v.family?.family === 'vit' && v.preset)) return;
    // what the file says it wants, in comments, strings and names, minus the preset names themselves
    const words = withoutPresetNames(ctx.src.text.toLowerCase());
    const wants21k = /(imagenet[-_ ]?2[12]k|\bin2[12]k|\b2[12]k[- ]pre-?train|pre-?trained on (imagenet[- ])?2[12]k)/.test(words);
    const wants1k = /(imagenet[-_ ]?1k|\bin1k|fine-?tuned on imagenet(?![-_ ]?2[12]k))/.test(words);
    for (const v of ctx.values.values) {
      if (!v.preset || !v.presetNode || v.family?.family !== 'vit') continue;
      if (/_imagenet$/.test(v.preset) && wants21k) {
        const other = `${v.preset}21k`;
        const has = exists(other);
        ctx.report({
          message: `"${v.preset}" is ImageNet-21k pre-trained and then fine-tuned on ImageNet-1k (it ships a 1000-class head). The code mentions 21k: ${has ? `the 21k-only backbone is "${other}"` : `keras-hub has no 21k-only backbone at this size (those are ${backbones21k()})`}.`,
          range: ctx.range(v.presetNode),
          fixes: has ? [{ title: `Use "${other}"`, edits: [{ range: ctx.range(v.presetNode), newText: JSON.stringify(other) }] }] : [],
        });
      } else if (/_imagenet21k$/.test(v.preset) && wants1k) {
        const other = v.preset.replace(/21k$/, '');
        ctx.report({
          message: `"${v.preset}" is the ImageNet-21k backbone only (no head, not fine-tuned on 1k). The code mentions ImageNet-1k: ${exists(other) ? `the fine-tuned preset is "${other}"` : 'keras-hub has no ImageNet-1k fine-tuned preset of this size'}.`,
          range: ctx.range(v.presetNode),
          fixes: exists(other) ? [{ title: `Use "${other}"`, edits: [{ range: ctx.range(v.presetNode), newText: JSON.stringify(other) }] }] : [],
        });
      }
    }
  },
};
