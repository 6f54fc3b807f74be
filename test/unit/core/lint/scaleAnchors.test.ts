import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * One documented anchor for VTD001/VTD002 on every path (keras_hub presets, keras_hub tasks, keras.applications): the
 * scaling itself, also inside a named mapper applied to the train and validation data of the same model; where the
 * mapper is applied when another model's data shares its body. The other places are related locations.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const scaleFindings = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => (f.code === 'VTD001' || f.code === 'VTD002') && f.severity !== 'information');
const relatedLines = (f: LintFinding, re: RegExp): number[] => f.related.filter((r) => re.test(r.message)).map((r) => line(r.range));

const taskTrainVal = `import keras
import keras_hub
import tensorflow as tf
train_ds = keras.utils.image_dataset_from_directory("data/train", image_size=(224, 224))
val_ds = keras.utils.image_dataset_from_directory("data/val", image_size=(224, 224))
def preprocess_inputs(image, label):
    image = keras.ops.cast(image, "float32") / 255.0
    return image, label
train_ds = train_ds.map(preprocess_inputs)
val_ds = val_ds.map(preprocess_inputs)
classifier = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=4)
classifier.fit(train_ds, validation_data=val_ds)
`;
const taskSharedWithCnn = `import keras
import keras_hub
train_ds = keras.utils.image_dataset_from_directory("data/train", image_size=(224, 224))
def preprocess_inputs(image, label):
    image = keras.ops.cast(image, "float32") / 255.0
    return image, label
cnn_ds = train_ds.map(preprocess_inputs)
cnn = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(8, 3), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(4)])
cnn.fit(cnn_ds)
hub_ds = train_ds.map(preprocess_inputs)
classifier = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=4)
classifier.fit(hub_ds)
`;
const backboneTrainVal = `import keras
import keras_hub
train_ds = keras.utils.image_dataset_from_directory("data/train", image_size=(224, 224))
val_ds = keras.utils.image_dataset_from_directory("data/val", image_size=(224, 224))
def to_unit(image, label):
    return image / 255.0, label
train_ds = train_ds.map(to_unit)
val_ds = val_ds.map(to_unit)
backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input((224, 224, 3))
x = backbone(inputs)
outputs = keras.layers.Dense(4)(x[:, 0, :])
model = keras.Model(inputs, outputs)
model.fit(train_ds, validation_data=val_ds)
`;
const applicationTrainVal = `import keras
train_ds = keras.utils.image_dataset_from_directory("data/train", image_size=(224, 224))
val_ds = keras.utils.image_dataset_from_directory("data/val", image_size=(224, 224))
def to_unit(image, label):
    return image / 255.0, label
train_ds = train_ds.map(to_unit)
val_ds = val_ds.map(to_unit)
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(4)])
model.fit(train_ds, validation_data=val_ds)
`;

describe('VTD001/VTD002 anchors: the scaling, with where it is applied related', () => {
  it('keras_hub task fed a named mapper used for train and validation data: VTD002 at the / 255, the .map() and fit() related', async () => {
    const fs = await scaleFindings(taskTrainVal);
    assert.deepEqual(fs.map((f) => `${line(f.range)}:${f.code}`), ['7:VTD002']);
    assert.deepEqual(relatedLines(fs[0]!, /helper is applied here/), [9]);
    assert.deepEqual(relatedLines(fs[0]!, /trained here/), [12]);
  });

  it('the same mapper also feeding a from-scratch CNN: anchored where it is applied to the task\'s data (its body serves the CNN)', async () => {
    const fs = await scaleFindings(taskSharedWithCnn);
    assert.deepEqual(fs.map((f) => `${line(f.range)}:${f.code}`), ['10:VTD002']);
    assert.deepEqual(relatedLines(fs[0]!, /scaling inside the helper/), [5]);
  });

  it('keras_hub ViT backbone behind a named mapper for train and validation data: VTD001 at the / 255', async () => {
    const fs = await scaleFindings(backboneTrainVal);
    assert.deepEqual(fs.map((f) => `${line(f.range)}:${f.code}`), ['6:VTD001']);
    assert.deepEqual(relatedLines(fs[0]!, /helper is applied here/), [7]);
  });

  it('keras.applications MobileNetV2 (VTD001) and EfficientNetB0 (VTD002) behind the same mapper: at the / 255, the .map() related', async () => {
    const mobile = await scaleFindings(applicationTrainVal);
    assert.deepEqual(mobile.map((f) => `${line(f.range)}:${f.code}`), ['5:VTD001']);
    assert.deepEqual(relatedLines(mobile[0]!, /helper is applied here/), [6]);
    const effnet = await scaleFindings(applicationTrainVal.replace('MobileNetV2', 'EfficientNetB0'));
    assert.deepEqual(effnet.map((f) => `${line(f.range)}:${f.code}`), ['5:VTD002']);
    assert.deepEqual(relatedLines(effnet[0]!, /helper is applied here/), [6]);
  });
});
