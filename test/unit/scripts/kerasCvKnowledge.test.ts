import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kerasCvModelExport, kerasCvPreset } from '../../../src/core/presets/kerasCvApi';

describe('keras-cv knowledge (generated from its last releases)', () => {
  it('knows keras_cv.models names and that ViTClassifier never existed', () => {
    assert.equal(kerasCvModelExport('ResNet50V2Backbone')?.current, true);
    assert.equal(kerasCvModelExport('ImageClassifier')?.module, 'keras_cv.src.models.classification.image_classifier');
    assert.equal(kerasCvModelExport('ViTClassifier'), undefined);
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
