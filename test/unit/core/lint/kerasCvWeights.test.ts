import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kerasCvPresetHasWeights } from '../../../../src/core/presets/kerasCvApi';
import { lintText } from './lintHarness';

const detector = (preset: string): string => `import keras_cv
from tensorflow import keras
backbone = keras_cv.models.YOLOV8Backbone.from_preset("${preset}")
model = keras_cv.models.YOLOV8Detector(num_classes=3, bounding_box_format="xyxy", backbone=backbone, fpn_depth=1)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), classification_loss="binary_crossentropy", box_loss="ciou")
model.fit(train_ds, epochs=3)
`;

describe('VTD007 on keras-cv presets: weights or a configuration', () => {
  it('tells weighted presets from configurations by keras-cv\'s naming, read from the generated preset names', () => {
    assert.equal(kerasCvPresetHasWeights('resnet50_imagenet'), true);
    assert.equal(kerasCvPresetHasWeights('resnet50'), false);
    assert.equal(kerasCvPresetHasWeights('videoswin_base_kinetics400'), true);
    assert.equal(kerasCvPresetHasWeights('yolo_v8_xs_backbone_coco'), true);
    assert.equal(kerasCvPresetHasWeights('yolo_v8_xs_backbone'), false);
    assert.equal(kerasCvPresetHasWeights('my_local_preset'), null);
  });

  it('a trainable COCO backbone at 1e-3 is a warning; the same architecture without weights is silent', async () => {
    const vtd007 = async (p: string) => (await lintText(detector(p))).filter((f) => f.code === 'VTD007').map((f) => `${f.range.start.line + 1}:${f.severity}`);
    assert.deepEqual(await vtd007('yolo_v8_s_backbone_coco'), ['5:warning']);
    assert.deepEqual(await vtd007('yolo_v8_s_backbone'), []);
  });

  it('a preset whose weights cannot be told is information, naming the missing fact', async () => {
    const fs = (await lintText(detector('csp_darknet_m'))).filter((f) => f.code === 'VTD007');
    assert.deepEqual(fs.map((f) => f.severity), ['information']);
    assert.match(fs[0]!.message, /whether the keras-cv preset csp_darknet_m carries pretrained weights is not known/);
  });
});
