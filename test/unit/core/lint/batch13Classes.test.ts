import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

/** Scale findings (VTD001/VTD002) as "line:code:severity", 1-based lines. */
const scale = async (text: string): Promise<string[]> =>
  (await lintText(text)).filter((f) => f.code === 'VTD001' || f.code === 'VTD002').map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`);

describe('classes of the blind batch 13 (held-out run)', () => {
  it('keras_core is keras (the Keras 3 preview): its applications are judged like keras.applications', async () => {
    const text = `import keras_core as keras
import numpy as np

x = np.load("x.npy").astype("float32") / 255.0
base = keras.applications.vgg16.VGG16(weights="imagenet", include_top=False)
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(base(inputs))))
model.fit(x, y)
`;
    assert.deepEqual(await scale(text), ['4:VTD001:warning']);
    // the model's own preprocess_input, imported from keras_core: correct, silent
    const fixed = text.replace('/ 255.0', '').replace('import numpy as np', 'import numpy as np\nfrom keras_core.applications.vgg16 import preprocess_input').replace('model.fit(x, y)', 'model.fit(preprocess_input(x), y)');
    assert.deepEqual(await scale(fixed), []);
    // from keras_core import applications: the same model
    const fromImport = text.replace('import keras_core as keras', 'import keras_core as keras\nfrom keras_core.applications import VGG16').replace('keras.applications.vgg16.VGG16(', 'VGG16(');
    assert.deepEqual(await scale(fromImport), ['5:VTD001:warning']);
  });

  it('a helper called twice, neither call passing mean/std: its defaults (0.5, 0.5) complete /255 to [-1, 1] (keras-core tf_serving)', async () => {
    const text = `import keras_core as keras
import tensorflow as tf

model = keras.applications.MobileNet()


def preprocess(image, mean=0.5, std=0.5):
    image = image / 255.0
    image = (image - mean) / std
    return image


model(tf.expand_dims(preprocess(img), 0))
batch = [preprocess(i) for i in images]
`;
    assert.deepEqual(await scale(text), []);
    // defaults that do not complete the mapping: [0, 1] for a [-1, 1] model
    assert.deepEqual(await scale(text.replace('mean=0.5, std=0.5', 'mean=0.0, std=1.0')), ['8:VTD001:warning']);
  });
});
