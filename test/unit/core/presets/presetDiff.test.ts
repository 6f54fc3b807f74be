import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffEffectiveMapping } from '../../../../src/core/presets/presetDiff';
import { presetDiffSide, presetDiffState } from '../../../../src/core/presets/presetDiffSide';
import { parseImageConverterConfig } from '../../../../src/core/presets/presetSchema';
import { fixturesRoot } from '../../helpers/kerasFixtures';

const conv = (config: Record<string, unknown>) => parseImageConverterConfig({ class_name: 'ViTImageConverter', config }, 'f');

describe('preset diff', () => {
  it('two spellings of the same converter compare as the same mapping', () => {
    const oldFmt = { label: 'old', files: {}, converter: conv({ image_size: [224, 224], scale: 1 / 255, offset: null, norm_mean: [0.5, 0.5, 0.5], norm_std: [0.5, 0.5, 0.5] }) };
    const newFmt = { label: 'new', files: {}, converter: conv({ image_size: [224, 224], scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1] }) };
    const d = diffEffectiveMapping(oldFmt, newFmt);
    assert.equal(d.sameMapping, true);
    assert.match(d.explanation, /Same input mapping/);
  });
  it('a /255 converter against a [-1, 1] one is a different mapping, explained with both ranges', () => {
    const a = { label: 'a', files: {}, converter: conv({ image_size: [224, 224], scale: 1 / 255 }) };
    const b = { label: 'b', files: {}, converter: conv({ image_size: [224, 224], scale: 2 / 255, offset: -1 }) };
    const d = diffEffectiveMapping(a, b);
    assert.equal(d.sameMapping, false);
    assert.match(d.explanation, /\[0\.000, 1\.000\].*\[-1\.000, 1\.000\]/);
  });
  it('fixture presets on disk: class token and head differences are flagged with their meaning', () => {
    const l = presetDiffSide(join(fixturesRoot(), 'vit_tiny_cls', 'preset'), [process.cwd()]);
    const r = presetDiffSide(join(fixturesRoot(), 'vit_tiny_nocls', 'preset'), [process.cwd()]);
    const s = presetDiffState(l, r);
    assert.equal(s.mapping.same, true);
    const cls = s.rows.find((x) => x.file === 'config.json' && x.key === 'config.use_class_token');
    assert.equal(cls?.kind, 'changed');
    assert.match(cls!.meaning!, /Class token/);
    assert.ok(s.rows.some((x) => x.key.endsWith('num_classes') && x.kind === 'changed'));
  });
  it('catalog presets compare without files on disk: 1k vs 21k flavour', () => {
    const s = presetDiffState(presetDiffSide('vit_base_patch16_224_imagenet', ['/nonexistent']), presetDiffSide('vit_base_patch16_224_imagenet21k', ['/nonexistent']));
    assert.equal(s.mapping.same, true);
    assert.ok(s.rows.some((x) => x.file === 'task.json' && x.kind === 'removed'));
  });
});
