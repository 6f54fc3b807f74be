import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Lead probe class P4: tf.image.convert_image_dtype(x, tf.float32) on integer pixels (a TensorFlow decoder's output, a
 * cast to uint8, uint8 numpy) divides by 255, so it is a / 255 step; on float or unknown input it is not judged.
 */
const line = (f: LintFinding): number => f.range.start.line + 1;
const findings = async (text: string, code = 'VTD001'): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === code);

const inception = (body: string): string => `import tensorflow as tf
from tensorflow.keras.applications.inception_v3 import InceptionV3, preprocess_input
def load(path):
    img = tf.io.read_file(path)
${body}    return tf.image.resize(img, (299, 299))
ds = tf.data.Dataset.list_files("imgs/*.jpg").map(load).batch(32)
base = InceptionV3(weights="imagenet", include_top=False, pooling="avg")
features = base.predict(ds)
`;

describe('lead probe class P4: convert_image_dtype on integer pixels is a / 255', () => {
  it('decode_jpeg then convert_image_dtype(img, tf.float32) into InceptionV3: the wrong-scale warning at the conversion', async () => {
    const text = inception('    img = tf.image.decode_jpeg(img, channels=3)\n    img = tf.image.convert_image_dtype(img, tf.float32)\n');
    const f = await findings(text);
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /^Wrong input scale for InceptionV3 .*tf\.image\.convert_image_dtype\(img, tf\.float32\) scales the pixels to \[0, 1\], but the model expects \[-1, 1\]/);
    assert.equal(line(f[0]!), 6);
  });

  it('the conversion completed to [-1, 1] (img * 2.0 - 1.0) is right for InceptionV3: silent', async () => {
    const text = inception('    img = tf.image.decode_jpeg(img, channels=3)\n    img = tf.image.convert_image_dtype(img, tf.float32)\n    img = img * 2.0 - 1.0\n');
    assert.deepEqual(await findings(text), []);
  });

  it('taken back to 0-255 for the model (preprocess_input(img * 255.0)): silent', async () => {
    const text = inception('    img = tf.image.decode_jpeg(img, channels=3)\n    img = tf.image.convert_image_dtype(img, tf.float32)\n    img = preprocess_input(img * 255.0)\n');
    assert.deepEqual(await findings(text), []);
  });

  it('a cast to uint8 before the conversion is integer input too: the warning', async () => {
    const text = inception('    img = tf.cast(tf.image.decode_png(img, channels=3), tf.uint8)\n    img = tf.image.convert_image_dtype(img, dtype=tf.float32)\n');
    const f = (await findings(text)).filter((x) => x.severity === 'warning');
    assert.equal(f.length, 1);
    assert.equal(line(f[0]!), 6);
  });

  for (const [what, body] of [
    ['float input (cast to float32 first): values kept', '    img = tf.cast(tf.image.decode_jpeg(img, channels=3), tf.float32)\n    img = tf.image.convert_image_dtype(img, tf.float32)\n'],
    ['a conversion to uint8: no scaling to [0, 1]', '    img = tf.image.decode_jpeg(img, channels=3)\n    img = tf.image.convert_image_dtype(img, tf.uint8)\n'],
  ] as const) {
    it(`${what}: no wrong-scale warning (information: no mapping at all)`, async () => {
      const f = await findings(inception(body));
      assert.equal(f.length, 1);
      assert.equal(f[0]!.severity, 'information');
    });
  }

  it('a dataset of unknown dtype (image_dataset_from_directory gives float32 0-255): not judged, as before', async () => {
    const text = `import tensorflow as tf
from tensorflow.keras.applications.inception_v3 import InceptionV3
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(299, 299))
ds = ds.map(lambda x, y: (tf.image.convert_image_dtype(x, tf.float32), y))
base = InceptionV3(weights="imagenet", include_top=False, pooling="avg")
features = base.predict(ds)
`;
    const f = await findings(text);
    assert.ok(f.every((x) => x.severity === 'information'), JSON.stringify(f.map((x) => x.message)));
  });

  it('uint8 numpy pixels (np.array(..., dtype=np.uint8)) converted then predicted by MobileNetV2: the warning', async () => {
    const text = `import numpy as np
import tensorflow as tf
from PIL import Image
from tensorflow.keras.applications import MobileNetV2
model = MobileNetV2(weights="imagenet")
arr = np.array(Image.open("t.jpg").resize((224, 224)), dtype=np.uint8)
x = tf.image.convert_image_dtype(arr, dtype=tf.float32)
print(model.predict(x[None]))
`;
    const f = await findings(text);
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(line(f[0]!), 7);
  });

  it('a conversion only shown (plt.imshow) is not a step', async () => {
    const text = `import tensorflow as tf
import matplotlib.pyplot as plt
from tensorflow.keras.applications.inception_v3 import InceptionV3, preprocess_input
raw = tf.image.decode_jpeg(tf.io.read_file("t.jpg"), channels=3)
plt.imshow(tf.image.convert_image_dtype(raw, tf.float32))
base = InceptionV3(weights="imagenet")
base.predict(preprocess_input(tf.cast(tf.image.resize(raw, (299, 299)), tf.float32))[None])
`;
    assert.deepEqual(await findings(text), []);
  });

  it('VTD002: EfficientNetB0 (rescales inside) fed converted PNG pixels: double normalisation at the conversion', async () => {
    const text = `import tensorflow as tf
from tensorflow.keras.applications import EfficientNetB0
def load(path):
    img = tf.io.decode_png(tf.io.read_file(path), channels=3)
    return tf.image.resize(tf.image.convert_image_dtype(img, tf.float32), (224, 224))
ds = tf.data.Dataset.list_files("imgs/*.png").map(load).batch(32)
base = EfficientNetB0(weights="imagenet", include_top=False, pooling="avg")
features = base.predict(ds)
`;
    const f = await findings(text, 'VTD002');
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /^Double normalisation: tf\.image\.convert_image_dtype\(img, tf\.float32\) scales the pixels to \[0, 1\]/);
    assert.equal(line(f[0]!), 5);
    const right = text.replace('tf.image.convert_image_dtype(img, tf.float32)', 'tf.cast(img, tf.float32)');
    assert.deepEqual(await findings(right, 'VTD002'), []);
  });

  it('keras_hub ViT preset fed converted pixels: the partial-mapping warning at the conversion', async () => {
    const text = `import keras
import keras_hub
import tensorflow as tf
backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
outputs = keras.layers.Dense(5)(backbone(inputs)[:, 0, :])
model = keras.Model(inputs, outputs)
def load(path, label):
    img = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    img = tf.image.convert_image_dtype(img, tf.float32)
    return tf.image.resize(img, (224, 224)), label
ds = tf.data.Dataset.from_tensor_slices((["a.jpg"], [0])).map(load).batch(16)
model.compile(optimizer=keras.optimizers.Adam(5e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds, epochs=3)
`;
    const f = (await findings(text)).filter((x) => x.severity === 'warning' && line(x) === 10);
    assert.equal(f.length, 1, JSON.stringify((await findings(text)).map((x) => `${line(x)} ${x.message}`)));
    assert.match(f[0]!.message, /^Partial or wrong preprocessing for vit_base_patch16_224_imagenet: a scaling to \[0, 1\]/);
  });

  it('the conversion then the model\'s caffe preprocess_input (a stacking): information, the / 255 being implied by the dtype', async () => {
    const text = `import tensorflow as tf
from tensorflow.keras.applications import resnet
def load(path):
    img = tf.image.decode_jpeg(tf.io.read_file(path), channels=3)
    img = tf.image.convert_image_dtype(img, tf.float32)
    return tf.image.resize(img, (224, 224))
ds = tf.data.Dataset.list_files("imgs/*.jpg").map(load).map(resnet.preprocess_input).batch(32)
base = resnet.ResNet50(weights="imagenet", include_top=False, pooling="avg")
features = base.predict(ds)
`;
    const all = [...(await findings(text)), ...(await findings(text, 'VTD002'))];
    assert.ok(all.length > 0 && all.every((x) => x.severity === 'information'), JSON.stringify(all.map((x) => `${x.code} ${x.severity} ${x.message}`)));
  });
});
