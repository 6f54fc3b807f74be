import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Lead probe class P2: a call is judged by the called function's own name, not its module path.
 * `tf.keras.preprocessing.image.img_to_array` maps nothing (its module path holds "preprocessing"), so a model trained
 * on its preprocess_input and then predicting those pixels is the train/predict mismatch; an OpenCV call computing
 * pixels (`cv2.resize(x / 255.0, …)`) is not a display call (only its windows and drawing are).
 */
const line = (f: LintFinding): number => f.range.start.line + 1;
const vtd001 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001');

const trained = (loader: string): string => `import tensorflow as tf
from tensorflow.keras.applications import VGG16
from tensorflow.keras.applications.vgg16 import preprocess_input
gen = tf.keras.preprocessing.image.ImageDataGenerator(preprocessing_function=preprocess_input)
train = gen.flow_from_directory("train", target_size=(224, 224))
base = VGG16(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
base.trainable = False
x = tf.keras.layers.Flatten()(base.output)
model = tf.keras.Model(base.input, tf.keras.layers.Dense(train.num_classes, activation="softmax")(x))
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(train, epochs=5)
img = ${loader}.load_img("t.jpg", target_size=(224, 224))
arr = ${loader}.img_to_array(img)
`;

describe('lead probe class P2: the called function by its own name', () => {
  for (const loader of ['tf.keras.preprocessing.image', 'tf.keras.utils']) {
    it(`${loader}.img_to_array pixels predicted by a model trained on preprocess_input: the mismatch warning`, async () => {
      const text = `${trained(loader)}print(model.predict(arr[None]))\n`;
      const f = await vtd001(text);
      assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
      assert.equal(f[0]!.severity, 'warning');
      assert.match(f[0]!.message, /^predict\(\) gets pixels that no step of this file maps, but VGG16/);
      assert.equal(line(f[0]!), 14);
    });

    it(`${loader}: the correct twin (preprocess_input on the predicted pixels) stays silent`, async () => {
      assert.deepEqual(await vtd001(`${trained(loader)}print(model.predict(preprocess_input(arr)[None]))\n`), []);
    });
  }

  it('a call named like a mapping (a helper normalize_image of the file) still keeps the mismatch silent', async () => {
    const text = `${trained('tf.keras.utils')}def normalize_image(a):
    return tf.image.adjust_contrast(a, 2.0)
model.predict(normalize_image(arr)[None])
`;
    assert.deepEqual(await vtd001(text), []);
  });

  it('a Rescaling layer applied to the predicted pixels is a mapping (the layer call named by its class)', async () => {
    const text = `${trained('tf.keras.utils')}model.predict(tf.keras.layers.Rescaling(1.0)(arr[None]))\n`;
    assert.deepEqual(await vtd001(text), []);
  });

  const opencv = `import cv2
import numpy as np
from tensorflow.keras.applications import VGG16
from tensorflow.keras.applications.vgg16 import preprocess_input
model = VGG16(weights="imagenet")
img = cv2.cvtColor(cv2.imread("t.jpg"), cv2.COLOR_BGR2RGB).astype("float32")
`;

  it('cv2.resize(img / 255.0, ...) fed to VGG16: the wrong-scale warning at the scaling', async () => {
    const text = `${opencv}x = cv2.resize(img / 255.0, (224, 224))\nmodel.predict(x[None])\n`;
    const f = await vtd001(text);
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /^Wrong input scale for VGG16 .*img \/ 255\.0 scales the pixels to \[0, 1\]/);
    assert.equal(line(f[0]!), 7);
  });

  it('cv2.resize of preprocess_input pixels: silent', async () => {
    assert.deepEqual(await vtd001(`${opencv}x = cv2.resize(preprocess_input(img), (224, 224))\nmodel.predict(x[None])\n`), []);
  });

  it('a / 255 only drawn in an OpenCV window (cv2.imshow) is display-only: silent', async () => {
    const text = `${opencv}cv2.imshow("w", img / 255.0)\nmodel.predict(preprocess_input(cv2.resize(img, (224, 224)))[None])\n`;
    assert.deepEqual(await vtd001(text), []);
  });
});
