import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;
const found = async (text: string): Promise<string[]> => (await lintText(text)).filter((f) => f.code === 'VTD001' || f.code === 'VTD002').map((f) => `${f.code}:${at(f.range)}:${f.severity}`);

/** EfficientNetV2B0 without its own preprocessing, trained on x / 127.5 - 1, saved, reloaded (line 14) and asked to predict (line 15). */
const reload = (o: { weights?: string; savePath?: string; loadPath?: string; predicted?: string; imports?: string } = {}): string => `import numpy as np
import tensorflow as tf
from tensorflow.keras.applications import EfficientNetV2B0
from tensorflow.keras.preprocessing.image import ImageDataGenerator
x_train = np.load("x_train.npy")
x_test = np.load("x_test.npy")${o.imports ?? ''}
gen = ImageDataGenerator(preprocessing_function=lambda x: (x / 127.5) - 1.0)
base = EfficientNetV2B0(include_top=False, include_preprocessing=False, weights=${o.weights ?? '"imagenet"'}, pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(7, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(gen.flow(x_train, y_train, batch_size=16), epochs=10)
MODEL_PATH = "plant.h5"
model.save(${o.savePath ?? '"plant.h5"'})
model = tf.keras.models.load_model(${o.loadPath ?? '"plant.h5"'})
predictions = model.predict(${o.predicted ?? 'x_test'})
`;

describe('VTD001: a model trained on mapped pixels, then fed raw pixels (the same model, or reloaded from the path this file saved it to)', () => {
  it('load_model of the saved path, predict on raw arrays: a warning at predict, the training mapping and the reload related', async () => {
    const fs = (await lintText(reload())).filter((f) => f.code === 'VTD001');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['15:warning']);
    const rel = fs[0]!.related.map((r) => `${at(r.range)}:${r.message}`);
    assert.ok(rel.includes('7:the mapping of the training data') && rel.includes('14:reloaded here') && rel.includes('11:trained here (fit)'), rel.join('\n'));
    assert.deepEqual(await found(reload({ savePath: 'MODEL_PATH', loadPath: 'MODEL_PATH' })), ['VTD001:15:warning']);
  });

  it('correct twins are silent: the same mapping on the predicted data (by hand or through the generator)', async () => {
    assert.deepEqual(await found(reload({ predicted: 'x_test / 127.5 - 1.0' })), []);
    assert.deepEqual(await found(reload({ predicted: 'gen.flow(x_test, shuffle=False)' })), []);
  });

  it('silent without a proven link: another path loaded, data from imported code, weights=None', async () => {
    assert.deepEqual(await found(reload({ loadPath: '"other.h5"' })), []);
    assert.deepEqual(await found(reload({ imports: '\nfrom my_data import load_test', predicted: 'load_test()' })), []);
    assert.deepEqual(await found(reload({ weights: 'None' })), []);
  });

  it('a ModelCheckpoint of the path in fit\'s callbacks links load_model to the model; a weights-only checkpoint does not', async () => {
    const cp = (extra: string): string => reload({ savePath: '"unused.h5"' }).replace('model.fit(gen.flow(x_train, y_train, batch_size=16), epochs=10)', `ckpt = tf.keras.callbacks.ModelCheckpoint("plant.h5"${extra})\nmodel.fit(gen.flow(x_train, y_train, batch_size=16), epochs=10, callbacks=[ckpt])`);
    assert.deepEqual(await found(cp('')), ['VTD001:16:warning']);
    assert.deepEqual(await found(cp(', save_weights_only=True')), []);
  });

  it('MobileNetV2 trained with its preprocess_input, then predicting raw images without it: a warning at predict', async () => {
    const text = `import numpy as np
import tensorflow as tf
from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
x_train = preprocess_input(np.load("x_train.npy").astype("float32"))
base = MobileNetV2(include_top=False, weights="imagenet", pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(3)])
model.fit(x_train, y_train, epochs=3)
img = np.expand_dims(tf.keras.utils.img_to_array(tf.keras.utils.load_img("cat.jpg", target_size=(224, 224))), 0)
model.predict(img)
`;
    assert.deepEqual(await found(text), ['VTD001:9:warning']);
    assert.deepEqual(await found(text.replace('model.predict(img)', 'model.predict(preprocess_input(img))')), []);
  });
});
