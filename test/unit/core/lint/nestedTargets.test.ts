import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;
const vtd001 = async (text: string): Promise<string[]> => (await lintText(text)).filter((f) => f.code === 'VTD001').map((f) => `${at(f.range)}:${f.severity}`);

/** Two notebook sections rebinding x_train through a nested tuple target: an MNIST CNN (correct /255), then a MobileNetV2. */
const sections = (second: string): string => `import tensorflow as tf
from tensorflow import keras
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255.0
cnn = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
cnn.fit(x_train, y_train)

(x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
x_train = ${second}
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
model = keras.Sequential([keras.layers.Resizing(224, 224), base, keras.layers.Dense(10)])
model.fit(x_train, y_train[:5000])
`;

describe('Nested tuple assignment targets rebind their names: (x_train, y_train), (x_test, y_test) = load_data()', () => {
  it("the /255 of the second section is the one on the MobileNetV2 path, not the first section's", async () => {
    assert.deepEqual(await vtd001(sections('x_train[:5000] / 255.0')), ['9:warning']);
  });

  it("silent when the second section maps with preprocess_input (the first section's /255 belongs to the CNN)", async () => {
    assert.deepEqual(await vtd001(sections('keras.applications.mobilenet_v2.preprocess_input(x_train[:5000].astype("float32"))')), []);
  });
});
