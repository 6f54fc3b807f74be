import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { familyOfPreset } from '../../../src/core/presets/familyCatalog';
import { KERAS_HUB_KNOWLEDGE } from '../../../src/core/presets/kerasHubKnowledge';
import { lintText } from '../core/lint/lintHarness';

// The four facts issue 16 found wrong, as the generated knowledge (keras-hub at every release tag) now states them.
const preset = (name: string) => KERAS_HUB_KNOWLEDGE.presets.find((p) => p.name === name);

describe('keras-hub knowledge: the corrected facts', () => {
  it('DINOv2 presets are built at 518×518 (patch 14); the constructor default is 224 and the table is stored for 518', () => {
    for (const p of KERAS_HUB_KNOWLEDGE.presets.filter((q) => q.family === 'dinov2')) {
      assert.deepEqual([p.imageSize, p.patchSize], [518, 14], p.name);
      assert.equal(p.imageSizeSource, `reviewed table (${p.upstream})`, p.name);
      assert.match(KERAS_HUB_KNOWLEDGE.reviewedSources[p.upstream ?? ''] ?? '', /^https:\/\/huggingface\.co\/facebook\/dinov2-/, p.name);
      assert.equal(p.input?.interpolation, 'bicubic', p.name);
    }
    assert.equal(familyOfPreset('dinov2_base')?.imageSize, 518);
    const backbone = KERAS_HUB_KNOWLEDGE.backbones.filter((b) => b.exportedAs === 'keras_hub.models.DINOV2Backbone');
    assert.ok(backbone.length > 0);
    for (const b of backbone) assert.deepEqual([b.defaults.image_shape, b.defaults.position_embedding_shape], ['(224, 224, 3)', '(518, 518, 3)']);
  });

  it('efficientnet_lite0_ra_imagenet exists (a current preset) and takes ImageNet mean/std', () => {
    const p = preset('efficientnet_lite0_ra_imagenet');
    assert.equal(p?.current, true);
    assert.equal(p?.upstream, 'timm/efficientnet_lite0.ra_in1k');
    assert.deepEqual([p?.input?.mean, p?.input?.std], [[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]]);
    const fam = familyOfPreset('efficientnet_lite0_ra_imagenet');
    assert.deepEqual([fam?.known, fam?.family.contract, fam?.imageSize], [true, 'imagenet', 224]);
  });

  it('mobilenet_v3_large_100_imagenet_21k takes mean 0 / std 1: /255 is its preprocessing', async () => {
    const p = preset('mobilenet_v3_large_100_imagenet_21k');
    assert.equal(p?.upstream, 'timm/mobilenetv3_large_100.miil_in21k_ft_in1k');
    assert.deepEqual([p?.input?.mean, p?.input?.std], [[0, 0, 0], [1, 1, 1]]);
    const fam = familyOfPreset('mobilenet_v3_large_100_imagenet_21k')?.family;
    assert.deepEqual([fam?.contract, fam?.scale, fam?.offset], ['unit', [1 / 255, 1 / 255, 1 / 255], [0, 0, 0]]);
    // its 1k sibling keeps ImageNet mean/std
    assert.equal(familyOfPreset('mobilenet_v3_large_100_imagenet')?.family.contract, 'imagenet');
    const code = (name: string): string =>
      `import keras_hub\nimport numpy as np\nimages = np.zeros((8, 224, 224, 3))\nx = images / 255.0\nbackbone = keras_hub.models.MobileNetBackbone.from_preset("${name}")\nfeatures = backbone(x)\n`;
    const vtd001 = async (name: string) => (await lintText(code(name))).filter((f) => f.code === 'VTD001' && f.severity !== 'information');
    assert.deepEqual(await vtd001('mobilenet_v3_large_100_imagenet_21k'), []);
    // the same code on the 1k preset is the wrong preprocessing
    assert.equal((await vtd001('mobilenet_v3_large_100_imagenet')).length, 1);
  });

  it('timm checkpoints bring their own statistics and sizes: the ra4 EfficientNets take [-1, 1], b1_ft is built at 224', () => {
    for (const name of ['efficientnet_b0_ra4_e3600_r224_imagenet', 'efficientnet_b1_ra4_e3600_r240_imagenet']) {
      assert.deepEqual(preset(name)?.input?.mean, [0.5, 0.5, 0.5], name);
      assert.equal(familyOfPreset(name)?.family.contract, 'minus1to1', name);
    }
    assert.deepEqual([preset('efficientnet_b1_ft_imagenet')?.imageSize, familyOfPreset('efficientnet_b1_ft_imagenet')?.imageSize], [224, 224]);
    assert.equal(familyOfPreset('efficientnet_b2_ra_imagenet')?.imageSize, 256);
    for (const p of KERAS_HUB_KNOWLEDGE.presets.filter((q) => q.family === 'efficientnet')) assert.notEqual(p.imageSize, null, p.name);
  });

  it('keras_hub.layers.DINOV2ImageConverter is exported since 0.22.0; DinoV2ImageConverter never was', async () => {
    const e = KERAS_HUB_KNOWLEDGE.exports.find((x) => x.namespace === 'layers' && x.name === 'DINOV2ImageConverter');
    assert.deepEqual([e?.current, e?.releases.since, e?.releases.history], [true, '0.22.0', 'since 0.22.0']);
    assert.equal(KERAS_HUB_KNOWLEDGE.exports.find((x) => x.name === 'DinoV2ImageConverter'), undefined);
    assert.equal(familyOfPreset('dinov2_base')?.family.convertersAre, 'keras_hub.layers.DINOV2ImageConverter');
    const findings = await lintText('import keras_hub\nc = keras_hub.layers.DINOV2ImageConverter.from_preset("dinov2_base")\n');
    assert.deepEqual(findings.filter((f) => f.code === 'VTD008'), []);
  });

  it('a name a release exported and a later one removed is information naming the releases', async () => {
    const findings = await lintText('import keras_hub\nb = keras_hub.models.CSPDarkNetBackbone.from_preset("x")\n');
    const f = findings.find((x) => x.code === 'VTD008');
    assert.equal(f?.severity, 'information');
    assert.match(f?.message ?? '', /0\.18\.0–0\.19\.3; removed in 0\.20\.0.*renamed keras_hub\.models\.CSPNetBackbone in 0\.20\.0/);
  });
});
