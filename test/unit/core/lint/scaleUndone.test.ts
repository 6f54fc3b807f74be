import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Batch 17 class FX2: a / 255 (an augmentation Sequential with Rescaling(1./255)) scaled back with `* 255` on the same
 * chain before a model that rescales itself (EfficientNet) or needs its preprocess_input (MobileNetV2) leaves 0–255
 * pixels: no double normalisation, no wrong scale. A `* 255` elsewhere (display) changes nothing.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const warnings = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => (f.code === 'VTD001' || f.code === 'VTD002') && f.severity !== 'information');
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const efficient = (restore: string): string => `import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.applications import efficientnet
import matplotlib.pyplot as plt

augment = keras.Sequential([layers.Rescaling(1./255), layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])

def prepare(image, label):
    image = augment(image, training=True)
${restore}    return image, label

train_ds = keras.utils.image_dataset_from_directory("data/train", image_size=(224, 224)).map(prepare)
base = efficientnet.EfficientNetB0(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
base.trainable = False
inputs = keras.Input(shape=(224, 224, 3))
outputs = layers.Dense(5, activation="softmax")(layers.GlobalAveragePooling2D()(base(inputs)))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(train_ds, epochs=5)
`;

const mobile = (restore: string): string => `import numpy as np
from tensorflow import keras
from tensorflow.keras.applications import MobileNetV2
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input

def load(paths):
    x = np.array([keras.utils.img_to_array(keras.utils.load_img(p, target_size=(224, 224))) for p in paths])
    x = x / 255.0
    x = np.clip(x + np.random.normal(0, 0.01, x.shape), 0, 1)
${restore}    return preprocess_input(x)

base = MobileNetV2(weights="imagenet")
print(base.predict(load(["a.jpg"])))
`;

describe('a / 255 scaled back with * 255 before the model (batch 17 class FX2)', () => {
  it('defect: EfficientNet fed the Rescaling augmentation output: double normalisation at the Rescaling', async () => {
    const text = efficient('    image = efficientnet.preprocess_input(image)\n');
    const found = await warnings(text);
    assert.equal(found.length, 1, found.map((f) => `${line(f.range)} ${f.message}`).join('\n'));
    assert.equal(found[0]!.code, 'VTD002');
    assert.equal(line(found[0]!.range), lineOf(text, 'Rescaling(1./255)'));
  });

  for (const [name, restore] of [
    ['preprocess_input(image * 255.0)', '    image = efficientnet.preprocess_input(image * 255.0)\n'],
    ['image = image * 255', '    image = image * 255\n'],
    ['image *= 255.0', '    image *= 255.0\n'],
    ['tf.multiply(image, 255)', '    image = tf.multiply(image, 255)\n'],
  ] as const) {
    it(`correct: EfficientNet, the scaling undone by ${name}: silent`, async () => {
      assert.deepEqual(await warnings(efficient(restore)), []);
    });
  }

  it('defect twin: a * 255 for display only changes nothing', async () => {
    const text = efficient('    plt.imshow(image * 255.0)\n');
    const found = await warnings(text);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.code, 'VTD002');
  });

  it('MobileNetV2: / 255.0 then preprocess_input is flagged; with x *= 255 between it is silent', async () => {
    assert.ok((await warnings(mobile(''))).length > 0);
    assert.deepEqual(await warnings(mobile('    x *= 255.0\n')), []);
    assert.deepEqual(await warnings(mobile('    x = x * 255.0\n')), []);
  });
});
