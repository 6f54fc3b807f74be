import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Precision audit by design (issue 16): code written for these tests in the shapes that made fresh real code go wrong —
 * several models per file, models rebuilt under the same name, from-scratch models beside pretrained ones, TF Hub /
 * transformers / timm / vit_keras models beside Keras ones, `weights=None`, `include_top`, a model loaded from a file,
 * values from argparse/config, helpers called with different arguments, a dataset reassigned in one branch. A guessed
 * link is information naming it; each silent case has a twin one edit away that is found.
 */
const show = (fs: LintFinding[]): string[] => fs.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`);
const lint = async (text: string): Promise<string[]> => show(await lintText(text));
const loud = async (text: string): Promise<string[]> => show((await lintText(text)).filter((f) => f.severity !== 'information'));

const f_branch = `import sys
import keras
import keras_hub
ds = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
if "--scratch" in sys.argv:
    ds = ds.map(lambda x, y: (x / 255.0, y))
    model = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(8, 3), keras.layers.Flatten(), keras.layers.Dense(5)])
else:
    model = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=5)
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds)
`;
const h_branch_eff = `import sys
import keras
ds = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
if "--scratch" in sys.argv:
    ds = ds.map(lambda x, y: (x / 255.0, y))
    model = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(8, 3), keras.layers.Flatten(), keras.layers.Dense(5)])
else:
    base = keras.applications.EfficientNetB0(weights="imagenet", include_top=False, pooling="avg")
    model = keras.Sequential([keras.layers.Lambda(keras.applications.efficientnet.preprocess_input), base, keras.layers.Dense(5)])
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds)
`;
const i_branch_hubbackbone = `import sys
import keras
import keras_hub
ds = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
if "--scratch" in sys.argv:
    ds = ds.map(lambda x, y: (x / 255.0, y))
    model = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(8, 3), keras.layers.Flatten(), keras.layers.Dense(5)])
