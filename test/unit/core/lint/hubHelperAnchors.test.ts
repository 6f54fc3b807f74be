import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Probe anchor classes (keras_hub): a helper applied to this model's data by reference (preprocessing_function=f), a
 * method applied as self._preprocess(x), a map function whose other application feeds an alias of the model
 * (best_model = model). The finding sits at the scaling inside the helper when every application serves this model;
 * where the helper is applied when another application serves data off its path.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const vtd001 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001' && f.severity !== 'information');
const relatedLines = (f: LintFinding, re: RegExp): number[] => f.related.filter((r) => re.test(r.message)).map((r) => line(r.range));

// test data handed with the model to an evaluation function imported from the user's own module
const generatorHelper = `import keras
import keras_hub
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from report import evaluate_model


class Classifier(keras.Model):
    def __init__(self, num_classes):
        super().__init__()
        self.backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet21k")
        self.head = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, x, training=False):
        return self.head(self.backbone(x, training=training)[:, 0, :])


def main():
    def rescale(x):
        return x / 255.0

    train_gen = ImageDataGenerator(preprocessing_function=rescale, validation_split=0.2)
    test_gen = ImageDataGenerator(preprocessing_function=rescale)
    train = train_gen.flow_from_directory("data/train", target_size=(224, 224), subset="training")
    val = train_gen.flow_from_directory("data/train", target_size=(224, 224), subset="validation")
    test = test_gen.flow_from_directory("data/test", target_size=(224, 224), shuffle=False)
    model = Classifier(3)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(train, validation_data=val, epochs=3)
    evaluate_model(test, model)


main()
`;
const methodHelper = `import tensorflow as tf
import keras_hub

class Extractor:
    def __init__(self):
        self.vit_backbone = keras_hub.models.ViTBackbone.from_preset("vit_large_patch32_384_imagenet")

    def _preprocess_vit(self, image):
        image = tf.cast(image, tf.float32)
        image = image / 255.0
        mean = tf.constant([0.485, 0.456, 0.406])
        std = tf.constant([0.229, 0.224, 0.225])
        return (image - mean) / std

    def features(self, image):
        vit_image = self._preprocess_vit(image)
        tokens = self.vit_backbone(vit_image, training=False)
        return tokens[:, 0, :]

ex = Extractor()
img = tf.io.decode_jpeg(tf.io.read_file("a.jpg"), channels=3)
print(ex.features(tf.image.resize(img, [384, 384])[None]))
`;
// the same method also prepares the images of a from-scratch CNN the class holds
const methodSharedWithCnn = `import tensorflow as tf
import keras
import keras_hub

class Extractor:
    def __init__(self):
        self.cnn = keras.Sequential([keras.layers.Conv2D(8, 3), keras.layers.GlobalAveragePooling2D()])
        self.vit_backbone = keras_hub.models.ViTBackbone.from_preset("vit_large_patch32_384_imagenet")

    def _preprocess_vit(self, image):
        image = tf.cast(image, tf.float32)
        image = image / 255.0
        mean = tf.constant([0.485, 0.456, 0.406])
        std = tf.constant([0.229, 0.224, 0.225])
        return (image - mean) / std

    def features(self, image):
        vit_image = self._preprocess_vit(image)
        tokens = self.vit_backbone(vit_image, training=False)
        return tokens[:, 0, :]

    def cnn_features(self, image):
        return self.cnn(self._preprocess_vit(image))

ex = Extractor()
img = tf.io.decode_jpeg(tf.io.read_file("a.jpg"), channels=3)
x = tf.image.resize(img, [384, 384])[None]
print(ex.features(x), ex.cnn_features(x))
`;
// the best model of a search loop kept under another name, then evaluated on the test data the same map function made
const aliasEvaluated = `import tensorflow as tf
import keras
import keras_hub

def build(data_dir, training=True):
    def load(path, label):
        img = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
        img = tf.image.resize(img, [224, 224])
        img = tf.cast(img, tf.float32) / 255.0
        return img, label
    paths = tf.io.gfile.glob(data_dir + "/*/*.jpg")
    labels = [0] * len(paths)
    if training:
        tr = tf.data.Dataset.from_tensor_slices((paths, labels)).map(load).batch(32)
        va = tf.data.Dataset.from_tensor_slices((paths, labels)).map(load).batch(32)
        return tr, va
    else:
        te = tf.data.Dataset.from_tensor_slices((paths, labels)).map(load).batch(32)
        return te

test_ds = build("test", training=False)
backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")

def build_model():
    inputs = keras.Input(shape=(224, 224, 3))
    x = backbone(inputs)[:, 0, :]
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs)

best = 0.0
best_model = None
for lr in [1e-3, 1e-4]:
    train_ds, val_ds = build("train", training=True)
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy")
    h = model.fit(train_ds, validation_data=val_ds, epochs=3)
    if h.history["val_loss"][-1] > best:
        best_model = model
best_model.evaluate(test_ds)
`;
// the same, the kept model reloaded from the checkpoint a callback factory writes (ModelCheckpoint(name) of its parameter)
const checkpointReloaded = `import tensorflow as tf
import keras
import keras_hub

def build(data_dir, training=True):
    def load(path, label):
        img = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
        img = tf.image.resize(img, [224, 224])
        img = tf.cast(img, tf.float32) / 255.0
        return img, label
    paths = tf.io.gfile.glob(data_dir + "/*/*.jpg")
    labels = [0] * len(paths)
    ds = tf.data.Dataset.from_tensor_slices((paths, labels)).map(load).batch(32)
    return ds

test_ds = build("test", training=False)
backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")

def build_model():
    inputs = keras.Input(shape=(224, 224, 3))
    x = backbone(inputs)[:, 0, :]
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model

def callbacks_for(name):
    return [keras.callbacks.ModelCheckpoint(name, monitor="val_loss", save_best_only=True)]

for size in [1000, 2000]:
    train_ds = build("train")
    val_ds = build("val")
    model = build_model()
    model.fit(train_ds, validation_data=val_ds, epochs=3, callbacks=callbacks_for(f"head_{size}.keras"))
    best_model = None
    for lr in [1e-4, 1e-5]:
        model = keras.models.load_model(f"head_{size}.keras")
        model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy")
        model.fit(train_ds, validation_data=val_ds, epochs=2)
        best_model = model
    best_model.evaluate(test_ds)
`;

