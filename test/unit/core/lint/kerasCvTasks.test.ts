import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;
const vtd002 = async (text: string): Promise<string[]> => (await lintText(text)).filter((f) => f.code === 'VTD002').map((f) => `${at(f.range)}:${f.severity}`);

/** A KerasCV classifier from a backbone preset, fitted on a tf.data map that `scale` writes. */
const classifier = (preset: string, scale: string): string => `import keras_cv
import tensorflow as tf
ds = tf.keras.utils.image_dataset_from_directory("flowers", image_size=(224, 224))
def to_float(image, label):
    image = ${scale}
    return image, label
ds = ds.map(to_float)
model = keras_cv.models.ImageClassifier.from_preset("${preset}", num_classes=5)
model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
model.fit(ds, epochs=3)
`;

describe('VTD002 on KerasCV task presets whose backbone rescales inside', () => {
  it('ImageClassifier.from_preset on a weighted include_rescaling=True preset fed /255: a warning at the division', async () => {
    const text = classifier('efficientnetv2_s_imagenet', 'tf.cast(image, tf.float32) / 255.0');
    const fs = (await lintText(text)).filter((f) => f.code === 'VTD002');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['5:warning']);
    assert.match(fs[0]!.message, /"efficientnetv2_s_imagenet" backbone preset, whose configuration has include_rescaling=True/);
    const rel = fs[0]!.related.map((r) => `${at(r.range)}:${r.message}`);
    assert.ok(rel.includes('10:trained here'), rel.join('\n'));
  });

  it('silent on the correct twin (0–255 pixels), on a configuration preset (no weights) and on a preset it does not know', async () => {
    assert.deepEqual(await vtd002(classifier('efficientnetv2_s_imagenet', 'tf.cast(image, tf.float32)')), []);
    assert.deepEqual(await vtd002(classifier('efficientnetv2_s', 'tf.cast(image, tf.float32) / 255.0')), []);
    assert.deepEqual(await vtd002(classifier('my_own_classifier_preset', 'tf.cast(image, tf.float32) / 255.0')), []);
  });

  it('no VTD008 on a KerasCV preset name read as a keras_hub one', async () => {
    const fs = await lintText(classifier('efficientnetv2_s_imagenet', 'tf.cast(image, tf.float32)'));
    assert.deepEqual(fs.filter((f) => f.code === 'VTD008').map((f) => f.message), []);
  });

  it('a /255 with no call feeding the classifier is information (the link is guessed)', async () => {
    const text = `import keras_cv\nimport numpy as np\nx_train = np.load("x.npy") / 255.0\nmodel = keras_cv.models.ImageClassifier.from_preset("efficientnetv2_b0_imagenet", num_classes=2)\n`;
    assert.deepEqual(await vtd002(text), ['3:information']);
  });

  it('a /255 fed to another model of the file only is silent', async () => {
    const text = `${classifier('efficientnetv2_s_imagenet', 'tf.cast(image, tf.float32)')}small = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(5)])\nsmall.fit(np.load("x.npy") / 255.0)\n`;
    assert.deepEqual(await vtd002(text), []);
  });

  it('KerasCV backbones: a configuration preset is silent, the weighted one is a warning', async () => {
    const backbone = (preset: string): string => `import keras_cv
import tensorflow as tf
from tensorflow import keras
inputs = keras.Input((224, 224, 3))
x = keras.layers.Rescaling(1 / 255)(inputs)
backbone = keras_cv.models.ResNetBackbone.from_preset("${preset}")
outputs = keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(backbone(x)))
model = keras.Model(inputs, outputs)
model.fit(ds)
`;
    assert.deepEqual(await vtd002(backbone('resnet50_imagenet')), ['5:warning']);
    assert.deepEqual(await vtd002(backbone('resnet50')), []);
  });
});
