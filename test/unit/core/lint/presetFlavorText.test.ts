import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withoutPresetNames } from '../../../../src/core/lint/rules/presetFlavor';
import { seededRandom as rng } from '../../../../src/core/seededRandom';

/** The regex withoutPresetNames stands for (it backtracks at every word of a whole file). */
const byRegex = (lower: string): string => lower.replace(/\b[a-z0-9_]*_imagenet(?:21k)?\b/g, ' ');

const PIECES = ['_imagenet', '_imagenet21k', '21k', '_', 'vit_base_patch16_224', 'imagenet', 'x', '1', ' ', '.', '"', '\n', 'é', '-', 'k', '2', 'in21k', '__'];

describe('VTD009 text without preset names', () => {
  it('equals the regex replacement on preset names, prefixes, suffixes and random texts', () => {
    const fixed = ['', '_imagenet', 'vit_base_patch16_224_imagenet', '"vit_large_patch16_224_imagenet21k"', 'x_imagenet21kx', 'a_imagenet_imagenet b', 'imagenet21k', 'vit_imagenet2', '_imagenet21k_imagenet', 'é_imagenet', 'pre-trained on imagenet-21k'];
    for (const t of fixed) assert.equal(withoutPresetNames(t), byRegex(t), JSON.stringify(t));
    const r = rng(3);
    for (let trial = 0; trial < 3000; trial++) {
      let t = '';
      for (let k = Math.floor(r() * 12); k > 0; k--) t += PIECES[Math.floor(r() * PIECES.length)];
      assert.equal(withoutPresetNames(t), byRegex(t), JSON.stringify(t));
    }
  });
});