else:
    backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
    inputs = keras.Input((224, 224, 3))
    x = backbone(keras_hub.layers.ViTImageConverter.from_preset("vit_base_patch16_224_imagenet")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(5)(x[:, 0, :]))
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds)
`;
const r_notebook_like = `import keras
import keras_hub
import numpy as np
x = np.load("x.npy").astype("float32")
y = np.load("y.npy")
x_scaled = x / 255.0
cnn = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(8, 3), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
cnn.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
cnn.fit(x_scaled, y)
clf = keras_hub.models.ImageClassifier.from_preset("efficientnet_b0_ra_imagenet", num_classes=3)
clf.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
clf.fit(x, y)
preds = clf.predict(x_scaled[:10])
`;
const r3 = `import keras
import keras_hub
import numpy as np
x = np.load("x.npy").astype("float32")
y = np.load("y.npy")
x_scaled = x / 255.0
cnn = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(8, 3), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
cnn.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
cnn.fit(x_scaled, y)
backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input((224, 224, 3))
feats = backbone(inputs)
head = keras.Model(inputs, keras.layers.Dense(3)(feats[:, 0, :]))
head.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
head.fit(x_scaled, y)
`;
const c1 = `import tensorflow as tf
import keras_hub
from transformers import TFViTForImageClassification
train = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
hf = TFViTForImageClassification.from_pretrained("google/vit-base-patch16-224", num_labels=5)
hf.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
hf.fit(train)
task = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=5)
task.fit(train)
`;
const c2 = `import tensorflow as tf
import keras_hub
from transformers import TFViTForImageClassification
train = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
task = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=5)
hf = TFViTForImageClassification.from_pretrained("google/vit-base-patch16-224", num_labels=5)
hf.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
hf.fit(train)
task.fit(train)
`;
const u_heads_mixed = `import tensorflow as tf
import keras_hub
from transformers import TFViTForImageClassification
import tensorflow_hub as hub
NUM_CLASSES = 5
train = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224), label_mode="categorical")
hf = TFViTForImageClassification.from_pretrained("google/vit-base-patch16-224", num_labels=NUM_CLASSES)
hf.compile(optimizer=tf.keras.optimizers.Adam(5e-5), loss="sparse_categorical_crossentropy")
layer = hub.KerasLayer("https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/5")
m = tf.keras.Sequential([layer])
m.compile(optimizer="adam", loss=tf.keras.losses.CategoricalCrossentropy(from_logits=False))
m.fit(train)
model = tf.keras.models.load_model("saved.h5")
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
task = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=NUM_CLASSES)
task.compile(optimizer=tf.keras.optimizers.Adam(5e-5), loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))
task.fit(train)
binary = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1, activation="sigmoid")])
binary.compile(optimizer="adam", loss="binary_crossentropy")
`;
const a_rebuild = `import keras
import keras_hub
import tensorflow as tf
train = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
scaled = train.map(lambda x, y: (x / 255.0, y))
# section 1: a from-scratch CNN on [0, 1]
model = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(16, 3), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
model.fit(scaled)
# section 2: keras_hub task on raw pixels
model = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=5)
model.backbone.trainable = False
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
# section 3: keras.applications on its own preprocess_input
prep = train.map(lambda x, y: (keras.applications.mobilenet_v2.preprocess_input(x), y))
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, pooling="avg")
base.trainable = False
model = keras.Sequential([base, keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(prep)
`;
const b_hub_models = `import tensorflow as tf
import tensorflow_hub as hub
import keras
train = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
train = train.map(lambda x, y: (x / 255.0, y))
feat = hub.KerasLayer("https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/5", trainable=False)
m1 = tf.keras.Sequential([feat, tf.keras.layers.Dense(5)])
m1.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
m1.fit(train)
base = tf.keras.applications.ResNet50(weights=None, include_top=False, pooling="avg", input_shape=(224, 224, 3))
m2 = tf.keras.Sequential([base, tf.keras.layers.Dense(5, activation="softmax")])
m2.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
m2.fit(train)
loaded = tf.keras.models.load_model("pretrained.h5")
loaded.fit(train)
loaded2 = keras.saving.load_model("model.keras")
loaded2.predict(train)
eff = tf.keras.applications.EfficientNetB0(include_top=True)
eff.trainable = False
`;
const c_vitkeras = `import tensorflow as tf
from vit_keras import vit
import timm
from transformers import TFViTForImageClassification
train = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
train = train.map(lambda x, y: (x / 255.0, y))
vm = vit.vit_b16(image_size=224, pretrained=True, include_top=False, pretrained_top=False)
model = tf.keras.Sequential([vm, tf.keras.layers.Dense(5)])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
hf = TFViTForImageClassification.from_pretrained("google/vit-base-patch16-224", num_labels=5)
hf.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
hf.fit(train)
tm = timm.create_model("vit_base_patch16_224", pretrained=True, num_classes=5)
`;
const e_helpers = `import keras
import keras_hub
from utils import make_dataset
def build(weights):
    base = keras.applications.MobileNetV2(weights=weights, include_top=False, pooling="avg")
    return keras.Sequential([base, keras.layers.Dense(5, activation="softmax")])
def scale(ds):
    return ds.map(lambda x, y: (x / 255.0, y))
raw = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
scratch = build(None)
scratch.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
scratch.fit(scale(raw))
pre = build("imagenet")
pre.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
pre.fit(raw.map(lambda x, y: (keras.applications.mobilenet_v2.preprocess_input(x), y)))
ds2 = make_dataset("d2")
task = keras_hub.models.ImageClassifier.from_preset("vit_base_patch16_224_imagenet", num_classes=5)
task.fit(ds2)
`;
const q_sections = `import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.applications import VGG16, ResNet50, EfficientNetB0
from tensorflow.keras.applications.vgg16 import preprocess_input as vgg_pre
gen = ImageDataGenerator(rescale=1.0 / 255)
train = gen.flow_from_directory("d", target_size=(224, 224))
# model 1: from scratch on [0, 1]
model = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3, input_shape=(224, 224, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(train)
# model 2: VGG16 with its own preprocess_input
gen2 = ImageDataGenerator(preprocessing_function=vgg_pre)
train2 = gen2.flow_from_directory("d", target_size=(224, 224))
base_model = VGG16(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
base_model.trainable = False
model = tf.keras.Sequential([base_model, tf.keras.layers.Flatten(), tf.keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(train2)
# model 3: ResNet50 trained from scratch
base_model = ResNet50(weights=None, include_top=False, input_shape=(224, 224, 3))
model = tf.keras.Sequential([base_model, tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(train)
# model 4: a model loaded from a file of unknown origin
model = tf.keras.models.load_model("best.h5")
model.fit(train)
model.predict(train)
# model 5: EfficientNetB0 include_top with its 1000 classes, used for inference on raw pixels
eff = EfficientNetB0(weights="imagenet", include_top=True)
img = tf.keras.utils.img_to_array(tf.keras.utils.load_img("a.jpg", target_size=(224, 224)))
eff.predict(img[None])
`;
const d_args = `import argparse, os, json
import keras
import keras_hub
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=1e-5)
p.add_argument("--size", type=int, default=224)
p.add_argument("--preset", default="vit_base_patch16_224_imagenet")
args = p.parse_args()
cfg = json.load(open("config.json"))
backbone = keras_hub.models.Backbone.from_preset(args.preset)
inputs = keras.Input((args.size, args.size, 3))
conv = keras_hub.layers.ViTImageConverter.from_preset(args.preset)
x = backbone(conv(inputs))
out = keras.layers.Dense(cfg["num_classes"], activation="softmax")(x[:, 0, :])
model = keras.Model(inputs, out)
model.compile(optimizer=keras.optimizers.Adam(args.lr), loss="sparse_categorical_crossentropy")
ds = keras.utils.image_dataset_from_directory("d", image_size=(args.size, args.size))
model.fit(ds)
lr2 = float(os.environ.get("LR", "0.001"))
model.compile(optimizer=keras.optimizers.Adam(lr2), loss="sparse_categorical_crossentropy")
`;
const j_compile_helper = `import keras
import keras_hub
def compile_and_fit(m, lr, ds):
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    m.fit(ds)
ds = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
task = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=5)
task.backbone.trainable = False
compile_and_fit(task, 1e-3, ds)
task.backbone.trainable = True
compile_and_fit(task, 1e-5, ds)
`;

describe('precision audit: a dataset reassigned in one branch, the model built in the other', () => {
  it('keras_hub task, keras_hub backbone with its converter, keras.applications EfficientNetB0: information naming the branches', async () => {
    assert.deepEqual(await lint(f_branch), ['6:VTD002:information']);
    assert.match((await lintText(f_branch))[0]!.message, /different branches of one if\/else or try/);
    assert.deepEqual(await lint(i_branch_hubbackbone), ['6:VTD002:information']);
    assert.deepEqual(await lint(h_branch_eff), ['5:VTD002:information']);
  });

  it('twin: the same scaling before the if reaches the model in every run: a warning', async () => {
    const before = f_branch.replace('if "--scratch" in sys.argv:\n    ds = ds.map(lambda x, y: (x / 255.0, y))\n', 'ds = ds.map(lambda x, y: (x / 255.0, y))\nif "--scratch" in sys.argv:\n');
    assert.notEqual(before, f_branch);
    assert.deepEqual(await loud(before), ['5:VTD002:warning']);
    const effBefore = h_branch_eff.replace('if "--scratch" in sys.argv:\n    ds = ds.map(lambda x, y: (x / 255.0, y))\n', 'ds = ds.map(lambda x, y: (x / 255.0, y))\nif "--scratch" in sys.argv:\n');
    assert.deepEqual(await loud(effBefore), ['4:VTD002:warning']);
  });
});

describe('precision audit: one scaled array feeding a from-scratch CNN and a pretrained keras_hub model', () => {
  it('VTD002 (task predict) and VTD001 (backbone in a functional model) sit at this model\'s feed, the shared scaling related', async () => {
    const task = await lintText(r_notebook_like);
    assert.deepEqual(show(task), ['13:VTD002:warning']);
    assert.deepEqual(task[0]!.related.filter((r) => /shared with another model/.test(r.message)).map((r) => r.range.start.line + 1), [6]);
    assert.deepEqual(await lint(r3), ['15:VTD001:warning']);
  });

  it('twin: without the CNN the scaling itself is the anchor', async () => {
    const alone = r3.replace('cnn.fit(x_scaled, y)\n', '');
    assert.deepEqual(await lint(alone), ['6:VTD001:warning']);
  });
});

describe('precision audit: VTD007 on a compile() the flow cannot trace', () => {
  it('a transformers model compiled at 1e-3 in a file whose only keras_hub model is a task: information, not a warning', async () => {
    assert.deepEqual(await lint(c2), ['7:VTD007:information']);
  });

  it('the same compile before the task is built cannot train it: silent', async () => {
    assert.deepEqual(await lint(c1), []);
  });

  it('twin: the task itself compiled at 1e-3 is a warning', async () => {
    const own = c2.replace('hf.compile(', 'task.compile(');
    assert.deepEqual((await loud(own)).filter((k) => k.includes('VTD007')), ['7:VTD007:warning']);
  });
});

describe('precision audit: VTD006 with one class count and several models', () => {
  it('a binary Sequential beside a 5-class task: information naming the count not read on its path', async () => {
    assert.deepEqual(await lint(u_heads_mixed), ['19:VTD006:information']);
  });

  it('twin: the same 1-unit head compiled in a file with only that model is a warning', async () => {
    const only = 'import tensorflow as tf\nNUM_CLASSES = 5\nbinary = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1, activation="sigmoid")])\nbinary.compile(optimizer="adam", loss="binary_crossentropy")\n';
    assert.deepEqual(await lint(only), ['3:VTD006:warning']);
  });
});

describe('precision audit: several models per file, silent where each model gets what it needs', () => {
  it('a from-scratch CNN on /255, a frozen keras_hub task on raw pixels, MobileNetV2 on its preprocess_input, all named model', async () => {
    assert.deepEqual(await lint(a_rebuild), []);
    // the /255 map also feeds the from-scratch CNN it is right for: reported at the MobileNetV2 model's fit (batch 16 class B)
    assert.deepEqual(await loud(a_rebuild.replace('model.fit(prep)', 'model.fit(scaled)')), ['21:VTD001:warning']);
  });

  it('TF Hub feature vector, weights=None ResNet50, load_model .h5/.keras, include_top EfficientNetB0 on /255 data', async () => {
    assert.deepEqual(await lint(b_hub_models), []);
    // the /255 map also feeds the TF Hub model it is right for: reported at the ResNet50 model's fit (batch 16 class B)
    assert.deepEqual(await loud(b_hub_models.replace('weights=None', 'weights="imagenet"')), ['13:VTD001:warning']);
  });

  it('vit_keras, transformers and timm ViTs on /255 data', async () => {
    assert.deepEqual(await lint(c_vitkeras), []);
    const withTask = `${c_vitkeras}import keras_hub\ntask = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=5)\ntask.fit(train)\n`;
    assert.deepEqual(await loud(withTask), ['17:VTD002:warning']);
  });

  it('one builder called with weights=None and "imagenet", a scaling helper for the scratch one, a task on data from an imported module', async () => {
    assert.deepEqual(await lint(e_helpers), []);
    assert.deepEqual(await loud(e_helpers.replace('ds2 = make_dataset("d2")', 'ds2 = scale(raw)')), ['16:VTD002:warning']);
  });

  it('notebook-style sections rebinding model and base_model: scratch on rescale=1/255, VGG16 on its own generator, ResNet50 from scratch, a loaded .h5', async () => {
    assert.deepEqual(await lint(q_sections), []);
    // the rescale=1/255 generator also feeds the from-scratch model: reported at the VGG16 model's fit (batch 16 class B)
    assert.deepEqual(await loud(q_sections.replace('model.fit(train2)', 'model.fit(train)')), ['18:VTD001:warning']);
  });

  it('learning rate, image size, preset and class count from argparse/config; a compile helper called frozen at 1e-3 and unfrozen at 1e-5', async () => {
    assert.deepEqual(await lint(d_args), []);
    assert.deepEqual(await lint(j_compile_helper), []);
    assert.deepEqual((await loud(d_args.replace('Adam(args.lr)', 'Adam(1e-3)'))).filter((k) => k.includes('VTD007')), ['16:VTD007:warning']);
  });
});

describe('precision audit: a scaling in a helper branch that no call of the helper runs', () => {
  const helper = `import tensorflow as tf
def load_and_prep_image(filename, img_shape=224, scale=False):
    img = tf.image.resize(tf.image.decode_jpeg(tf.io.read_file(filename)), [img_shape, img_shape])
    if scale:
        return img / 255.
    else:
        return img
base = tf.keras.applications.EfficientNetB0(include_top=False, pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(10, activation="softmax")])
pizza = load_and_prep_image("pizza.jpeg")
model.predict(tf.expand_dims(pizza, axis=0))
`;
  const hub = `import keras
import keras_hub
def load(path, scale=False):
    img = keras.utils.img_to_array(keras.utils.load_img(path, target_size=(224, 224)))
    if scale:
        img = img / 255.0
    return img
task = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=3)
task.predict(load("a.jpg")[None])
`;

  it('EfficientNetB0 (keras.applications) and a keras_hub task fed a helper called with scale left False: silent', async () => {
    assert.deepEqual(await lint(helper), []);
    assert.deepEqual(await lint(hub), []);
  });

  it('twins: the same helpers called with scale=True are found', async () => {
    assert.deepEqual(await loud(helper.replace('load_and_prep_image("pizza.jpeg")', 'load_and_prep_image("pizza.jpeg", scale=True)')), ['5:VTD002:warning']);
    assert.deepEqual(await loud(hub.replace('load("a.jpg")', 'load("a.jpg", scale=True)')), ['6:VTD002:warning']);
  });

  it('one call with scale=True among calls without it, or the helper passed as a value, keeps the step on the path', async () => {
    const mixed = helper.replace('model.predict(tf.expand_dims(pizza, axis=0))', 'model.predict(tf.expand_dims(pizza, axis=0))\nshown = load_and_prep_image("b.jpeg", scale=True)\nmodel.predict(shown[None])');
    assert.deepEqual(await loud(mixed), ['5:VTD002:warning']);
  });
});
