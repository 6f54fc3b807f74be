import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

/**
 * Probe class K: keras_hub EfficientNet/ResNet timm presets take ImageNet mean/std on [0, 1]: Rescaling(1/255) alone
 * is the partial mapping VTD001 reports for a ViT; MobileNetV3 21k (mean 0, std 1) takes [0, 1], so /255 is right.
 */
const vtd001 = async (text: string): Promise<string[]> =>
  (await lintText(text)).filter((f) => f.code === 'VTD001').map((f) => `${f.range.start.line + 1}:${f.severity}:${/Partial or wrong/.test(f.message) ? 'partial' : 'other'}`);

const stem = (cls: string, preset: string, steps = '') => `import keras
import keras_hub

inputs = keras.Input(shape=(224, 224, 3))
x = keras.layers.Rescaling(1.0 / 255.0)(inputs)
${steps}encoder = keras_hub.models.${cls}.from_preset("${preset}")
features = encoder(x)
`;

describe('timm presets fed only Rescaling(1/255) (probe class K)', () => {
  for (const [cls, preset] of [
    ['EfficientNetBackbone', 'efficientnet_b0_ra_imagenet'],
    ['ResNetBackbone', 'resnet_50_imagenet'],
    ['ViTBackbone', 'vit_base_patch16_224_imagenet'],
  ] as const) {
    it(`${preset}: the /255 alone is a partial mapping, at the Rescaling (as for a ViT)`, async () => {
      assert.deepEqual(await vtd001(stem(cls, preset)), ['5:warning:partial']);
    });
  }

  it('ResNet with Rescaling then Normalization(ImageNet mean, variance): the preset mapping, no finding', async () => {
    const norm = 'x = keras.layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2])(x)\n';
    assert.deepEqual(await vtd001(stem('ResNetBackbone', 'resnet_50_imagenet', norm)), []);
  });

  it('mobilenet_v3_large_100_imagenet_21k (mean 0, std 1): /255 is its whole mapping, no finding', async () => {
    assert.deepEqual(await vtd001(stem('MobileNetBackbone', 'mobilenet_v3_large_100_imagenet_21k')), []);
  });
});
