import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveAffine, inputContract } from '../../../../src/core/presets/inputContract';
import { parseImageClassifierConfig, parseImageConverterConfig, parseViTBackboneConfig } from '../../../../src/core/presets/presetSchema';
import { VIT_CATALOG, vitParameterCount } from '../../../../src/core/presets/vitCatalog';

const backbone = (config: Record<string, unknown>, className = 'ViTBackbone') => ({ class_name: className, config, module: 'x', registered_name: `keras_hub>${className}` });
const base = { image_shape: [224, 224, 3], patch_size: [16, 16], num_layers: 12, num_heads: 12, hidden_dim: 768, mlp_dim: 3072 };

describe('parseViTBackboneConfig', () => {
  it('applies keras-hub defaults to old uploads (int patch size, no class-token keys, no dtype)', () => {
    const c = parseViTBackboneConfig(backbone({ ...base, patch_size: 16 }), 'config.json');
    assert.deepEqual(c.patchSize, [16, 16]);
    assert.equal(c.useClassToken, true);
    assert.equal(c.usePatchBias, true);
    assert.equal(c.layerNormEpsilon, 1e-6);
    assert.equal(c.dtype, 'float32');
  });
  it('accepts non-square images and patches', () => {
    const c = parseViTBackboneConfig(backbone({ ...base, image_shape: [64, 96, 3], patch_size: [16, 32], use_class_token: false }), 'config.json');
    assert.deepEqual(c.patchSize, [16, 32]);
    assert.equal(c.useClassToken, false);
  });
  it('rejects an image size that the patch does not divide, naming the file', () => {
    assert.throws(() => parseViTBackboneConfig(backbone({ ...base, image_shape: [225, 224, 3] }), '/p/config.json'), /\/p\/config\.json: "image_shape" 225×224 is not divisible by "patch_size" 16×16/);
  });
  it('rejects hidden_dim not divisible by num_heads, naming both keys', () => {
    assert.throws(() => parseViTBackboneConfig(backbone({ ...base, hidden_dim: 770 }), '/p/config.json'), /\/p\/config\.json: "hidden_dim" 770 is not divisible by "num_heads" 12/);
  });
  it('rejects unsupported backbone classes with a clear message', () => {
    assert.throws(() => parseViTBackboneConfig(backbone(base, 'ResNetBackbone'), 'c.json'), /backbone class "ResNetBackbone" is not supported/);
  });
  it('rejects a missing required field', () => {
    const { num_heads: _n, ...rest } = base;
    assert.throws(() => parseViTBackboneConfig(backbone(rest), 'c.json'), /"num_heads" must be a positive integer/);
  });
  it('rejects JSON that is not a serialized Keras object', () => {
    assert.throws(() => parseViTBackboneConfig([1, 2], 'c.json'), /expected a JSON object/);
  });
});

describe('parseImageConverterConfig and inputContract', () => {
  const conv = (config: Record<string, unknown>) => ({ class_name: 'ViTImageConverter', config });
  it('new format: per-channel scale/offset gives x / 127.5 - 1 in [-1, 1]', () => {
    const c = inputContract(parseImageConverterConfig(conv({ image_size: [224, 224], scale: [0.00784313725490196, 0.00784313725490196, 0.00784313725490196], offset: [-1, -1, -1] }), 'f'));
    assert.equal(c.formula, 'x / 127.5 - 1');
    assert.equal(c.rangeText, '[-1, 1]');
  });
  it('old format: scale 1/255 with norm_mean/norm_std 0.5 folds to the same mapping', () => {
    const parsed = parseImageConverterConfig(conv({ image_size: [384, 384], scale: 0.00392156862745098, offset: null, norm_mean: [0.5, 0.5, 0.5], norm_std: [0.5, 0.5, 0.5] }), 'f');
    const a = effectiveAffine(parsed);
    a.scale.forEach((s) => assert.ok(Math.abs(s - 2 / 255) < 1e-12));
    a.offset.forEach((o) => assert.ok(Math.abs(o + 1) < 1e-12));
    assert.equal(inputContract(parsed).formula, 'x / 127.5 - 1');
  });
  it('legacy mean/variance keys fold into scale/offset', () => {
    const parsed = parseImageConverterConfig(conv({ height: 32, width: 32, scale: 1 / 255, mean: [0.5, 0.5, 0.5], variance: [0.25, 0.25, 0.25] }), 'f');
    assert.deepEqual(parsed.imageSize, [32, 32]);
    assert.ok(Math.abs(parsed.scale![0]! - 2 / 255) < 1e-12);
    assert.ok(Math.abs(parsed.offset![0]! + 1) < 1e-12);
  });
  it('crop_to_aspect_ratio defaults to true (the code default, not the docstring)', () => {
    assert.equal(parseImageConverterConfig(conv({ image_size: [8, 8] }), 'f').cropToAspectRatio, true);
  });
  it('per-channel ImageNet mean/std shows per-channel ranges', () => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const parsed = parseImageConverterConfig(conv({ image_size: [224, 224], scale: std.map((s) => 1 / (255 * s)), offset: mean.map((m, i) => -m / std[i]!) }), 'f');
    const c = inputContract(parsed);
    assert.ok(Math.abs(c.expectedMin[0]! + 2.1179) < 1e-3);
    assert.match(c.formula, /^R: /);
  });
});

describe('parseImageClassifierConfig', () => {
  it('reads the head config; activation defaults to logits (None)', () => {
    const t = parseImageClassifierConfig({ class_name: 'ViTImageClassifier', config: { num_classes: 5, pooling: 'gap' } }, 'task.json');
    assert.equal(t.numClasses, 5);
    assert.equal(t.activation, null);
    assert.equal(t.pooling, 'gap');
  });
});

describe('VIT_CATALOG', () => {
  it('the parameter formula reproduces every published parameter count', () => {
    assert.equal(VIT_CATALOG.length, 11);
    for (const e of VIT_CATALOG) {
      const grid = (e.imageSize / e.patchSize) ** 2;
      const count = vitParameterCount({ numLayers: e.numLayers, hiddenDim: e.hiddenDim, mlpDim: e.mlpDim, patchSize: [e.patchSize, e.patchSize], channels: 3, numPositions: grid + 1, useClassToken: true });
      assert.equal(count, e.params, e.name);
    }
  });
  it('21k presets are backbone-only, _imagenet presets ship a 1000-class head', () => {
    for (const e of VIT_CATALOG) assert.equal(e.taskClasses, e.name.endsWith('21k') ? null : 1000);
  });
});
