import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kerasCvModelExport, kerasCvModelKey, kerasCvPreset } from '../../../src/core/presets/kerasCvApi';
import { extractKerasCvModelExports } from '../../../scripts/knowledge/extractExports';

describe('keras-cv knowledge (generated from its last releases)', () => {
  it('knows keras_cv.models names and that ViTClassifier never existed', () => {
    assert.equal(kerasCvModelExport('ResNet50V2Backbone')?.current, true);
    assert.equal(kerasCvModelExport('ImageClassifier')?.module, 'keras_cv.src.models.classification.image_classifier');
    assert.equal(kerasCvModelExport('ViTClassifier'), undefined);
  });

  it('reads every minor release from 0.2 and the legacy namespace, so old names are not unknown', () => {
    // keras_cv.models.ViTB16 was exported by 0.4 only; keras_cv.models.legacy.ViTB16 by 0.5–0.8
    assert.equal(kerasCvModelExport('ViTB16')?.releases.history, '0.4.2; removed in 0.5.1');
    assert.equal(kerasCvModelExport('legacy.ViTB16')?.releases.history, '0.5.1–0.8.2; removed in 0.9.0');
    assert.equal(kerasCvModelExport('ResNet50V2')?.releases.history, '0.2.10–0.4.2; removed in 0.5.1');
    assert.equal(kerasCvModelExport('ResNet50V2Backbone')?.releases.since, '0.5.1');
    assert.equal(kerasCvModelExport('legacy.ViTClassifier'), undefined);
    const legacy = 'from keras_cv.models.legacy.vit import ViTB16\nfrom keras_cv.models.legacy.object_detection.faster_rcnn.faster_rcnn import (\n    FasterRCNN,\n)\n';
    assert.deepEqual(extractKerasCvModelExports(legacy, 'legacy.').map((e) => `${e.name}@${e.className}`), ['legacy.ViTB16@ViTB16', 'legacy.FasterRCNN@FasterRCNN']);
  });

  it('keys qualified names: public, legacy, private module paths', () => {
    assert.deepEqual(kerasCvModelKey('keras_cv.models.ViTClassifier'), { key: 'ViTClassifier', publicName: 'keras_cv.models.ViTClassifier', direct: true });
    assert.deepEqual(kerasCvModelKey('keras_cv.models.legacy.ViTB16'), { key: 'legacy.ViTB16', publicName: 'keras_cv.models.legacy.ViTB16', direct: true });
    assert.deepEqual(kerasCvModelKey('keras_cv.models.legacy.vit.ViTB16'), { key: 'legacy.ViTB16', publicName: 'keras_cv.models.legacy.ViTB16', direct: false });
    assert.deepEqual(kerasCvModelKey('keras_cv.src.models.backbones.resnet_v2.resnet_v2_backbone.ResNetV2Backbone'), { key: 'ResNetV2Backbone', publicName: 'keras_cv.models.ResNetV2Backbone', direct: false });
    assert.equal(kerasCvModelKey('keras_cv.layers.RandAugment'), undefined);
    assert.equal(kerasCvModelKey('keras_cv.models.legacy'), undefined);
  });

  it('backbone presets built with include_rescaling=True rescale inside the model', () => {
    for (const name of ['resnet50_imagenet', 'efficientnetv2_b0_imagenet', 'mobilenet_v3_large_imagenet']) {
      const p = kerasCvPreset(name);
      assert.equal(p?.includeRescaling, true, name);
      assert.match(p?.includeRescalingSource ?? '', /_backbone_presets\.py@v0\.\d+\.\d+$/, name);
    }
    assert.equal(kerasCvPreset('vit_base_patch16_224_imagenet'), undefined);
  });
});
