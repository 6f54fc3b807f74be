import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;
const found = async (text: string): Promise<string[]> => (await lintText(text)).filter((f) => f.code === 'VTD001' || f.code === 'VTD002').map((f) => `${f.code}:${at(f.range)}:${f.severity}`);

/** A keras.utils.Sequence subclass whose __getitem__ returns `pixels`, feeding a keras.applications model. */
const sequence = (opts: { base?: string; pixels: string; model: string; imports?: string; helper?: boolean }): string => `import numpy as np
import tensorflow as tf
from tensorflow.keras.utils import Sequence, img_to_array, load_img
${opts.imports ?? ''}
class Batches(${opts.base ?? 'Sequence'}):
    def __init__(self, paths, labels, batch_size=32):
        self.paths = paths
        self.labels = labels
        self.batch_size = batch_size

    def __len__(self):
        return len(self.paths) // self.batch_size
${
  opts.helper
    ? `
    def _load(self, path):
        return ${opts.pixels}

    def __getitem__(self, idx):
        batch = self.paths[idx * self.batch_size:(idx + 1) * self.batch_size]
        return np.array([self._load(p) for p in batch]), self.labels[idx]
`
    : `
    def __getitem__(self, idx):
        batch = self.paths[idx * self.batch_size:(idx + 1) * self.batch_size]
        images = []
        for path in batch:
            img = load_img(path, target_size=(224, 224))
            images.append(${opts.pixels})
        return np.array(images), self.labels[idx]
`
}
train = Batches(train_paths, train_labels)
base = tf.keras.applications.${opts.model}(weights="imagenet", include_top=False, pooling="avg")
outputs = tf.keras.layers.Dense(3, activation="softmax")(base.output)
model = tf.keras.Model(base.input, outputs)
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(train, epochs=5)
`;

describe('Data from a keras.utils.Sequence subclass of the file: what __getitem__ returns is what the model is fed', () => {
  it('EfficientNetB0 (rescales inside) fed img_to_array(...) / 255.0 batches: VTD002 at the division', async () => {
    const text = sequence({ pixels: 'img_to_array(img) / 255.0', model: 'EfficientNetB0' });
    assert.deepEqual(await found(text), ['VTD002:19:warning']);
    const f = (await lintText(text)).find((x) => x.code === 'VTD002')!;
    assert.ok(f.related.some((r) => at(r.range) === 27 && /fed here \(fit\)/.test(r.message)), f.related.map((r) => `${at(r.range)} ${r.message}`).join('\n'));
  });

  it('MobileNetV2 (expects [-1, 1]) fed /255 batches: VTD001 at the division, also through a helper method of the class', async () => {
    assert.deepEqual(await found(sequence({ pixels: 'img_to_array(img) / 255.0', model: 'MobileNetV2' })), ['VTD001:19:warning']);
    assert.deepEqual(await found(sequence({ pixels: 'img_to_array(load_img(path, target_size=(224, 224))) / 255.0', model: 'MobileNetV2', helper: true })), ['VTD001:15:warning']);
  });

  it('tf.keras.utils.Sequence and Keras 3 PyDataset bases are read the same way', async () => {
    assert.deepEqual(await found(sequence({ base: 'tf.keras.utils.Sequence', pixels: 'img_to_array(img) / 255.0', model: 'EfficientNetB0' })), ['VTD002:19:warning']);
    assert.deepEqual(await found(sequence({ base: 'keras.utils.PyDataset', imports: 'import keras', pixels: 'img_to_array(img) / 255.0', model: 'EfficientNetB0' })), ['VTD002:19:warning']);
  });

  it('correct twins are silent: the model\'s own preprocess_input in __getitem__, 0–255 pixels into EfficientNet', async () => {
    assert.deepEqual(await found(sequence({ pixels: 'preprocess_input(img_to_array(img))', imports: 'from tensorflow.keras.applications.mobilenet_v2 import preprocess_input', model: 'MobileNetV2' })), []);
    assert.deepEqual(await found(sequence({ pixels: 'img_to_array(img)', model: 'EfficientNetB0' })), []);
  });

  it('silent when the class is not a Keras Sequence (nothing says Keras reads its __getitem__) or is defined twice', async () => {
    assert.deepEqual(await found(sequence({ base: 'object', pixels: 'img_to_array(img) / 255.0', model: 'EfficientNetB0' })), []);
    const twice = sequence({ pixels: 'img_to_array(img) / 255.0', model: 'EfficientNetB0' }).replace('train = Batches', 'class Batches(Sequence):\n    def __getitem__(self, idx):\n        return self.x[idx]\n\ntrain = Batches');
    assert.deepEqual(await found(twice), []);
  });

  it('a generator function passed to fit or to tf.data.Dataset.from_generator: the yielded scaling is on the feed', async () => {
    const gen = `import numpy as np
import tensorflow as tf
def batches(paths):
    for p in paths:
        img = tf.keras.utils.img_to_array(tf.keras.utils.load_img(p, target_size=(224, 224)))
        yield img / 255.0, 0
base = tf.keras.applications.EfficientNetB0(weights="imagenet", include_top=False, pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(3)])
`;
    assert.deepEqual(await found(`${gen}model.fit(batches(train_paths), epochs=3)\n`), ['VTD002:6:warning']);
    const ds = `${gen}ds = tf.data.Dataset.from_generator(lambda: batches(train_paths), output_signature=(tf.TensorSpec((224, 224, 3)), tf.TensorSpec(())))\nmodel.fit(ds.batch(8), epochs=3)\n`;
    assert.deepEqual(await found(ds), ['VTD002:6:warning']);
    assert.deepEqual(await found(`${gen.replace('img / 255.0', 'img')}model.fit(batches(train_paths), epochs=3)\n`), []);
  });

  it('a Sequence feeding a keras_hub task: VTD002 at the division; on another model\'s feed only: silent', async () => {
    const hub = (fed: string): string => `import keras_hub
import numpy as np
from tensorflow import keras
class Frames(keras.utils.Sequence):
    def __getitem__(self, idx):
        return np.load(self.files[idx]) / 255.0, self.labels[idx]
clf = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=4)
small = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(4)])
${fed}.fit(Frames(), epochs=2)
clf.fit(raw_ds, epochs=2)
`;
    assert.deepEqual((await found(hub('clf'))).filter((x) => x.startsWith('VTD002')), ['VTD002:6:warning']);
    assert.deepEqual((await found(hub('small'))).filter((x) => x.startsWith('VTD002')), []);
  });
});
