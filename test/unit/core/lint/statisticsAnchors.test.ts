import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Probe class L: a mean/std step is anchored where the statistics are applied (`(image - mean) / std`, `x -= mean`,
 * `tf.math.subtract(x, MEAN)`, the Normalization layer), whatever binds them (tf.constant, numpy arrays, lists, tuples,
 * self attributes); the constants and an earlier / 255 are related locations. Constants written inside the applying
 * expression keep the finding where it was.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const vtd001 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001' && f.severity !== 'information');
const relatedLines = (f: LintFinding, re: RegExp): number[] => f.related.filter((r) => re.test(r.message)).map((r) => line(r.range));

// tf.constant statistics in a map function, after a / 255 on its own line
const tfConstants = `import tensorflow as tf
import keras
import keras_hub


def prepare(image, label):
    image = tf.cast(image, tf.float32)
    image = image / 255.0
    mean = tf.constant([0.485, 0.456, 0.406], dtype=tf.float32)
    std = tf.constant([0.229, 0.224, 0.225], dtype=tf.float32)
    return (image - mean) / std, label


ds = keras.utils.image_dataset_from_directory("photos", image_size=(224, 224)).map(prepare)
vit = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
outputs = keras.layers.Dense(4)(vit(inputs)[:, 0, :])
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds, epochs=2)
`;
// numpy statistics at module level, applied in the expression that also divides by 255
const numpyInline = `import numpy as np
import keras
import keras_hub

MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def load(paths):
    pixels = np.stack([np.asarray(keras.utils.load_img(p, target_size=(224, 224))) for p in paths])
    return (pixels / 255.0 - MEAN) / STD


x = load(["a.jpg", "b.jpg"])
vit = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(vit(inputs)[:, 0, :]))
print(model.predict(x))
`;
// plain lists, applied in place
const listsInPlace = `import numpy as np
import keras
import keras_hub

mean = [0.485, 0.456, 0.406]
std = [0.229, 0.224, 0.225]
x = np.stack([np.asarray(keras.utils.load_img(p, target_size=(224, 224))) for p in ["a.jpg", "b.jpg"]]).astype("float32")
x /= 255.0
x -= mean
x /= std
vit = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(vit(inputs)[:, 0, :]))
print(model.predict(x))
`;
// a keras Normalization layer built from named statistics, applied later
const normalizationLayer = `import keras
import keras_hub

RGB_MEAN = [0.485, 0.456, 0.406]
RGB_VAR = [0.229 ** 2, 0.224 ** 2, 0.225 ** 2]
normalize = keras.layers.Normalization(mean=RGB_MEAN, variance=RGB_VAR)
vit = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
scaled = keras.layers.Rescaling(1.0 / 255)(inputs)
features = vit(normalize(scaled))[:, 0, :]
model = keras.Model(inputs, keras.layers.Dense(3)(features))
`;
// timm/torchvision-style tuple names applied through tf.math calls
const torchStyleNames = `import tensorflow as tf
import keras
import keras_hub

IMAGENET_DEFAULT_MEAN = (0.485, 0.456, 0.406)
IMAGENET_DEFAULT_STD = (0.229, 0.224, 0.225)


def to_model_input(image, label):
    image = tf.image.convert_image_dtype(image, tf.float32)
    image = tf.math.divide(tf.math.subtract(image, IMAGENET_DEFAULT_MEAN), IMAGENET_DEFAULT_STD)
    return image, label


ds = keras.utils.image_dataset_from_directory("photos", image_size=(224, 224)).map(to_model_input)
vit = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(4)(vit(inputs)[:, 0, :]))
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds, epochs=2)
`;
// statistics kept on the instance, applied in a method
const selfAttributes = `import tensorflow as tf
import keras_hub


class Featurizer:
    def __init__(self):
        self.mean = tf.reshape(tf.constant([0.485, 0.456, 0.406]), (1, 1, 1, 3))
        self.std = tf.reshape(tf.constant([0.229, 0.224, 0.225]), (1, 1, 1, 3))
        self.vit = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")

    def embed(self, images):
        x = tf.cast(images, tf.float32) / 255.0
        x = (x - self.mean) / self.std
        return self.vit(x)[:, 0, :]


images = tf.stack([tf.image.resize(tf.io.decode_jpeg(tf.io.read_file(p), channels=3), (224, 224)) for p in ["a.jpg"]])
print(Featurizer().embed(images))
`;
// the constants written in the expression that applies them
const literalInline = `import numpy as np
import keras
import keras_hub

x = np.stack([np.asarray(keras.utils.load_img(p, target_size=(224, 224))) for p in ["a.jpg", "b.jpg"]])
x = (x / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
vit = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(vit(inputs)[:, 0, :]))
print(model.predict(x))
`;
// a keras.applications model (expects [-1, 1]) fed ImageNet mean/std from named arrays
const applicationModel = `import numpy as np
import keras

mean = np.array([0.485, 0.456, 0.406], dtype="float32")
std = np.array([0.229, 0.224, 0.225], dtype="float32")
x = np.stack([np.asarray(keras.utils.load_img(p, target_size=(224, 224))) for p in ["a.jpg", "b.jpg"]]).astype("float32")
x = x / 255.0
x = (x - mean) / std
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
print(base.predict(x))
`;

