import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Lead probe class P1: a feed nested as the argument of a display call (`print(model.predict(x))`) feeds the model; only
 * the model's output is shown. The scaling of x is on the model's path like in `preds = model.predict(x)`, for every
 * feed method and every wrapper; data only shown (plt.imshow(x)) stays off it.
 */
const line = (f: LintFinding): number => f.range.start.line + 1;
const vtd001 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001');

const head = `import numpy as np
import matplotlib.pyplot as plt
from tensorflow.keras.applications import VGG16
from tensorflow.keras.applications.vgg16 import preprocess_input, decode_predictions
from tensorflow.keras.utils import load_img, img_to_array
model = VGG16(weights="imagenet")
img = load_img("t.jpg", target_size=(224, 224))
`;
const scaled = `${head}arr = img_to_array(img) / 255.0\n`;
const mapped = `${head}arr = preprocess_input(img_to_array(img))\n`;

const wrappers = [
  'print(model.predict(arr[None]))',
  'print(model.predict(np.expand_dims(arr, 0)))',
  'print(model(arr[None]))',
  'print(np.argmax(model.predict(arr[None])))',
  'print(decode_predictions(model.predict(arr[None])))',
  'print(f"{model.predict(arr[None])}")',
  'print([model.predict(arr[None]), 1])',
  'print((model.predict(arr[None]), 1))',
  'print({"p": model.predict(arr[None])})',
  'print(model.evaluate(arr[None], np.zeros((1, 1000))))',
  'print(model.predict_on_batch(arr[None]))',
  'plt.title(str(np.argmax(model.predict(arr[None]))))',
];

describe('lead probe class P1: feeds nested in a display call', () => {
  for (const w of wrappers) {
    it(`${w}: the / 255 is the wrong-scale warning at the scaling`, async () => {
      const text = `${scaled}${w}\n`;
      const f = await vtd001(text);
      assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
      assert.equal(f[0]!.severity, 'warning');
      assert.match(f[0]!.message, /^Wrong input scale for VGG16 .*\/ 255\.0 scales the pixels to \[0, 1\]/);
      assert.equal(line(f[0]!), 8);
    });

    it(`${w}: the correct twin (preprocess_input) stays silent`, async () => {
      assert.deepEqual(await vtd001(`${mapped}${w}\n`), []);
    });
  }

  it('a fit inside print of a model built on the application is fed the scaled data', async () => {
    const text = `${head}import tensorflow as tf
x = tf.keras.layers.GlobalAveragePooling2D()(model.output)
clf = tf.keras.Model(model.input, tf.keras.layers.Dense(2)(x))
clf.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
data = np.stack([img_to_array(img)]) / 255.0
print(clf.fit(data, np.zeros(1), epochs=1))
`;
    const f = (await vtd001(text)).filter((x) => x.severity === 'warning');
    assert.equal(f.length, 1);
    assert.equal(line(f[0]!), 12);
  });

  it('a scaling only shown (plt.imshow) is not on the path: the predicted data is mapped, silent', async () => {
    const text = `${head}shown = img_to_array(img) / 255.0
plt.imshow(shown)
print(model.predict(preprocess_input(img_to_array(img))[None]))
`;
    assert.deepEqual(await vtd001(text), []);
  });

  it('a scaling only shown while the predicted data gets no mapping: information, not the wrong-scale warning', async () => {
    const text = `${head}shown = img_to_array(img) / 255.0
plt.imshow(shown)
print(model.predict(img_to_array(img)[None]))
`;
    const f = await vtd001(text);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'information');
  });
});

/**
 * Lead probe class P3: a VGG16 trained on its preprocess_input (ImageDataGenerator(preprocessing_function=...)) that
 * predicts / 255 pixels inside print(...): the wrong-scale warning at the / 255, saying the model's preprocess_input is
 * applied to other data of the file (the README's VTD001 row: a wrong scaling on the path is a warning at the scaling).
 */
const trainedOnOwn = (loader: string, mapping: string, feed: string): string => `import tensorflow as tf
from tensorflow.keras.applications import VGG16
from tensorflow.keras.applications.vgg16 import preprocess_input
gen = tf.keras.preprocessing.image.ImageDataGenerator(preprocessing_function=preprocess_input, rotation_range=20)
train = gen.flow_from_directory("train", target_size=(224, 224))
base = VGG16(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
for layer in base.layers:
    layer.trainable = False
x = tf.keras.layers.Flatten()(base.output)
out = tf.keras.layers.Dense(train.num_classes, activation="softmax")(x)
model = tf.keras.Model(base.input, out)
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(train, epochs=5)
img = ${loader}.load_img("t.jpg", target_size=(224, 224))
arr = ${mapping.replace('PIXELS', `${loader}.img_to_array(img)`)}
${feed}
`;

describe('lead probe class P3: trained on preprocess_input, predicting / 255 pixels inside print', () => {
  for (const loader of ['tf.keras.utils', 'tf.keras.preprocessing.image']) {
    for (const feed of ['print(model.predict(arr[None]))', 'preds = model.predict(arr[None])']) {
      it(`${loader}, ${feed}: the wrong-scale warning at the / 255`, async () => {
        const f = await vtd001(trainedOnOwn(loader, 'PIXELS / 255.0', feed));
        assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
        assert.equal(f[0]!.severity, 'warning');
        assert.match(f[0]!.message, /^Wrong input scale for VGG16 .*img_to_array\(img\) \/ 2.* scales the pixels to \[0, 1\].*vgg16\.preprocess_input is applied to other data of this file/);
        assert.equal(line(f[0]!), 15);
        assert.ok(f[0]!.related.some((r) => r.range.start.line + 1 === 16), 'the predict call is related');
      });

      it(`${loader}, ${feed}: the correct twin (preprocess_input) stays silent`, async () => {
        assert.deepEqual(await vtd001(trainedOnOwn(loader, 'preprocess_input(PIXELS)', feed)), []);
      });
    }
  }
});