describe('VTD001 anchors of helpers applied by reference, methods and model aliases (keras_hub)', () => {
  it('preprocessing_function=rescale whose test data is handed with the model to an imported evaluator: at the / 255', async () => {
    const fs = await vtd001(generatorHelper);
    assert.deepEqual(fs.map((f) => line(f.range)), [19]);
    assert.deepEqual(relatedLines(fs[0]!, /helper is applied here/), [21]);
    assert.deepEqual(relatedLines(fs[0]!, /trained here/), [28]);
  });

  it('the test data handed to the imported function without the model (shown, kept): where the helper is applied', async () => {
    const fs = await vtd001(generatorHelper.replace('evaluate_model(test, model)', 'evaluate_model(test)'));
    assert.deepEqual(fs.map((f) => line(f.range)), [21]);
    assert.deepEqual(relatedLines(fs[0]!, /scaling inside the helper/), [19]);
  });

  it('self._preprocess_vit(image) feeding self.vit_backbone: inside the method, where it is applied related', async () => {
    const fs = await vtd001(methodHelper);
    // at the expression applying the mean/std (probe class L), not at the constants
    assert.deepEqual(fs.map((f) => line(f.range)), [13]);
    assert.deepEqual(relatedLines(fs[0]!, /helper is applied here/), [16]);
    assert.deepEqual(relatedLines(fs[0]!, /called here/), [17]);
  });

  it('the method also applied to a from-scratch CNN\'s images: where it is applied to the ViT\'s data', async () => {
    const fs = await vtd001(methodSharedWithCnn);
    assert.deepEqual(fs.map((f) => line(f.range)), [18]);
    assert.deepEqual(relatedLines(fs[0]!, /scaling inside the helper/), [15]);
  });

  it('best_model = model evaluated on the test set the same map function builds: at the / 255 in the map function', async () => {
    const fs = await vtd001(aliasEvaluated);
    assert.deepEqual(fs.map((f) => line(f.range)), [9]);
    assert.deepEqual(relatedLines(fs[0]!, /helper is applied here/), [33]);
    assert.deepEqual(relatedLines(fs[0]!, /fed here/), [39]);
  });

  it('best_model reloaded from the f-string path a callback factory saved the fitted model at: at the / 255', async () => {
    const fs = await vtd001(checkpointReloaded);
    assert.deepEqual(fs.map((f) => line(f.range)), [9]);
    assert.deepEqual(relatedLines(fs[0]!, /fed here/), [41]);
    // another path, or a weights-only checkpoint: the reloaded model is not known, its test data off the path
    const other = await vtd001(checkpointReloaded.replace('callbacks_for(f"head_{size}.keras")', 'callbacks_for(f"other_{size}.keras")'));
    assert.equal(other.length, 1);
    assert.notDeepEqual(other.map((f) => line(f.range)), [9]);
    const weights = await vtd001(checkpointReloaded.replace('save_best_only=True)', 'save_best_only=True, save_weights_only=True)'));
    assert.equal(weights.length, 1);
    assert.notDeepEqual(weights.map((f) => line(f.range)), [9]);
  });

  it('correct twins (x / 127.5 - 1 in the same places) are silent', async () => {
    assert.deepEqual(await vtd001(generatorHelper.replace('x / 255.0', 'x / 127.5 - 1.0')), []);
    assert.deepEqual(await vtd001(methodHelper.replace(/image = image \/ 255\.0[\s\S]*return \(image - mean\) \/ std/, 'return image / 127.5 - 1.0')), []);
    assert.deepEqual(await vtd001(aliasEvaluated.replace('tf.cast(img, tf.float32) / 255.0', 'tf.cast(img, tf.float32) / 127.5 - 1.0')), []);
    assert.deepEqual(await vtd001(checkpointReloaded.replace('tf.cast(img, tf.float32) / 255.0', 'tf.cast(img, tf.float32) / 127.5 - 1.0')), []);
  });
});