describe('VTD001 anchors of mean/std steps with named statistics (probe class L)', () => {
  it('tf.constant mean/std after a / 255 line: at (image - mean) / std, constants and / 255 related', async () => {
    const fs = await vtd001(tfConstants);
    assert.deepEqual(fs.map((f) => line(f.range)), [11]);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), [9, 10]);
    assert.deepEqual(relatedLines(fs[0]!, /part of the same mapping/), [8]);
  });

  it('numpy constants applied in the expression dividing by 255: at that expression (unchanged)', async () => {
    const fs = await vtd001(numpyInline);
    assert.deepEqual(fs.map((f) => line(f.range)), [11]);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), [5, 6]);
  });

  it('lists applied in place: at x -= mean', async () => {
    const fs = await vtd001(listsInPlace);
    assert.deepEqual(fs.map((f) => line(f.range)), [9]);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), [5]);
    assert.deepEqual(relatedLines(fs[0]!, /part of the same mapping/), [8]);
  });

  it('Normalization(mean=RGB_MEAN, variance=RGB_VAR): at the layer, its statistics related', async () => {
    const fs = await vtd001(normalizationLayer);
    assert.deepEqual(fs.map((f) => line(f.range)), [6]);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), [4, 5]);
    assert.deepEqual(relatedLines(fs[0]!, /part of the same mapping/), [9]);
  });

  it('IMAGENET_DEFAULT_MEAN/STD tuples through tf.math.subtract/divide: at the call applying them', async () => {
    const fs = await vtd001(torchStyleNames);
    assert.deepEqual(fs.map((f) => line(f.range)), [11]);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), [5, 6]);
  });

  it('self.mean / self.std set in __init__: at the method line applying them', async () => {
    const fs = await vtd001(selfAttributes);
    assert.deepEqual(fs.map((f) => line(f.range)), [13]);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), [7, 8]);
    assert.deepEqual(relatedLines(fs[0]!, /part of the same mapping/), [12]);
  });

  it('constants written inside the applying expression: the finding stays there, nothing bound elsewhere', async () => {
    const fs = await vtd001(literalInline);
    assert.deepEqual(fs.map((f) => line(f.range)), [6]);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), []);
  });

  it('keras.applications MobileNetV2 fed named ImageNet statistics: at the application too', async () => {
    const fs = await vtd001(applicationModel);
    assert.deepEqual(fs.map((f) => line(f.range)), [8]);
    assert.match(fs[0]!.message, /\(x - mean\) \/ std normalises the pixels with ImageNet mean\/std/);
    assert.deepEqual(relatedLines(fs[0]!, /statistics it applies/), [4, 5]);
  });

  it('correct twins: the same code for models that expect ImageNet mean/std, or x / 127.5 - 1 for the ViT, stays silent', async () => {
    const resnet = (t: string): string => t.replace('keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")', 'keras_hub.models.ResNetBackbone.from_preset("resnet_50_imagenet")').replace('(vit(inputs)[:, 0, :])', '(keras.layers.GlobalAveragePooling2D()(vit(inputs)))');
    for (const t of [tfConstants, numpyInline, listsInPlace, torchStyleNames, literalInline]) assert.deepEqual(await vtd001(resnet(t)), [], resnet(t));
    assert.deepEqual(await vtd001(applicationModel.replace('MobileNetV2', 'DenseNet121')), []);
    assert.deepEqual(await vtd001(tfConstants.replace('return (image - mean) / std, label', 'return image * 2.0 - 1.0, label')), []);
  });

  it('statistics only used to undo the mapping for display are no application', async () => {
    const shown = listsInPlace.replace('x -= mean\nx /= std\n', 'import matplotlib.pyplot as plt\nplt.imshow(x[0] * std + mean)\n');
    const fs = await vtd001(shown);
    // the / 255 alone is the partial mapping, where it is written
    assert.deepEqual(fs.map((f) => line(f.range)), [8]);
    assert.match(fs[0]!.message, /a scaling to \[0, 1\] only/);
  });
});
