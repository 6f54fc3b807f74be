import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getPythonParser } from '../../../../src/core/lint/pythonSource';
import { lintNotebook } from '../../../../src/core/notebook/lintNotebook';
import type { NotebookCell } from '../../../../src/core/notebook/notebookProgram';
import { lintText } from './lintHarness';

/**
 * Batch 16 class A: a Sequential built with `s = Sequential()` and `s.add(x)` calls is the same model as the list form
 * `Sequential([x, ...])`: the layers added before a keras.applications model are stages of its data, the ones after are
 * its head; `for layer in m.layers: s.add(layer)` copies m into s.
 */
const keys = async (text: string, codes = ['VTD001', 'VTD002']): Promise<string[]> =>
  (await lintText(text)).filter((f) => codes.includes(f.code)).map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`);

const loopCopy = `import keras
from keras.models import Sequential
from keras.layers import Dense
from keras.preprocessing.image import ImageDataGenerator

train_batches = ImageDataGenerator(rescale=1./255, horizontal_flip=True).flow_from_directory("train", target_size=(224, 224), batch_size=20)
vgg16_model = keras.applications.vgg16.VGG16()
classifier = Sequential()
for layer in vgg16_model.layers:
    classifier.add(layer)
classifier.layers.pop()
for layer in classifier.layers:
    layer.trainable = False
classifier.add(Dense(units=13, activation="softmax"))
classifier.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
classifier.fit_generator(train_batches, steps_per_epoch=20, epochs=10)
`;

const builder = `import tensorflow as tf

train_ds = tf.keras.utils.image_dataset_from_directory("data", image_size=(160, 160))
data_augmentation = tf.keras.Sequential([tf.keras.layers.RandomFlip("horizontal"), tf.keras.layers.RandomRotation(0.2)])
normalization_layer = tf.keras.layers.Rescaling(1./255)
base_model = tf.keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base_model.trainable = False
inputs = tf.keras.Input(shape=(160, 160, 3))

def model_builder():
    model = tf.keras.Sequential()
    model.add(inputs)
    model.add(data_augmentation)
    model.add(normalization_layer)
    model.add(base_model)
    model.add(tf.keras.layers.GlobalAveragePooling2D())
    model.add(tf.keras.layers.Dense(6, activation="softmax"))
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-4), loss="sparse_categorical_crossentropy")
    return model

model = model_builder()
model.fit(train_ds, epochs=10)
`;

const code = (text: string): NotebookCell => ({ kind: 'code', language: 'python', text });

describe('Sequential models built with .add() (batch 16 class A)', () => {
  it("a VGG16's layers copied into a Sequential in a for loop: the Sequential holds the VGG16, the generator's rescale is VTD001", async () => {
    const found = (await lintText(loopCopy)).filter((f) => f.code === 'VTD001');
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['6:warning']);
    assert.match(found[0]!.message, /VGG16.*caffe/);
    assert.deepEqual(found[0]!.related.map((r) => `${r.range.start.line + 1}:${r.message}`), ['7:VGG16 built here (pretrained weights)', '16:fed here (fit_generator)']);
  });

  it('the loop over a slice of the layers (m.layers[:-1]) is the same copy; a loop over another list is not', async () => {
    assert.deepEqual(await keys(loopCopy.replace('in vgg16_model.layers:', 'in vgg16_model.layers[:-1]:')), ['6:VTD001:warning']);
    // the loop variable is not the added layer: nothing tells that the VGG16 is in the Sequential
    const other = loopCopy.replace('for layer in vgg16_model.layers:\n    classifier.add(layer)', 'for units in [64, 32]:\n    classifier.add(Dense(units))');
    assert.deepEqual(await keys(other), []);
  });

  it('a Rescaling added before the MobileNetV2 in a builder function: VTD001 at the Rescaling, not the information at the fit', async () => {
    const found = (await lintText(builder)).filter((f) => f.code === 'VTD001');
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['5:warning']);
    assert.match(found[0]!.message, /MobileNetV2.*Rescaling\(1\.\/255\) scales the pixels to \[0, 1\]/);
  });

  it('the same at module level, as the list form, and across notebook cells', async () => {
    const flat = builder
      .replace('def model_builder():\n', '')
      .replace(/\n {4}/g, '\n')
      .replace('return model\n\nmodel = model_builder()\n', '\n\n');
    assert.deepEqual(await keys(flat), ['5:VTD001:warning']);
    const list = flat.replace(/model = tf\.keras\.Sequential\(\)\n((?:model\.add\(.*\)\n)+)/, (_m, adds: string) => `model = tf.keras.Sequential([${adds.trim().split('\n').map((l) => l.slice('model.add('.length, -1)).join(', ')}])\n`);
    assert.match(list, /Sequential\(\[inputs, data_augmentation, normalization_layer, base_model/);
    assert.deepEqual(await keys(list), ['5:VTD001:warning']);
    const parser = await getPythonParser();
    const cells = builder.split(/\n(?=normalization_layer|base_model =|def model_builder|model = model_builder)/).map(code);
    assert.equal(cells.length, 5);
    const nb = lintNotebook(parser, cells).findings.filter((f) => f.code === 'VTD001');
    assert.deepEqual(nb.map((f) => `${f.cell}:${f.range.start.line + 1}:${f.severity}`), ['1:1:warning']);
  });

  it("the model's own preprocess_input in a Lambda added first: silent", async () => {
    const own = builder
      .replace('normalization_layer = tf.keras.layers.Rescaling(1./255)', 'normalization_layer = tf.keras.layers.Lambda(tf.keras.applications.mobilenet_v2.preprocess_input)');
    assert.deepEqual(await keys(own), []);
  });

  it('a Rescaling added after the MobileNetV2 (its head) is not on its path', async () => {
    const head = builder.replace('    model.add(normalization_layer)\n    model.add(base_model)\n', '    model.add(base_model)\n    model.add(normalization_layer)\n');
    assert.deepEqual((await lintText(head)).filter((f) => f.code === 'VTD001' && f.severity !== 'information'), []);
  });

  it('a from-scratch Sequential built with add() beside the pretrained model: silent for the pretrained one', async () => {
    const beside = `import tensorflow as tf
