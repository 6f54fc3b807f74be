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

  it('x /= 255 is a scaling step like x = x / 255: in a tf.data helper before a KerasCV preset, at top level before keras.applications and a keras_hub task', async () => {
    const kerasCv = `import keras
import keras_cv
import tensorflow as tf


def decode_image(path):
    image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    image = tf.cast(image, tf.float32)
    image /= 255.0
    return image


ds = tf.data.Dataset.from_tensor_slices(paths).map(decode_image).batch(32)
backbone = keras_cv.models.EfficientNetV2Backbone.from_preset("efficientnetv2_b2_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling2D()(backbone(inputs)))
model = keras.Model(inputs, outputs)
model.fit(ds)
`;
    assert.deepEqual(await scale(kerasCv), ['9:VTD002:warning']);
    // the same helper without the scaling, or with include_rescaling=False: correct
    assert.deepEqual(await scale(kerasCv.replace('    image /= 255.0\n', '')), []);
    assert.deepEqual(await scale(kerasCv.replace('"efficientnetv2_b2_imagenet")', '"efficientnetv2_b2_imagenet", include_rescaling=False)')), []);
    // `*= 1 / 255` is the same step
    assert.deepEqual(await scale(kerasCv.replace('image /= 255.0', 'image *= 1.0 / 255')), ['9:VTD002:warning']);

    const app = `import keras
import numpy as np

x = np.load("x.npy").astype("float32")
x /= 255.0
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False)
model = keras.Sequential([base, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2, activation="softmax")])
model.fit(x, y)
`;
    assert.deepEqual(await scale(app), ['5:VTD001:warning']);
    // x /= 127.5; x -= 1: [-1, 1], the model's own range
    assert.deepEqual(await scale(app.replace('x /= 255.0', 'x /= 127.5\nx -= 1.0')), []);
    // x /= 255; x -= 0.5; x *= 2: [-1, 1] too
    assert.deepEqual(await scale(app.replace('x /= 255.0', 'x /= 255.0\nx -= 0.5\nx *= 2.0')), []);
    // a from-scratch convnet on x /= 255: correct
    assert.deepEqual(await scale(app.replace('keras.applications.MobileNetV2(weights="imagenet", include_top=False)', 'keras.layers.Conv2D(8, 3)')), []);
    // only shown: not the model's data
    assert.deepEqual(await scale(app.replace('x /= 255.0', 'shown = x[0]\nshown /= 255.0\nplt.imshow(shown)').replace('import numpy as np', 'import numpy as np\nimport matplotlib.pyplot as plt')), ['11:VTD001:information']);

    const task = `import keras_hub
import numpy as np

images = np.load("x.npy").astype("float32")
images /= 255.0
classifier = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=3)
classifier.fit(images, labels)
`;
    assert.deepEqual(await scale(task), ['5:VTD002:warning']);
    assert.deepEqual(await scale(task.replace('images /= 255.0\n', '')), []);
  });

  it('a scaling two helpers deep (build_dataset -> build_decoder -> decode_image), the dataset helper also making the validation data: the finding sits at the scaling', async () => {
    const text = `import keras
import keras_cv
import tensorflow as tf


def build_decoder():
    def decode_image(path):
        image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
        image = tf.cast(image, tf.float32)
        image /= 255.0
        return image

    def decode_with_labels(path, label):
        return decode_image(path), label

    return decode_with_labels


def build_dataset(paths, labels):
    decode_fn = build_decoder()
    ds = tf.data.Dataset.from_tensor_slices((paths, labels))
    return ds.map(decode_fn).batch(32)


train_ds = build_dataset(train_paths, train_labels)
valid_ds = build_dataset(valid_paths, valid_labels)
backbone = keras_cv.models.EfficientNetV2Backbone.from_preset("efficientnetv2_b2_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling2D()(backbone(inputs)))
model = keras.Model(inputs, outputs)
model.fit(train_ds, validation_data=valid_ds)
`;
    assert.deepEqual(await scale(text), ['10:VTD002:warning']);
    // the dataset helper also makes data for something else (shown, not fed): the finding stays where the helper is applied
    assert.deepEqual(await scale(text.replace('valid_ds = build_dataset(valid_paths, valid_labels)', 'other_ds = build_dataset(valid_paths, valid_labels)\nvalid_ds = None')), ['25:VTD002:warning']);
    // the decoder is also used on its own for other data: the same
    assert.deepEqual(await scale(text.replace('model.fit(train_ds, validation_data=valid_ds)', 'model.fit(train_ds, validation_data=valid_ds)\nshown = build_decoder()(p, 0)')), ['25:VTD002:warning']);
  });

  it('an augmentation Sequential (or a layer) of the file applied to the data is a mapping step made of its Rescaling', async () => {
    const mapped = `import keras
import keras_cv
import tensorflow as tf
from keras import layers

augmentation_layers = keras.Sequential([layers.Rescaling(1. / 255), layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])
train_ds = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
train_ds = train_ds.map(lambda x, y: (augmentation_layers(x, training=True), y))
backbone = keras_cv.models.EfficientNetV2Backbone.from_preset("efficientnetv2_s_imagenet")
model = keras_cv.models.ImageClassifier(backbone=backbone, num_classes=3)
model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy")
model.fit(train_ds)
`;
    assert.deepEqual(await scale(mapped), ['6:VTD002:warning']);
    // augmentation without a Rescaling: nothing doubled
    assert.deepEqual(await scale(mapped.replace('layers.Rescaling(1. / 255), ', '')), []);
    // the Sequential is a model of its own (compiled and fitted), the KerasCV model gets other data: not its step
    assert.deepEqual(await scale(mapped.replace('train_ds = train_ds.map(lambda x, y: (augmentation_layers(x, training=True), y))', 'augmentation_layers.compile(loss="mse")\naugmentation_layers.fit(other_ds)')), []);
    // the Sequential applied inside a helper that only the training data goes through: the finding sits at the Rescaling
    const helper = mapped.replace('train_ds = train_ds.map(lambda x, y: (augmentation_layers(x, training=True), y))', 'def augment(ds):\n    return ds.map(lambda x, y: (augmentation_layers(x, training=True), y))\n\n\ntrain_ds = augment(train_ds)');
    assert.deepEqual(await scale(helper), ['6:VTD002:warning']);

    // applied directly to arrays, before a keras_hub task
    const direct = `import keras
import keras_hub
import numpy as np
from keras import layers

augment = keras.Sequential([layers.Rescaling(1. / 255), layers.RandomFlip("horizontal")])
x_aug = augment(np.load("x.npy"))
classifier = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=3)
classifier.fit(x_aug, y)
`;
    assert.deepEqual(await scale(direct), ['6:VTD002:warning']);
    assert.deepEqual(await scale(direct.replace('classifier.fit(x_aug, y)', 'classifier.fit(np.load("x.npy"), y)')), []);

    // in a functional graph before a keras_hub ViT backbone: [0, 1] instead of [-1, 1]
    const graph = `import keras
import keras_hub
from keras import layers

augment = keras.Sequential([layers.Rescaling(1. / 255), layers.RandomFlip("horizontal")])
backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
outputs = layers.Dense(3)(backbone(augment(inputs))[:, 0, :])
model = keras.Model(inputs, outputs)
model.fit(ds)
`;
    assert.deepEqual(await scale(graph), ['5:VTD001:warning']);
    // a baseline CNN with its own Rescaling beside the ViT: not the ViT's step (the ViT gets raw pixels: found at its call)
    const baseline = graph.replace('augment = keras.Sequential([layers.Rescaling(1. / 255), layers.RandomFlip("horizontal")])', 'augment = keras.Sequential([layers.RandomFlip("horizontal")])\ncnn = keras.Sequential([layers.Rescaling(1. / 255), layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(3)])\ncnn.compile(loss="mse")\ncnn.fit(ds)');
    assert.deepEqual(await scale(baseline), ['11:VTD001:warning']);
  });

  it('min-max scaling (x - x.min()) / (x.max() - x.min()) is a scaling to [0, 1], judged like /255', async () => {
    const app = `import keras
import numpy as np
import tensorflow as tf


def load_image(path):
    image = np.load(path).astype("float32")
    image = (image - image.min()) / (image.max() - image.min())
    return image


ds = tf.data.Dataset.from_tensor_slices(paths).map(lambda p: tf.py_function(load_image, [p], tf.float32)).batch(32)
base = keras.applications.EfficientNetV2B0(weights="imagenet", include_top=False, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(1, activation="sigmoid")])
model.fit(ds)
`;
    assert.deepEqual(await scale(app), ['8:VTD002:warning']);
    // numpy / tf / ops spellings, names, an epsilon, np.ptp
    for (const form of ['(image - np.min(image)) / (np.max(image) - np.min(image))', '(image - tf.reduce_min(image)) / (tf.reduce_max(image) - tf.reduce_min(image) + 1e-8)', '(image - keras.ops.min(image)) / np.ptp(image)']) {
      assert.deepEqual(await scale(app.replace('(image - image.min()) / (image.max() - image.min())', form)), ['8:VTD002:warning'], form);
    }
    const named = app.replace('    image = (image - image.min()) / (image.max() - image.min())', '    lo, hi = image.min(), image.max()\n    image = (image - lo) / (hi - lo)');
    assert.deepEqual(await scale(named), ['9:VTD002:warning']);
    // not a min-max: (x - mean) / range of something else, or the data left 0-255
    assert.deepEqual(await scale(app.replace('(image - image.min()) / (image.max() - image.min())', '(image - image.mean()) / (image.max() - image.min())')), []);
    assert.deepEqual(await scale(app.replace('    image = (image - image.min()) / (image.max() - image.min())\n', '')), []);
    // a from-scratch model on min-max data: correct
    assert.deepEqual(await scale(app.replace('keras.applications.EfficientNetV2B0(weights="imagenet", include_top=False, pooling="avg")', 'keras.layers.Conv2D(8, 3)')), []);
    // min-max then * 2 - 1: [-1, 1], what a MobileNetV2 expects
    const mobile = app.replace('EfficientNetV2B0', 'MobileNetV2');
    assert.deepEqual(await scale(mobile), ['8:VTD001:warning']);
    assert.deepEqual(await scale(mobile.replace('(image - image.min()) / (image.max() - image.min())', '(image - image.min()) / (image.max() - image.min()) * 2 - 1')), []);
  });

  it("a standardisation with the data's own statistics is a z-score, no pretrained model's contract", async () => {
    const app = `import keras
import numpy as np

x = np.load("x.npy").astype("float32")
mean, std = x.mean(), x.std()
x = (x - mean) / std
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(2, activation="softmax")])
model.fit(x, y)
`;
    const fs = (await lintText(app)).filter((f) => f.code === 'VTD001');
    assert.deepEqual(fs.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['6:warning']);
    assert.match(fs[0]!.message, /data's own mean and std/);
    // x -= x.mean(); x /= x.std() + 1e-7 in place: the same
    assert.deepEqual(await scale(app.replace('mean, std = x.mean(), x.std()\nx = (x - mean) / std', 'x -= x.mean()\nx /= x.std() + 1e-7')), ['6:VTD001:warning']);
    // ImageNet constants are the contract of torch-mode models, not a z-score of the data: DenseNet121 stays silent
    const imagenet = app.replace('mean, std = x.mean(), x.std()\nx = (x - mean) / std', 'x = (x / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]').replace('MobileNetV2', 'DenseNet121');
    assert.deepEqual(await scale(imagenet), []);
    // a from-scratch model on standardised data: correct
    assert.deepEqual(await scale(app.replace('keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")', 'keras.layers.Conv2D(8, 3)')), []);

    const hub = `import keras
import keras_hub
import tensorflow as tf

ds = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
ds = ds.map(lambda x, y: (tf.image.per_image_standardization(x), y))
backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(2)(backbone(inputs)[:, 0, :]))
model.fit(ds)
`;
    const hf = (await lintText(hub)).filter((f) => f.code === 'VTD001');
    assert.deepEqual(hf.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['6:warning']);
    assert.match(hf[0]!.message, /Partial or wrong preprocessing .*standardisation with the data's own mean and std/);
  });

  it("a keras_hub task's own preprocessor applied by hand, then the task's predict on that output: preprocessed twice", async () => {
    const text = `import keras_hub
import numpy as np

classifier = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet")
images = np.load("x.npy")
batch = classifier.preprocessor(images)
preds = classifier.predict(batch)
`;
    assert.deepEqual(await scale(text), ['6:VTD002:warning']);
    // through a name, or the preprocessor's image converter
    assert.deepEqual(await scale(text.replace('batch = classifier.preprocessor(images)', 'preprocess = classifier.preprocessor\nbatch = preprocess(images)')), ['7:VTD002:warning']);
    assert.deepEqual(await scale(text.replace('classifier.preprocessor(images)', 'classifier.preprocessor.image_converter(images)')), ['6:VTD002:warning']);
    // the raw images to predict, the preprocessed ones only shown; or the preprocessed ones into the task's backbone: correct
    assert.deepEqual(await scale(text.replace('classifier.predict(batch)', 'classifier.predict(images)')), []);
    assert.deepEqual(await scale(text.replace('classifier.predict(batch)', 'classifier.backbone(batch)')), []);
    // a task built without its preprocessor runs none
    assert.deepEqual(await scale(text.replace('"resnet_50_imagenet")', '"resnet_50_imagenet", preprocessor=None)')), []);

    // keras-hub's conversion scripts: a task built by its constructor, passed to a validation helper
    const script = `import keras_hub
from keras_hub.src.models.hgnetv2.hgnetv2_image_classifier import HGNetV2ImageClassifier


def convert_model(backbone, preprocessor):
    keras_model = HGNetV2ImageClassifier(backbone=backbone, preprocessor=preprocessor, num_classes=1000)
    return keras_model, None


def validate_output(keras_model, images):
    keras_preprocessed = keras_model.preprocessor(images)
    return keras_model.predict(keras_preprocessed)


keras_model, _ = convert_model(backbone, preprocessor)
validate_output(keras_model, images)
`;
    assert.deepEqual(await scale(script), ['11:VTD002:warning']);
    // its backbone called on the preprocessed images is right
    assert.deepEqual(await scale(script.replace('keras_model.predict(keras_preprocessed)', 'keras_model.backbone(keras_preprocessed)')), []);
    assert.deepEqual(await scale(script.replace('preprocessor=preprocessor, ', 'preprocessor=None, ')), []);
  });

  it('every name of a tuple target rebinds it: unpacked from a name, starred, a list target, with ... as (a, b)', async () => {
    const text = (rebind: string): string => `import keras
import numpy as np

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255.0
cnn = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
cnn.fit(x_train, y_train)

data = keras.datasets.cifar10.load_data()
${rebind}
x_train = keras.applications.mobilenet_v2.preprocess_input(x_train[:5000].astype("float32"))
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
model = keras.Sequential([keras.layers.Resizing(224, 224), base, keras.layers.Dense(10)])
model.fit(x_train, y_train[:5000])
`;
    // the MNIST section's /255 is not on the MobileNetV2 path: nothing stacked, nothing wrong
    for (const rebind of ['(x_train, y_train), (x_test, y_test) = data', 'x_train, *rest = data', '[x_train, y_train] = data', 'with np.load("c.npz") as (x_train, y_train):\n    pass']) {
      assert.deepEqual(await scale(text(rebind)), [], rebind);
    }
    // the second section's own /255 is still found (the slice follows the right side of the unpacking)
    const wrong = text('x_train, *rest = data').replace('keras.applications.mobilenet_v2.preprocess_input(x_train[:5000].astype("float32"))', 'x_train[:5000] / 255.0');
    assert.deepEqual(await scale(wrong), ['11:VTD001:warning']);
  });
});
