import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { mergeExports, mergePresets, statedSizes, type FileFacts } from '../../../scripts/knowledge/buildKnowledge';
import { extractConverters } from '../../../scripts/knowledge/extractConverters';
import { extractApiExports, extractDecoratorExports } from '../../../scripts/knowledge/extractExports';
import { extractPresets, type ExtractedPreset } from '../../../scripts/knowledge/extractPresets';
import { getPythonParser } from '../../../src/core/lint/pythonSource';
import { KERAS_HUB_KNOWLEDGE } from '../../../src/core/presets/kerasHubKnowledge';
import { VIT_CATALOG } from '../../../src/core/presets/vitCatalog';
import { lintText } from '../core/lint/lintHarness';

// Python written for these tests in the shapes keras-hub uses (not copied from keras-hub).
const PRESETS_PY = `"""Presets."""
backbone_presets = {
    "toy_small": {
        "metadata": {
            "description": (
                "A toy model "
                "at 160x160."
            ),
            "params": 1_234_567,
            "path": "toy",
        },
        "kaggle_handle": "kaggle://keras/toy/keras/toy_small/2",
    },
}
classifier_presets = {
    "toy_patch8_96_cls": {"metadata": {"params": 42, "path": "toy", "description": 'x'}, "kaggle_handle": 'kaggle://keras/toy/keras/toy_patch8_96_cls/1'},
}
presets = {**backbone_presets, **classifier_presets}
`;

const API_PY = `"""DO NOT EDIT."""

from keras_hub.src.models.toy.toy_backbone import ToyBackbone as ToyBackbone
from keras_hub.src.models.toy.toy_classifier import (
    ToyImageClassifier as ToyClassifier,
)
<<<<<<< HEAD
from keras_hub.src.models.alpha.alpha_backbone import (
    AlphaBackbone as AlphaBackbone,
=======
from keras_hub.src.models.beta.beta_backbone import (
    BetaBackbone as BetaBackbone,
>>>>>>> beta-branch
)
from keras_hub.src.models.gamma.gamma_backbone import GammaBackbone
`;

const CONVERTER_PY = `from keras_hub.src.api_export import keras_hub_export


@keras_hub_export("keras_hub.layers.ToyImageConverter")
class ToyImageConverter(ImageConverter):
    backbone_cls = ToyBackbone

    def __init__(self, norm_mean=[0.5, 0.5, 0.5], norm_std=(0.25,) * 3, **kwargs):
        super().__init__(**kwargs)


@keras_hub_export(["keras_hub.models.ToyTask", "keras_hub.models.ToyTaskAlias"])
class ToyTask(Task):
    pass
`;

const facts = (path: string, commit: string, version: number, versions: number, presets: ExtractedPreset[]): FileFacts => ({
  source: { path, commit, version, versions },
  exports: [],
  presets,
  converters: [],
});
const preset = (name: string, params: number): ExtractedPreset => ({ name, family: 'toy', params, description: '', kaggleHandle: `kaggle://keras/toy/keras/${name}/1` });

