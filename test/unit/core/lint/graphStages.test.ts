import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Batch 16 class D: an augmentation Sequential with a Rescaling, and a head Sequential, called in the functional graph
 * of the model that holds a keras.applications model are stages of that model, not other models fed the same data.
 */
const scaleFindings = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001' || f.code === 'VTD002');
const keys = async (text: string): Promise<string[]> => (await scaleFindings(text)).map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`);

const graph = `import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

image_gen = ImageDataGenerator(rotation_range=20, horizontal_flip=True, validation_split=0.3)
train_gen = image_gen.flow_from_directory("data", target_size=(130, 130), class_mode="binary", subset="training")
val_gen = image_gen.flow_from_directory("data", target_size=(130, 130), class_mode="binary", subset="validation")
base_model = tf.keras.applications.ResNet50(include_top=False, weights="imagenet", input_shape=(130, 130, 3), pooling="max")
input_layer = tf.keras.Input(shape=(130, 130, 3))
data_augmentation = tf.keras.Sequential([
    tf.keras.layers.RandomFlip("horizontal_and_vertical"),
    tf.keras.layers.RandomRotation(0.2),
    tf.keras.layers.Rescaling(scale=1./255),
])
classification_layer = tf.keras.Sequential([
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(1, activation="sigmoid"),
])
x = data_augmentation(input_layer)
x = base_model(x)
output = classification_layer(x)
model = tf.keras.Model(input_layer, output)
model.compile(optimizer=tf.keras.optimizers.Adam(), loss="binary_crossentropy")
model.fit(train_gen, epochs=20, validation_data=val_gen)
`;

describe('Sequential models called in the functional graph of a keras.applications model (batch 16 class D)', () => {
  it('an augmentation Sequential with a Rescaling before the ResNet50, a head Sequential after it: the finding sits at the Rescaling', async () => {
    const found = await scaleFindings(graph);
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`), ['12:VTD001:warning']);
    const f = found[0]!;
    assert.doesNotMatch(f.message, /feeds another model/);
    assert.match(f.message, /Replace it with keras\.applications\.resnet\.preprocess_input/);
    // the evidence chain: the ResNet50 built, called in the graph, the model fitted
    assert.deepEqual(f.related.map((r) => `${r.range.start.line + 1}:${r.message}`), ['7:ResNet50 built here (pretrained weights)', '19:called here', '23:fed here (fit)']);
  });

  it('the graph written in one expression, or with the head as plain layers: the same anchor', async () => {
    const nested = graph.replace('x = data_augmentation(input_layer)\nx = base_model(x)\noutput = classification_layer(x)\n', 'output = classification_layer(base_model(data_augmentation(input_layer)))\n\n\n');
    assert.deepEqual(await keys(nested), ['12:VTD001:warning']);
    const layersHead = graph.replace('output = classification_layer(x)', 'output = tf.keras.layers.Dense(1, activation="sigmoid")(tf.keras.layers.Flatten()(x))');
    assert.deepEqual(await keys(layersHead), ['12:VTD001:warning']);
  });

  it('the augmentation Sequential as the first layer of a Sequential holding the ResNet50: the same anchor', async () => {
    const stacked = graph.replace(
      'x = data_augmentation(input_layer)\nx = base_model(x)\noutput = classification_layer(x)\nmodel = tf.keras.Model(input_layer, output)',
      'model = tf.keras.Sequential([input_layer, data_augmentation, base_model, classification_layer])\n\n\n',
    );
    assert.deepEqual(await keys(stacked), ['12:VTD001:warning']);
  });

  it("the model's own preprocess_input in a Lambda instead of the Rescaling, or no scaling in the augmentation: silent", async () => {
    const own = graph.replace('tf.keras.layers.Rescaling(scale=1./255)', 'tf.keras.layers.Lambda(tf.keras.applications.resnet50.preprocess_input)');
    assert.deepEqual(await keys(own), []);
    const noScale = graph.replace('    tf.keras.layers.Rescaling(scale=1./255),\n', '');
    // nothing maps the pixels: information only, at the call of the ResNet50 (an absence)
    assert.deepEqual(await keys(noScale), ['18:VTD001:information']);
  });

  it('the augmentation Sequential also applied to the data of a from-scratch model: shared, the finding sits at the ResNet50 call', async () => {
    const scratch = `${graph}cnn_input = tf.keras.Input(shape=(130, 130, 3))
y = data_augmentation(cnn_input)
y = tf.keras.layers.Conv2D(16, 3, activation="relu")(y)
y = tf.keras.layers.GlobalAveragePooling2D()(y)
cnn = tf.keras.Model(cnn_input, tf.keras.layers.Dense(1, activation="sigmoid")(y))
cnn.compile(optimizer="adam", loss="binary_crossentropy")
cnn.fit(train_gen, epochs=5)
`;
    const found = await scaleFindings(scratch);
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`), ['19:VTD001:warning']);
    assert.match(found[0]!.message, /The same data feeds another model/);
    // the augmentation Sequential used as a model of its own on other data (its predict): not a stage either
    const predicted = `${graph}shown = data_augmentation.predict(val_gen)\n`;
    assert.deepEqual(await keys(predicted), ['19:VTD001:warning']);
  });
});

const hubGraph = `import keras
import keras_hub
from keras import layers

augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.Rescaling(1. / 255)])
head = keras.Sequential([layers.GlobalAveragePooling2D(), layers.Dense(3)])
backbone = keras_hub.models.Backbone.from_preset("resnet_50_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
x = augment(inputs)
x = backbone(x)
outputs = head(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="sparse_categorical_crossentropy")
model.fit(ds)
`;

describe('Sequential models called in the functional graph of other pretrained models (batch 16 class D)', () => {
  it('a keras_hub backbone between an augmentation Sequential with a Rescaling and a head Sequential: the finding sits at the Rescaling', async () => {
    const found = await scaleFindings(hubGraph);
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`), ['5:VTD001:warning']);
    assert.doesNotMatch(found[0]!.message, /feeds another model/);
    // the augmentation also applied to a from-scratch model's data: the step is that model's, the finding stays where
    // the backbone is called
    const scratch = `${hubGraph}cnn_in = keras.Input(shape=(224, 224, 3))
cnn = keras.Model(cnn_in, layers.Dense(3)(layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3)(augment(cnn_in)))))
cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
cnn.fit(ds)
`;
    const shared = await scaleFindings(scratch);
    assert.deepEqual(shared.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`), ['10:VTD001:warning']);
  });

  it('an EfficientNetB0 (it rescales inside) in the same graph: VTD002 at the Rescaling, with the fix removing it', async () => {
    const eff = hubGraph.replace('keras_hub.models.Backbone.from_preset("resnet_50_imagenet")', 'keras.applications.EfficientNetB0(include_top=False, weights="imagenet")');
    const found = await scaleFindings(eff);
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`), ['5:VTD002:warning']);
    assert.deepEqual(found[0]!.fixes.map((x) => x.title).filter((t) => !t.startsWith('Ignore')), ['Remove the Rescaling layer']);
  });
});
