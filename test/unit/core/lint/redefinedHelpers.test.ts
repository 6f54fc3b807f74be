import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;
const vtd001 = async (text: string): Promise<string[]> => (await lintText(text)).filter((f) => f.code === 'VTD001').map((f) => `${at(f.range)}:${f.severity}`);

/** A notebook's two sections, each defining `process` and training its own MobileNetV2 (the second section's `process` on line 14). */
const sections = (first: string, second: string): string => `import tensorflow as tf
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
train_raw = tf.keras.utils.image_dataset_from_directory("flowers", image_size=(224, 224))

def process(image, label):
    return ${first}, label

ds = train_raw.map(process)
model = tf.keras.Sequential([tf.keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg"), tf.keras.layers.Dense(5)])
model.fit(ds, epochs=3)

augment = tf.keras.Sequential([tf.keras.layers.RandomFlip("horizontal")])
def process(image, label):
    image = ${second}
    return augment(image), label

ds = train_raw.map(process)
model = tf.keras.Sequential([tf.keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg"), tf.keras.layers.Dense(5)])
model.fit(ds, epochs=3)
`;

describe('A helper redefined in a later section of a notebook: the def in force where it is read', () => {
  it("the second section's /255 reaches the second model: a warning there, and the first section stays judged by its own def", async () => {
    const fs = (await lintText(sections('preprocess_input(image)', 'tf.image.resize(image, (224, 224)) / 255.0'))).filter((f) => f.code === 'VTD001');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['14:warning']);
    // the augmentation Sequential applied in the map is a stage of this model's input, not another model sharing the data
    assert.doesNotMatch(fs[0]!.message, /feeds another model/);
    assert.deepEqual(await vtd001(sections('image / 255.0', 'preprocess_input(image)')), ['6:warning']);
  });

  it('correct twins are silent: both sections map with preprocess_input', async () => {
    assert.deepEqual(await vtd001(sections('preprocess_input(image)', 'preprocess_input(image)')), []);
  });

  it('not resolved when the defs sit in if/else arms or the read is inside a function called later', async () => {
    const arms = `import tensorflow as tf
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
if FAST:
    def process(image, label):
        return image / 255.0, label
else:
    def process(image, label):
        return preprocess_input(image), label
ds = train_raw.map(process)
model = tf.keras.Sequential([tf.keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg"), tf.keras.layers.Dense(5)])
model.fit(ds, epochs=3)
`;
    assert.deepEqual((await vtd001(arms)).filter((f) => f.endsWith('warning')), []);
    const later = sections('image / 255.0', 'preprocess_input(image)').replace('ds = train_raw.map(process)\nmodel = tf.keras.Sequential([tf.keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg"), tf.keras.layers.Dense(5)])\nmodel.fit(ds, epochs=3)\n\naugment', 'def run():\n    model = tf.keras.Sequential([tf.keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg"), tf.keras.layers.Dense(5)])\n    model.fit(train_raw.map(process), epochs=3)\n\naugment');
    assert.deepEqual((await vtd001(later)).filter((f) => f.startsWith('8:')), []);
  });

  it('a nested tuple loop target binds its names: for (images, metas), labels in ds', async () => {
    const text = `import numpy as np
import tensorflow as tf
images = np.load("raw.npy")
base = tf.keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(5)])
model.fit(val_ds.map(lambda x, y: (tf.keras.applications.mobilenet_v2.preprocess_input(x), y)), epochs=2)
for (images, metas), labels in val_ds.map(lambda x, y: ((x / 255.0, 0), y)):
    model.predict(images)
`;
    assert.deepEqual(await vtd001(text), ['7:warning']);
  });
});
