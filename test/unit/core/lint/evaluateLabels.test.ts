import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;

const vtd006 = async (text: string): Promise<string[]> =>
  (await lintText(text)).filter((f) => f.code === 'VTD006').map((f) => `${at(f.range)}:${f.severity}`);

// a sparse-loss model trained on integer labels; the test set's label_mode is the variable part (line 9)
const program = (testMode: string, use = 'model.evaluate(test_ds)'): string => `import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.applications import VGG16
train_ds = keras.utils.image_dataset_from_directory("train", label_mode="int", image_size=(224, 224))
valid_ds = keras.utils.image_dataset_from_directory("valid", label_mode="int", image_size=(224, 224))
test_ds = tf.keras.utils.image_dataset_from_directory(
    "test",
    label_mode=${testMode},
    image_size=(224, 224),
)
base = VGG16(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
model = keras.Model(base.input, keras.layers.Dense(38, activation="softmax")(keras.layers.Flatten()(base.output)))
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(train_ds, epochs=3, validation_data=valid_ds)
${use}
y_predicted = model.predict(test_ds)
labels = [np.argmax(p) for p in y_predicted]
`;

describe('VTD006 judges every data set whose labels the loss sees (batch 14 class 5)', () => {
  it('a one-hot test set evaluated by a sparse-loss model: an error at its label_mode, the loss related', async () => {
    const fs = (await lintText(program('"categorical"'))).filter((f) => f.code === 'VTD006');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['9:error']);
    assert.ok(fs[0]!.related.some((r) => at(r.range) === 14 && /loss/.test(r.message)));
    assert.match(fs[0]!.message, /evaluation fails/);
  });

  it('the same test set with integer labels is silent', async () => {
    assert.deepEqual(await vtd006(program('"int"')), []);
  });

  it('a one-hot validation set given to fit is the place to fix too', async () => {
    const text = program('"int"').replace('valid", label_mode="int"', 'valid", label_mode="categorical"');
    assert.deepEqual(await vtd006(text), ['6:error']);
  });

  it('a one-hot training set is still reported at the loss', async () => {
    const text = program('"int"').replace('train", label_mode="int"', 'train", label_mode="categorical"');
    assert.deepEqual(await vtd006(text), ['14:error']);
  });

  it('a one-hot set that only predict reads (no labels) is silent', async () => {
    assert.deepEqual(await vtd006(program('"categorical"', 'shown = test_ds.take(1)')), []);
  });

  it('an argmax of the labels on the evaluated data leaves the encoding unknown: silent', async () => {
    const text = program('"categorical"', 'model.evaluate(test_ds.map(lambda x, y: (x, tf.argmax(y, axis=-1))))');
    assert.deepEqual(await vtd006(text), []);
  });

  it('a one_hot anywhere in the file still silences the label-encoding check', async () => {
    assert.deepEqual(await vtd006(`${program('"categorical"')}onehot = tf.one_hot([1, 2], 38)\n`), []);
  });

  it('a label_mode read at run time is not judged', async () => {
    assert.deepEqual(await vtd006(program('MODE')), []);
  });
});
