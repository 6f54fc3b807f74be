import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { mergeExports, mergePresets, patchOfUpstream, statedSizes, type FileFacts } from '../../../scripts/knowledge/buildKnowledge';
import { extractBackbones, extractConverters } from '../../../scripts/knowledge/extractConverters';
import { extractConversion } from '../../../scripts/knowledge/extractConversion';
import { extractApiExports, extractDecoratorExports, extractKerasCvModelExports } from '../../../scripts/knowledge/extractExports';
import { extractKerasCvPresets } from '../../../scripts/knowledge/extractKerasCvPresets';
import { extractPresets, type ExtractedPreset } from '../../../scripts/knowledge/extractPresets';
import { compareVersions, selectReleaseTags } from '../../../scripts/knowledge/gitHistory';
import { releasesOf } from '../../../scripts/knowledge/releaseRanges';
import { getPythonParser } from '../../../src/core/lint/pythonSource';
import { KERAS_HUB_KNOWLEDGE } from '../../../src/core/presets/kerasHubKnowledge';
import { VIT_CATALOG } from '../../../src/core/presets/vitCatalog';

// Python written for these tests in the shapes keras-hub / keras-cv use (not copied from them).
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


@keras_hub_export("keras_hub.models.ToyBackbone")
class ToyBackbone(Backbone):
    def __init__(self, patch_size, image_shape=(224, 224, 3), position_embedding_shape=(518, 518, 3), **kwargs):
        pass
`;

const CONVERSION_PY = `"""Convert toy checkpoints."""
import keras_hub

PRESET_MAP = {
    "toy_small_imagenet": "timm/toy_small.in1k",
    "toy_big_imagenet": (
        "timm/toy_big.in21k_ft_in1k"
    ),
}


def convert_image_converter(image_size, config):
    data_config["crop_pct"] = 1.0  # no crop
    return keras_hub.layers.ToyImageConverter(
        image_size=(image_size, image_size),
        scale=[1.0 / 255.0 / s for s in config["std"]],
        interpolation="bicubic",
    )
`;

const CV_PRESETS_PY = `backbone_presets_no_weights = {
    "toy18": {
        "metadata": {"description": "x", "params": 11, "path": "toy_v1"},
        "class_name": "keras_cv>ToyBackbone",
        "config": {"stackwise_filters": [64], "include_rescaling": True, "input_shape": (None, None, 3)},
    },
    "toy34": {
        "metadata": {"description": "y", "params": 21, "path": "toy_v1"},
        "kaggle_handle": "kaggle://keras/toy/keras/toy34/2",
    },
}
backbone_presets_with_weights = {
    "toy18_imagenet": {
        "metadata": {"description": "z", "params": 11, "path": "toy_v1"},
        "config": backbone_presets_no_weights["toy18"]["config"],
        "weights_url": "https://example.invalid/w.h5",
    },
}
`;

const preset = (name: string, params: number): ExtractedPreset => ({ name, family: 'toy', params, description: '', kaggleHandle: `kaggle://keras/toy/keras/${name}/1` });
const PRESETS_PATH = 'keras_hub/src/models/toy/toy_presets.py';
const at = (version: string, presets: ExtractedPreset[]): FileFacts => ({ version, path: PRESETS_PATH, presets });