from tensorflow.keras import layers

train_ds = tf.keras.utils.image_dataset_from_directory("data", image_size=(160, 160))
scratch = tf.keras.Sequential()
scratch.add(layers.Rescaling(1./255))
scratch.add(layers.Conv2D(32, 3, activation="relu"))
scratch.add(layers.GlobalAveragePooling2D())
scratch.add(layers.Dense(6))
scratch.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
scratch.fit(train_ds, epochs=5)
base = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet")
model = tf.keras.Sequential()
model.add(layers.Lambda(tf.keras.applications.mobilenet_v2.preprocess_input))
model.add(base)
model.add(layers.GlobalAveragePooling2D())
model.add(layers.Dense(6))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(train_ds, epochs=5)
`;
    assert.deepEqual(await keys(beside), []);
  });

  it('an add() before the model inside a branch or another loop: the order is a guess, no warning and no absence information', async () => {
    const branch = builder.replace('    model.add(normalization_layer)\n', '    if normalize:\n        model.add(normalization_layer)\n').replace('import tensorflow as tf\n', 'import tensorflow as tf\nnormalize = input() == "y"\n');
    assert.deepEqual((await lintText(branch)).filter((f) => f.code === 'VTD001'), []);
    const loop = builder.replace('    model.add(normalization_layer)\n', '    for l in [normalization_layer]:\n        model.add(l)\n');
    assert.deepEqual((await lintText(loop)).filter((f) => f.code === 'VTD001'), []);
    // a loop adding the head after the model runs after it: the Rescaling before it is still a stage
    const headLoop = builder.replace('    model.add(tf.keras.layers.GlobalAveragePooling2D())\n', '    for units in [256, 128]:\n        model.add(tf.keras.layers.Dense(units))\n');
    assert.deepEqual(await keys(headLoop), ['5:VTD001:warning']);
  });

  it('VTD002: a Rescaling(1/255) added before an EfficientNetB0 (which rescales itself)', async () => {
    const eff = builder.replace('MobileNetV2(input_shape=(160, 160, 3)', 'EfficientNetB0(input_shape=(160, 160, 3)');
    assert.deepEqual(await keys(eff), ['5:VTD002:warning']);
    assert.deepEqual(await keys(eff.replace('    model.add(normalization_layer)\n', '')), []);
  });

  it('VTD007: a trainable keras_hub backbone added to a Sequential and compiled at 1e-3', async () => {
    const hub = `import keras
import keras_hub

backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
model = keras.Sequential()
model.add(keras.Input(shape=(224, 224, 3)))
model.add(backbone)
model.add(keras.layers.GlobalAveragePooling1D())
model.add(keras.layers.Dense(5, activation="softmax"))
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy")
`;
    assert.deepEqual(await keys(hub, ['VTD007']), ['10:VTD007:warning']);
    assert.deepEqual(await keys(hub.replace('model = keras.Sequential()', 'backbone.trainable = False\nmodel = keras.Sequential()'), ['VTD007']), []);
  });
  it('keras_hub/KerasCV: a Rescaling(1/255) added before a KerasCV backbone with include_rescaling=True is VTD002 as in the list form', async () => {
    const cv = `import keras
import keras_cv

backbone = keras_cv.models.ResNet50V2Backbone.from_preset("resnet50_v2_imagenet", include_rescaling=True)
model = keras.Sequential()
model.add(keras.layers.Rescaling(1 / 255.0))
model.add(backbone)
model.add(keras.layers.GlobalAveragePooling2D())
model.add(keras.layers.Dense(3))
`;
    assert.deepEqual(await keys(cv), ['6:VTD002:warning']);
    const list = cv.replace(/model = keras\.Sequential\(\)\n/, 'model = keras.Sequential([\n').replace(/model\.add\((.*)\)\n/g, '    $1,\n') + '])\n';
    assert.deepEqual(await keys(list), ['6:VTD002:warning']);
    // added in a branch before the backbone: a guessed link, information at most
    const branch = cv.replace('model.add(keras.layers.Rescaling(1 / 255.0))', 'if flag:\n    model.add(keras.layers.Rescaling(1 / 255.0))');
    assert.deepEqual((await keys(branch)).filter((k) => !k.endsWith(':information')), []);
  });
  it('keras_hub: a Rescaling(1/255) added before a ViT backbone is VTD001 as in the list form; the backbone added alone gets what the list form gets', async () => {
    const vit = `import keras
import keras_hub

backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
backbone.trainable = False
model = keras.Sequential()
model.add(keras.layers.Rescaling(1.0 / 255))
model.add(backbone)
model.add(keras.layers.Lambda(lambda t: t[:, 0, :]))
model.add(keras.layers.Dense(3, activation="softmax"))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(images, labels)
`;
    const toList = (t: string): string => t.replace(/model = keras\.Sequential\(\)\n((?:model\.add\(.*\)\n)+)/, (_m, adds: string) => `model = keras.Sequential([${adds.trim().split('\n').map((l) => l.slice('model.add('.length, -1)).join(', ')}])\n`);
    assert.deepEqual(await keys(vit), ['7:VTD001:warning']);
    assert.deepEqual(await keys(toList(vit)), ['6:VTD001:warning']);
    const alone = vit.replace('model.add(keras.layers.Rescaling(1.0 / 255))\n', '');
    // the same finding (at the backbone: line 7 added, line 6 listed)
    const same = async (t: string): Promise<string[]> => (await lintText(t)).filter((f) => f.code === 'VTD001').map((f) => `${f.severity}:${f.message}`);
    assert.deepEqual(await keys(alone), ['7:VTD001:warning']);
    assert.deepEqual(await same(alone), await same(toList(alone)));
    const branch = vit.replace('model.add(keras.layers.Rescaling(1.0 / 255))', 'if flag:\n    model.add(keras.layers.Rescaling(1.0 / 255))');
    assert.deepEqual(await keys(branch), ['8:VTD001:information']);
  });
  it('keras_hub: a from-scratch Sequential with an added Rescaling(1/255) beside the ViT is another model, as in the list form', async () => {
    const beside = `import keras
import keras_hub

backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
backbone.trainable = False
scratch = keras.Sequential()
scratch.add(keras.layers.Rescaling(1.0 / 255))
scratch.add(keras.layers.Conv2D(16, 3))
scratch.add(keras.layers.GlobalAveragePooling2D())
scratch.add(keras.layers.Dense(3, activation="softmax"))
scratch.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
scratch.fit(images, labels)
model = keras.Sequential([backbone, keras.layers.Lambda(lambda t: t[:, 0, :]), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(images, labels)
`;
    // the Rescaling is the baseline's: the ViT gets nothing, which is the finding (at the backbone), as with the listed baseline
    assert.deepEqual(await keys(beside), ['13:VTD001:warning']);
    const listed = beside.replace(/scratch = keras\.Sequential\(\)\n((?:scratch\.add\(.*\)\n)+)/, (_m, adds: string) => `scratch = keras.Sequential([${adds.trim().split('\n').map((l) => l.slice('scratch.add('.length, -1)).join(', ')}])\n\n\n\n\n`);
    assert.deepEqual(await keys(listed), ['13:VTD001:warning']);
  });
});
