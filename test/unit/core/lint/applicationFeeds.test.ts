import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;
const vtd001 = async (text: string) => (await lintText(text)).filter((f) => f.code === 'VTD001');

const head = `import numpy as np
import tensorflow as tf
from tensorflow.keras.applications import MobileNetV2
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
train_ds = tf.keras.utils.image_dataset_from_directory("train", image_size=(224, 224))
`;
const model = `base = MobileNetV2(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
model = tf.keras.Sequential([base, tf.keras.layers.Dense(7, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
`;

describe('VTD001: the model\'s preprocess_input applied to some of the data fed to it, not all', () => {
  it('trained on a /255 map, predicted with preprocess_input: a warning at the /255, the feed and the own mapping related', async () => {
    const text = `${head}def process(image, label):\n    return tf.cast(image / 255, tf.float32), label\ntrain_ds = train_ds.map(process)\n${model}model.fit(train_ds, epochs=3)\nimg = np.expand_dims(np.zeros((224, 224, 3)), 0)\nimg = preprocess_input(img)\nmodel.predict(img)\n`;
    const fs = await vtd001(text);
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['7:warning']);
    assert.match(fs[0]!.message, /applied to other data of this file, not to this data/);
    const rel = fs[0]!.related.map((r) => `${at(r.range)}:${r.message}`);
    assert.ok(rel.includes('13:fed here (fit)'), rel.join('\n'));
    assert.ok(rel.includes("15:the model's preprocess_input, applied to other data"), rel.join('\n'));
  });

  it('trained with preprocess_input, predicted on /255 images: a warning at the /255 of the predicted data', async () => {
    const text = `${head}train_ds = train_ds.map(lambda x, y: (preprocess_input(x), y))\n${model}model.fit(train_ds, epochs=3)\nimg = np.load("one.npy") / 255.0\nmodel.predict(img)\n`;
    const fs = await vtd001(text);
    assert.deepEqual(fs.map((f) => at(f.range)), [12]);
    assert.ok(fs[0]!.related.some((r) => at(r.range) === 13 && /without the model's preprocess_input/.test(r.message)));
  });

  it('silent when every feed gets the own mapping (a helper used for both) or the model applies it inside', async () => {
    const helper = `${head}def prep(x):\n    return preprocess_input(tf.cast(x, tf.float32))\ntrain_ds = train_ds.map(lambda x, y: (prep(x), y))\n${model}model.fit(train_ds)\nshown = np.load("one.npy") / 255.0\nmodel.predict(prep(np.load("one.npy")))\n`;
    assert.deepEqual(await vtd001(helper), []);
    const inside = `${head}base = MobileNetV2(include_top=False, weights="imagenet", pooling="avg")\ninputs = tf.keras.Input((224, 224, 3))\nx = preprocess_input(inputs)\nmodel = tf.keras.Model(inputs, tf.keras.layers.Dense(7)(base(x)))\nmodel.fit(train_ds)\nmodel.predict(np.load("one.npy"))\n`;
    assert.deepEqual(await vtd001(inside), []);
  });

  it('silent when the wrongly scaled data is fed to another model only', async () => {
    const text = `${head}train_ds = train_ds.map(lambda x, y: (preprocess_input(x), y))\n${model}model.fit(train_ds)\nsmall = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(7)])\nsmall.fit(np.load("x.npy") / 255.0)\n`;
    assert.deepEqual(await vtd001(text), []);
  });

  it('reads a name assigned in both arms of an if as either value: silent when one arm maps right, a warning when both are wrong', async () => {
    const arms = (a: string, b: string): string => `${head}if USE_KERAS:\n    ds = train_ds.map(lambda x, y: (${a}, y))\nelse:\n    ds = train_ds.map(lambda x, y: (${b}, y))\n${model}model.fit(ds)\nmodel.predict(preprocess_input(np.load("one.npy")))\n`;
    assert.deepEqual(await vtd001(arms('preprocess_input(x)', 'x / 255.0')), []);
    assert.deepEqual((await vtd001(arms('x / 255.0', 'x / 255.0'))).map((f) => at(f.range)), [7]);
  });
});
