import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;
const found = async (text: string): Promise<string[]> => (await lintText(text)).filter((f) => f.code === 'VTD001' || f.code === 'VTD002').map((f) => `${f.code}:${at(f.range)}:${f.severity}`);

const head = `import tensorflow as tf
from tensorflow.keras.applications import MobileNetV2
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
from tensorflow.keras.preprocessing.image import ImageDataGenerator
`;

/** A trainer class keeping the model and the generator in attributes (line 11: the generator). */
const trainer = (gen: string, extra = ''): string => `${head}
class Trainer:
    def __init__(self, data_dir):
        self.data_dir = data_dir

    def train(self, epochs=5):
        self.model.compile(optimizer="adam", loss="categorical_crossentropy")
        self.model.fit(self.train_gen, epochs=epochs)

    def load(self):
        self.train_gen = ${gen}.flow_from_directory(self.data_dir, target_size=(224, 224))

    def build(self):
        base = MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
        self.model = tf.keras.Sequential([base, tf.keras.layers.Dense(4, activation="softmax")])
${extra}
t = Trainer("data")
t.build()
t.load()
t.train()
`;

describe('Models and data joined through a user class or helper functions of the file', () => {
  it('self.model built in one method, self.train_gen in another, fit in a third: VTD001 at the rescale', async () => {
    assert.deepEqual(await found(trainer('ImageDataGenerator(rescale=1./255)')), ['VTD001:15:warning']);
    assert.deepEqual(await found(trainer('ImageDataGenerator(preprocessing_function=preprocess_input)')), []);
  });

  it('an attribute assigned in two methods of the class is not a followed link: no warning', async () => {
    const twice = trainer('ImageDataGenerator(rescale=1./255)', `
    def reload(self):
        self.train_gen = ImageDataGenerator(preprocessing_function=preprocess_input).flow_from_directory(self.data_dir)
`);
    assert.deepEqual((await found(twice)).filter((f) => f.endsWith(':warning')), []);
  });

  it('a keras_hub task in a class whose data attribute two methods assign (one /255): information naming the link', async () => {
    const text = `import keras_hub
import tensorflow as tf

class Trainer:
    def build(self):
        self.task = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=4)

    def load_scaled(self):
        self.ds = tf.keras.utils.image_dataset_from_directory("data").map(lambda x, y: (x / 255.0, y))

    def load_raw(self):
        self.ds = tf.keras.utils.image_dataset_from_directory("data")

    def train(self):
        self.task.fit(self.ds, epochs=3)
`;
    const fs = (await lintText(text)).filter((f) => f.code === 'VTD002');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['9:information']);
    assert.match(fs[0]!.message, /self\.ds \(assigned in several methods of class Trainer\)/);
    const once = text.replace('    def load_raw(self):\n        self.ds = tf.keras.utils.image_dataset_from_directory("data")\n\n', '');
    assert.deepEqual((await lintText(once)).filter((f) => f.code === 'VTD002').map((f) => `${at(f.range)}:${f.severity}`), ['9:warning']);
  });

  it("another class's attribute of the same name is not this class's", async () => {
    const text = `${head}
class Baseline:
    def __init__(self):
        self.gen = ImageDataGenerator(rescale=1./255).flow_from_directory("data")
        self.model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(4)])

class Transfer:
    def train(self):
        self.model.fit(self.gen)

    def setup(self):
        self.gen = ImageDataGenerator(preprocessing_function=preprocess_input).flow_from_directory("data")
        self.model = tf.keras.Sequential([MobileNetV2(weights="imagenet", include_top=False, pooling="avg"), tf.keras.layers.Dense(4)])

Baseline().model.fit(Baseline().gen)
`;
    assert.deepEqual(await found(text), []);
  });

  it('methods returning the model and the generators, passed by keyword to the method that calls fit', async () => {
    const text = `${head}
class Classifier:
    def __init__(self, base_dir="data"):
        self.base_dir = base_dir

    def build_cnn(self):
        base = MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
        model = tf.keras.Sequential([base, tf.keras.layers.Dense(4, activation="softmax")])
        return model

    def load_data_generators(self, batch_size=32):
        gen = ImageDataGenerator(rescale=1./255)
        train = gen.flow_from_directory(self.base_dir, target_size=(224, 224), batch_size=batch_size)
        return train, gen.flow_from_directory(self.base_dir, target_size=(224, 224))

    def train(self, model, train_data, epochs=5):
        return model.fit(train_data, epochs=epochs)

classifier = Classifier()
model = classifier.build_cnn()
model.compile(optimizer="adam", loss="categorical_crossentropy")
train_data, val_data = classifier.load_data_generators(batch_size=32)
classifier.train(model=model, train_data=train_data)
`;
    assert.deepEqual(await found(text), ['VTD001:16:warning']);
    assert.deepEqual(await found(text.replace('ImageDataGenerator(rescale=1./255)', 'ImageDataGenerator(preprocessing_function=preprocess_input)')), []);
  });

  it('plain helper functions: the model and data a train(model, data) helper receives at its call', async () => {
    const text = `${head}
def build():
    base = MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
    return tf.keras.Sequential([base, tf.keras.layers.Dense(4, activation="softmax")])

def load(d):
    return ImageDataGenerator(rescale=1./255).flow_from_directory(d, target_size=(224, 224))

def train(model, data, epochs=5):
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(data, epochs=epochs)

train(build(), load("data"))
`;
    assert.deepEqual(await found(text), ['VTD001:11:warning']);
  });

  it("a helper applied to two models' data: the other call's argument is not on this model's path", async () => {
    const text = `${head}import numpy as np
def prep(x):
    return tf.image.resize(x, (224, 224))

base = MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(4)])
model.fit(preprocess_input(prep(np.load("a.npy"))))
small = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(4)])
small.fit(prep(np.load("b.npy") / 255.0))
`;
    assert.deepEqual(await found(text), []);
  });
});