describe('keras-hub knowledge generator', () => {
  it('reads presets wherever the dict literal sits, with numbers, concatenated strings and handles', async () => {
    const parser = await getPythonParser();
    const presets = extractPresets(parser, PRESETS_PY);
    assert.deepEqual(presets.map((p) => [p.name, p.family, p.params, p.kaggleHandle]), [
      ['toy_small', 'toy', 1234567, 'kaggle://keras/toy/keras/toy_small/2'],
      ['toy_patch8_96_cls', 'toy', 42, 'kaggle://keras/toy/keras/toy_patch8_96_cls/1'],
    ]);
    assert.equal(presets[0]?.description, 'A toy model at 160x160.');
    assert.deepEqual(statedSizes('toy_small', 'A toy model at 160x160.'), { imageSize: 160, patchSize: null });
    assert.deepEqual(statedSizes('toy_patch8_96_cls', ''), { imageSize: 96, patchSize: 8 });
  });

  it('reads API listings with aliases, and keeps both sides of a merge conflict, marked', () => {
    const { exports, conflicts } = extractApiExports(API_PY, 'models');
    assert.equal(conflicts, 1);
    assert.deepEqual(exports.map((e) => [e.name, e.className, e.conflictSide ?? '']), [
      ['ToyBackbone', 'ToyBackbone', ''],
      ['ToyClassifier', 'ToyImageClassifier', ''],
      ['AlphaBackbone', 'AlphaBackbone', 'HEAD'],
      ['BetaBackbone', 'BetaBackbone', 'beta-branch'],
      ['GammaBackbone', 'GammaBackbone', ''],
    ]);
    assert.equal(exports[0]?.module, 'keras_hub.src.models.toy.toy_backbone');
  });

  it('reads keras_hub_export decorators and converter defaults', async () => {
    assert.deepEqual(extractDecoratorExports(CONVERTER_PY, 'm').map((e) => `${e.namespace}.${e.name}=${e.className}`), [
      'layers.ToyImageConverter=ToyImageConverter',
      'models.ToyTask=ToyTask',
      'models.ToyTaskAlias=ToyTask',
    ]);
    const parser = await getPythonParser();
    assert.deepEqual(extractConverters(parser, CONVERTER_PY), [
      { exportedAs: 'keras_hub.layers.ToyImageConverter', className: 'ToyImageConverter', backboneClass: 'ToyBackbone', defaults: { norm_mean: '[0.5, 0.5, 0.5]', norm_std: '(0.25,) * 3' } },
    ]);
  });

  it('finds renames (same family and parameter count, absent where the old name lived) and never invents one', () => {
    const path = 'keras_hub/src/models/toy/toy_presets.py';
    const merged = mergePresets([
      facts(path, 'aaaaaaa1', 0, 3, [preset('toy-base', 100), preset('toy_small', 10), preset('toy-huge', 999)]),
      facts(path, 'bbbbbbb2', 1, 3, [preset('toy_base', 100), preset('toy_small', 10), preset('toy-huge', 999)]),
      facts(path, 'ccccccc3', 2, 3, [preset('toy_base', 100), preset('toy_small', 10), preset('toy_large', 500)]),
    ]);
    const by = new Map(merged.map((p) => [p.name, p]));
    assert.deepEqual([by.get('toy-base')?.current, by.get('toy-base')?.goneIn, by.get('toy-base')?.renamedTo], [false, 'bbbbbbb', 'toy_base']);
    assert.deepEqual(by.get('toy-base')?.seenIn, ['aaaaaaa']);
    assert.deepEqual([by.get('toy-huge')?.goneIn, by.get('toy-huge')?.renamedTo], ['ccccccc', undefined]);
    assert.deepEqual(by.get('toy_small')?.seenIn, ['aaaaaaa', 'bbbbbbb', 'ccccccc']);
    assert.equal(by.get('toy_large')?.current, true);
  });

  it('marks exports current only when the newest API listing has them', () => {
    const api = (commit: string, version: number, names: string[]): FileFacts => ({
      source: { path: 'keras_hub/api/layers/__init__.py', commit, version, versions: 2 },
      exports: names.map((name) => ({ namespace: 'layers', name, module: 'm', className: name })),
      presets: [],
      converters: [],
    });
    const decorated: FileFacts = { source: { path: 'keras_hub/src/x.py', commit: 'ddddddd4', version: 0, versions: 1 }, exports: [{ namespace: 'layers', name: 'WipConverter', module: 'm', className: 'WipConverter' }], presets: [], converters: [] };
    const merged = new Map(mergeExports([api('aaaaaaa1', 0, ['A', 'Old']), api('bbbbbbb2', 1, ['A', 'B']), decorated]).map((e) => [e.name, e]));
    assert.deepEqual([merged.get('A')?.current, merged.get('B')?.current, merged.get('Old')?.current, merged.get('WipConverter')?.current], [true, true, false, false]);
    assert.deepEqual(merged.get('A')?.seenIn, ['aaaaaaa', 'bbbbbbb']);
  });

  it('the committed knowledge base was generated from the committed manifest', () => {
    const manifestText = readFileSync('scripts/knowledge/kerasHubSources.json', 'utf8');
    assert.equal(KERAS_HUB_KNOWLEDGE.manifestSha256, createHash('sha256').update(manifestText).digest('hex'), 'run npm run kb:generate after editing the manifest');
    const manifest = JSON.parse(manifestText) as { files: { path: string; commit: string }[] };
    assert.deepEqual(KERAS_HUB_KNOWLEDGE.sources.map((s) => `${s.path}@${s.commit}`), manifest.files.map((f) => `${f.path}@${f.commit}`));
    for (const s of KERAS_HUB_KNOWLEDGE.sources) assert.match(s.commit, /^[0-9a-f]{40}$/);
  });

  it('agrees with the ViT facts sheet table on names and parameter counts', () => {
    const generated = KERAS_HUB_KNOWLEDGE.presets.filter((p) => p.family === 'vit' && p.current);
    assert.deepEqual(generated.map((p) => p.name).sort(), VIT_CATALOG.map((e) => e.name).sort());
    for (const p of generated) {
      const e = VIT_CATALOG.find((c) => c.name === p.name);
      assert.equal(p.params, e?.params, p.name);
      assert.deepEqual([p.imageSize, p.patchSize], [e?.imageSize, e?.patchSize], p.name);
    }
  });

  it('the generated histories hold the renames the listed versions show', () => {
    const by = new Map(KERAS_HUB_KNOWLEDGE.presets.map((p) => [p.name, p]));
    assert.deepEqual([by.get('dinov2-base')?.renamedTo, by.get('dinov2-base')?.goneIn], ['dinov2_base', '4647acb']);
    assert.deepEqual([by.get('mobilenetv3_small_050')?.renamedTo, by.get('mobilenetv3_small_050')?.goneIn], ['mobilenet_v3_small_050_imagenet', '3a862bb']);
    assert.equal(by.get('dinov2_with_registers_small')?.current, true);
    assert.deepEqual([by.get('efficientnet_b1_ra4_e3600_r240_imagenet')?.imageSize, by.get('clip_vit_h_14_laion2b_s32b_b79k')?.patchSize], [240, 14]);
  });

  it('lint: an export of another version is information naming it; the DINOv2 rename names both versions', async () => {
    const findings = await lintText('import keras_hub\nc = keras_hub.layers.DinoV2ImageConverter()\nb = keras_hub.models.Backbone.from_preset("dinov2-base")\n');
    const byLine = new Map(findings.map((f) => [f.range.start.line, f]));
    assert.equal(byLine.get(1)?.severity, 'information');
    assert.match(byLine.get(1)?.message ?? '', /@43e5922/);
    assert.equal(byLine.get(2)?.severity, 'information');
    assert.match(byLine.get(2)?.message ?? '', /@00bb3ac.*@4647acb.*"dinov2_base"/);
  });
});