describe('keras-hub knowledge generator: extractors', () => {
  it('reads presets wherever the dict literal sits, with numbers, concatenated strings and handles', async () => {
    const parser = await getPythonParser();
    const presets = extractPresets(parser, PRESETS_PY);
    assert.deepEqual(presets.map((p) => [p.name, p.family, p.params, p.kaggleHandle]), [
      ['toy_small', 'toy', 1234567, 'kaggle://keras/toy/keras/toy_small/2'],
      ['toy_patch8_96_cls', 'toy', 42, 'kaggle://keras/toy/keras/toy_patch8_96_cls/1'],
    ]);
    assert.equal(presets[0]?.description, 'A toy model at 160x160.');
    assert.deepEqual(statedSizes('toy_small', 'A toy model at 160x160.'), { imageSize: 160, patchSize: null, imageSizeSource: 'description' });
    assert.deepEqual(statedSizes('toy_patch8_96_cls', ''), { imageSize: 96, patchSize: 8, imageSizeSource: 'name' });
    assert.deepEqual(statedSizes('toy_base', 'no size'), { imageSize: null, patchSize: null });
    assert.deepEqual(['facebook/dinov3-vits16-pretrain-lvd1689m', 'facebook/dinov3-vit7b16-pretrain-sat493m', 'facebook/dinov3-vith16plus-pretrain-lvd1689m', 'google/vit-base-patch32-384', 'timm/efficientnet_b0.ra_in1k', 'facebook/dinov2-base'].map(patchOfUpstream), [16, 16, 16, 32, null, null]);
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

  it('reads keras_hub_export decorators, converter defaults and backbone constructor defaults', async () => {
    assert.deepEqual(extractDecoratorExports(CONVERTER_PY, 'm').map((e) => `${e.namespace}.${e.name}=${e.className}`), [
      'layers.ToyImageConverter=ToyImageConverter',
      'models.ToyTask=ToyTask',
      'models.ToyTaskAlias=ToyTask',
      'models.ToyBackbone=ToyBackbone',
    ]);
    const parser = await getPythonParser();
    assert.deepEqual(extractConverters(parser, CONVERTER_PY), [
      { exportedAs: 'keras_hub.layers.ToyImageConverter', className: 'ToyImageConverter', backboneClass: 'ToyBackbone', defaults: { norm_mean: '[0.5, 0.5, 0.5]', norm_std: '(0.25,) * 3' } },
    ]);
    assert.deepEqual(extractBackbones(parser, CONVERTER_PY), [
      { exportedAs: 'keras_hub.models.ToyBackbone', className: 'ToyBackbone', backboneClass: null, defaults: { image_shape: '(224, 224, 3)', position_embedding_shape: '(518, 518, 3)' } },
    ]);
  });

  it('reads a conversion script: PRESET_MAP, the converter it builds, the crop override', async () => {
    const parser = await getPythonParser();
    assert.deepEqual(extractConversion(parser, CONVERSION_PY), {
      presetMap: { toy_small_imagenet: 'timm/toy_small.in1k', toy_big_imagenet: 'timm/toy_big.in21k_ft_in1k' },
      converterArgs: { image_size: '(image_size, image_size)', scale: '[1.0 / 255.0 / s for s in config["std"]]', interpolation: '"bicubic"' },
      cropPct: '1.0',
    });
  });

  it('reads keras-cv model exports of both layouts, not sub-namespaces', () => {
    const old = 'from keras_cv.models import legacy\nfrom keras_cv.models.backbones.toy.toy_aliases import (  # noqa: E501\n    Toy18Backbone,\n)\n';
    const api = 'from keras_cv.api.models import classification\nfrom keras_cv.src.models.classification.image_classifier import ImageClassifier\n';
    assert.deepEqual(extractKerasCvModelExports(old).map((e) => `${e.name}@${e.module}`), ['Toy18Backbone@keras_cv.models.backbones.toy.toy_aliases']);
    assert.deepEqual(extractKerasCvModelExports(api).map((e) => e.name), ['ImageClassifier']);
  });

  it('reads keras-cv presets: include_rescaling inline, by reference, or not stated', async () => {
    const parser = await getPythonParser();
    assert.deepEqual(extractKerasCvPresets(parser, CV_PRESETS_PY), [
      { name: 'toy18', family: 'toy_v1', params: 11, includeRescaling: true },
      { name: 'toy34', family: 'toy_v1', params: 21, includeRescaling: null },
      { name: 'toy18_imagenet', family: 'toy_v1', params: 11, includeRescaling: true },
    ]);
  });
});

describe('keras-hub knowledge generator: release ranges (hand-written histories)', () => {
  const ORDER = ['0.18.0', '0.19.0', '0.20.0', '0.21.0', 'main'];

  it('selects release tags: no dev/rc tags, from the minimum, numerically ordered, optionally the last patch per minor', () => {
    const tags = ['v0.9.0', 'v0.18.0', 'v0.18.0.dev0', 'v0.19.1', 'v0.19.0', 'v0.20.0rc1', 'v0.17.9', 'v0.20.0', 'junk'];
    assert.deepEqual(selectReleaseTags(tags, '0.18.0'), ['v0.18.0', 'v0.19.0', 'v0.19.1', 'v0.20.0']);
    assert.deepEqual(selectReleaseTags(tags, '0.18.0', true), ['v0.18.0', 'v0.19.1', 'v0.20.0']);
    assert.ok(compareVersions('0.9.0', '0.18.0') < 0 && compareVersions('main', '0.99.0') > 0);
  });

  it('since, removed in, gaps, main only', () => {
    assert.deepEqual(releasesOf(ORDER, new Set(['0.20.0', '0.21.0', 'main'])), { held: [['0.20.0', 'main']], since: '0.20.0', history: 'since 0.20.0' });
    assert.deepEqual(releasesOf(ORDER, new Set(['0.18.0', '0.19.0'])), { held: [['0.18.0', '0.19.0']], since: '0.18.0', removedIn: '0.20.0', history: '0.18.0–0.19.0; removed in 0.20.0' });
    assert.deepEqual(releasesOf(ORDER, new Set(['0.18.0', '0.20.0', '0.21.0', 'main'])).history, '0.18.0, 0.20.0–main');
    assert.equal(releasesOf(ORDER, new Set(ORDER)).history, 'in every version read (since 0.18.0 or earlier)');
    assert.equal(releasesOf(ORDER, new Set(['main'])).history, 'only on main (after 0.21.0)');
    assert.throws(() => releasesOf(ORDER, new Set()));
  });

  it('finds a rename (same family and parameter count, new in the release that dropped the old name) and never invents one', () => {
    const merged = mergePresets(ORDER, [
      at('0.18.0', [preset('toy-base', 100), preset('toy_small', 10), preset('toy-huge', 999)]),
      at('0.19.0', [preset('toy-base', 100), preset('toy_small', 10), preset('toy-huge', 999)]),
      at('0.20.0', [preset('toy_base', 100), preset('toy_small', 10), preset('toy-huge', 999)]),
      at('0.21.0', [preset('toy_base', 100), preset('toy_small', 10), preset('toy_large', 500)]),
      at('main', [preset('toy_base', 100), preset('toy_small', 10), preset('toy_large', 500)]),
    ]);
    const by = new Map(merged.map((p) => [p.name, p]));
    assert.deepEqual([by.get('toy-base')?.current, by.get('toy-base')?.renamedTo, by.get('toy-base')?.renamedIn, by.get('toy-base')?.releases.history], [false, 'toy_base', '0.20.0', '0.18.0–0.19.0; removed in 0.20.0']);
    assert.deepEqual([by.get('toy-huge')?.releases.removedIn, by.get('toy-huge')?.renamedTo], ['0.21.0', undefined]);
    assert.equal(by.get('toy_small')?.releases.history, 'in every version read (since 0.18.0 or earlier)');
    assert.deepEqual([by.get('toy_large')?.current, by.get('toy_large')?.releases.since], [true, '0.21.0']);
  });

  it('an export is current when the newest release or main has it; a preset gets upstream and reviewed statistics', () => {
    const api = (version: string, names: string[]): FileFacts => ({ version, path: 'keras_hub/api/layers/__init__.py', exports: names.map((name) => ({ namespace: 'layers', name, module: 'm', className: name })) });
    const merged = new Map(mergeExports(ORDER, [api('0.18.0', ['A', 'Old']), api('0.19.0', ['A', 'Old']), api('0.20.0', ['A']), api('0.21.0', ['A']), api('main', ['A', 'Next'])]).map((e) => [e.name, e]));
    assert.deepEqual([merged.get('A')?.current, merged.get('Old')?.current, merged.get('Next')?.current], [true, false, true]);
    assert.equal(merged.get('Old')?.releases.history, '0.18.0–0.19.0; removed in 0.20.0');
    assert.equal(merged.get('Next')?.releases.history, 'only on main (after 0.21.0)');
    // a rename: the removed name's role and stem, one new name in the removing release; two candidates are no rename
    const renames = new Map(mergeExports(ORDER, [
      api('0.19.0', ['TwoDarkNetBackbone', 'TwoDarkNetImageClassifier', 'ZedOldBackbone']),
      api('0.20.0', ['TwoNetBackbone', 'TwoNetImageClassifier', 'ZedNewBackbone', 'ZedOtherBackbone']),
      api('main', ['TwoNetBackbone', 'TwoNetImageClassifier', 'ZedNewBackbone', 'ZedOtherBackbone']),
    ]).map((e) => [e.name, e]));
    assert.deepEqual([renames.get('TwoDarkNetBackbone')?.renamedTo, renames.get('TwoDarkNetBackbone')?.renamedIn], ['TwoNetBackbone', '0.20.0']);
    assert.equal(renames.get('TwoDarkNetImageClassifier')?.renamedTo, 'TwoNetImageClassifier');
    assert.equal(renames.get('ZedOldBackbone')?.renamedTo, undefined);
    const conv = { path: 'tools/checkpoint_conversion/convert_toy_checkpoints.py', presetMap: { toy_small: 'timm/toy.in21k' }, converterArgs: { interpolation: '"bilinear"' }, releases: releasesOf(ORDER, new Set(ORDER)) };
    const [p] = mergePresets(ORDER, [at('main', [preset('toy_small', 10)])], [conv], [{ upstream: 'timm/toy.in21k', imageSize: 300, mean: [0, 0, 0], std: [1, 1, 1], source: 'a reviewed source' }]);
    assert.deepEqual([p?.upstream, p?.imageSize, p?.imageSizeSource, p?.input?.mean, p?.input?.interpolation], ['timm/toy.in21k', 300, 'reviewed table (timm/toy.in21k)', [0, 0, 0], 'bilinear']);
  });
});

describe('keras-hub knowledge: the committed file', () => {
  it('was generated from the committed manifest and reviewed table, at release tags', () => {
    const manifestText = readFileSync('scripts/knowledge/kerasHubSources.json', 'utf8');
    assert.equal(KERAS_HUB_KNOWLEDGE.manifestSha256, createHash('sha256').update(manifestText).digest('hex'), 'run npm run kb:generate after editing the manifest');
    assert.equal(KERAS_HUB_KNOWLEDGE.reviewedSha256, createHash('sha256').update(readFileSync('scripts/knowledge/reviewedFacts.json', 'utf8')).digest('hex'), 'run npm run kb:generate after editing the reviewed table');
    const manifest = JSON.parse(manifestText) as { minRelease: string; releases: { version: string; tag: string; commit: string }[] };
    assert.deepEqual(KERAS_HUB_KNOWLEDGE.releases, manifest.releases);
    assert.equal(KERAS_HUB_KNOWLEDGE.releases[0]?.version, manifest.minRelease);
    assert.equal(KERAS_HUB_KNOWLEDGE.releases.at(-1)?.version, 'main');
    for (const r of KERAS_HUB_KNOWLEDGE.releases) {
      assert.match(r.commit, /^[0-9a-f]{40}$/);
      if (r.version !== 'main') assert.equal(r.tag, `v${r.version}`);
    }
    assert.ok(KERAS_HUB_KNOWLEDGE.kerasCv.releases.length >= 3, 'keras-cv: the last patch of each minor release read');
  });

  it('every reviewed row names its source and is used by a generated preset', () => {
    const rows = (JSON.parse(readFileSync('scripts/knowledge/reviewedFacts.json', 'utf8')) as { rows: { upstream?: string; preset?: string; source: string }[] }).rows;
    for (const r of rows) {
      assert.ok(r.source.length > 20, JSON.stringify(r));
      assert.equal(KERAS_HUB_KNOWLEDGE.reviewedSources[r.upstream ?? r.preset ?? ''], r.source);
      assert.ok(KERAS_HUB_KNOWLEDGE.presets.some((p) => (r.upstream && p.upstream === r.upstream) || (r.preset && p.name === r.preset)), `no generated preset maps to ${r.upstream ?? r.preset}`);
    }
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

  it('DINOv3 presets: patch 16 from the upstream checkpoint names, 4 registers and a 518 default from the backbone constructor', () => {
    const dinov3 = KERAS_HUB_KNOWLEDGE.presets.filter((p) => p.family === 'dinov3');
    assert.ok(dinov3.length >= 4);
    for (const p of dinov3) assert.deepEqual([p.patchSize, p.upstream?.startsWith('facebook/dinov3-')], [16, true], p.name);
    const b = KERAS_HUB_KNOWLEDGE.backbones.find((x) => x.exportedAs === 'keras_hub.models.DINOV3Backbone' && !x.releases.removedIn);
    assert.deepEqual([b?.defaults.num_register_tokens, b?.defaults.image_shape], ['4', '(518, 518, 3)']);
  });

  it('keras-cv presets state include_rescaling where a presets file of a release gives it', () => {
    const r50 = KERAS_HUB_KNOWLEDGE.kerasCv.presets.find((p) => p.name === 'resnet50_imagenet');
    assert.equal(r50?.includeRescaling, true);
    assert.match(r50?.includeRescalingSource ?? '', /resnet_v1_backbone_presets\.py@v0\.\d+\.\d+$/);
  });
});
