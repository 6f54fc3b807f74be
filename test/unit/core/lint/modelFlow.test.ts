import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KerasValues } from '../../../../src/core/lint/kerasValues';
import { ModelFlow } from '../../../../src/core/lint/modelFlow';
import { PythonModel } from '../../../../src/core/lint/pythonModel';
import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';
import { lintText } from './lintHarness';

const fixture = (f: string): string => readFileSync(join(process.cwd(), 'test', 'fixtures', 'python', f), 'utf8');
const warnings = async (text: string): Promise<string[]> => (await lintText(text)).filter((f) => f.severity !== 'information').map((f) => `${f.range.start.line + 1}:${f.code}`).sort();

async function flowOf(text: string): Promise<{ flow: ModelFlow; values: KerasValues; text: string }> {
  const model = new PythonModel(parsePython(await getPythonParser(), text));
  const values = new KerasValues(model);
  return { flow: new ModelFlow(model, values), values, text };
}

const TWO_MODELS = `import keras
import keras_hub
import tensorflow as tf


def scale(image, label):
    return tf.cast(image, tf.float32) / 255.0, label


train = keras.utils.image_dataset_from_directory("train", image_size=(224, 224))
cnn = keras.Sequential([keras.Input(shape=(224, 224, 3)), keras.layers.Conv2D(8, 3), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(4)])
cnn.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
cnn.fit(train.map(scale), epochs=1)

backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
vit = keras.Model(inputs, keras.layers.Dense(4)(backbone(inputs)[:, 0, :]))
vit.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
vit.fit(train.map(scale), epochs=1)
`;

describe('model flow: which data reaches which model', () => {
  it('finds each model, the keras_hub values inside it, and the calls that feed it', async () => {
    const { flow, values } = await flowOf(TWO_MODELS);
    const kinds = flow.models.map((m) => `${m.kind}:${m.hub.map((h) => h.className).join('+')}`);
    assert.deepEqual(kinds.sort(), ['functional:ViTBackbone', 'hub:ViTBackbone', 'sequential:'].sort());
    const feeds = flow.feeds().map((f) => `${f.method}->${f.target.kind}`);
    assert.deepEqual(feeds.sort(), ['__call__->hub', 'fit->functional', 'fit->sequential'].sort());
    const vit = values.ofKind('backbone')[0]!;
    const path = flow.pathOf(vit);
    assert.equal(path.fedWithData(), true);
    assert.deepEqual(path.missing, []);
    assert.deepEqual(path.feeds.map((f) => f.method).sort(), ['__call__', 'fit']);
  });

  it('a name rebound in a later cell is the model bound at that point', async () => {
    const { flow } = await flowOf('import keras\nimport keras_hub\nmodel = keras.Sequential([keras.layers.Dense(2)])\nmodel.fit(a)\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\ni = keras.Input(shape=(224, 224, 3))\nmodel = keras.Model(i, b(i))\nmodel.fit(c)\n');
    assert.deepEqual(flow.feeds().filter((f) => f.method === 'fit').map((f) => `${f.data?.text}:${f.target.kind}:${f.target.hub.length}`), ['a:sequential:0', 'c:functional:1']);
  });

  it('loop variables and helper bodies are on the path; a helper from another module is a missing link', async () => {
    const { flow, values, text } = await flowOf('import keras_hub\nfrom my_data import batches\nMEAN = 0.5\n\ndef norm(x):\n    return x - MEAN\n\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\nfor x in batches():\n    f = b(norm(x))\n');
    const b = values.ofKind('backbone')[0]!;
    const path = flow.pathOf(b);
    assert.match(path.missing.join(), /batches comes from my_data/);
    const mean = text.indexOf('MEAN = 0.5');
    assert.ok(path.ranges.some((r) => r.start <= mean && mean < r.end), 'the constant a helper reads is on the path');
  });
});

describe('several models in one program: evidence of one model is never another backbone’s', () => {
  it('a teaching notebook (digits convnet from scratch, then a pretrained backbone with its converter) gets no finding', async () => {
    assert.deepEqual(await lintText(fixture('notebook_scratch_then_pretrained.py')), []);
  });

  it('a helper shared by a from-scratch CNN and the ViT is reported where the ViT is fed, with the chain', async () => {
    const fs = (await lintText(TWO_MODELS)).filter((f) => f.code === 'VTD001');
    assert.equal(fs.length, 1);
    const f = fs[0]!;
    assert.equal(f.severity, 'warning');
    assert.equal(f.range.start.line + 1, 19, 'anchored at vit.fit(train.map(scale)), not inside the helper');
    assert.deepEqual(f.related.map((r) => `${r.range.start.line + 1}:${r.message.split(' ').slice(-2).join(' ')}`), ['15:built here', '17:called here', '19:trained here', '7:the helper']);
  });

  it('the learning rate and loss of a model rebuilt in a later cell are judged on that model only', async () => {
    const text = `import keras
import keras_hub

# In[1]:
model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(10)])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))

# In[2]:
backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
converter = keras_hub.layers.ViTImageConverter.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(5)(backbone(converter(inputs))[:, 0, :]))
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
`;
    assert.deepEqual(await warnings(text), ['13:VTD005', '13:VTD007']);
  });

  it('a /255 that reaches no model is silent when the file builds several models', async () => {
    const text = fixture('notebook_scratch_then_pretrained.py').replace('x_test = x_test.astype("float32") / 255', 'x_val = raw_val / 255');
    assert.deepEqual(await lintText(text), []);
  });

  it('a link through another module makes a stray mapping information, naming the link', async () => {
    const text = `import keras
import keras_hub
from data_utils import make_dataset

raw = keras.utils.load_img("cat.jpg")
preview = keras.utils.img_to_array(raw) / 255.0
ds = make_dataset("train")
backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(2)(backbone(inputs)[:, 0, :]))
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds, epochs=1)
`;
    const fs = await lintText(text);
    assert.deepEqual(fs.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`), ['6:VTD001:information']);
    assert.match(fs[0]!.message, /make_dataset comes from data_utils/);
  });
});

describe('head and loss: decided from the head of the model compiled', () => {
  it('from_logits set in another cell, and a softmax baseline beside a logits task', async () => {
    const text = `import keras
import keras_hub

# In[1]:
FROM_LOGITS = True
NUM_CLASSES = 3

# In[2]:
classifier = keras_hub.models.ImageClassifier.from_preset("vit_base_patch16_224_imagenet", num_classes=NUM_CLASSES)
classifier.compile(optimizer=keras.optimizers.Adam(5e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=FROM_LOGITS))

# In[3]:
baseline = keras.Sequential([keras.Input(shape=(224, 224, 3)), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(NUM_CLASSES, activation="softmax")])
baseline.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
`;
    assert.deepEqual(await warnings(text), []);
  });

  it("a task's default head (logits) with a probability loss is reported; the softmax Sequential beside it is not", async () => {
    const text = `import keras
import keras_hub

classifier = keras_hub.models.ImageClassifier.from_preset("vit_base_patch16_224_imagenet", num_classes=3)
classifier.compile(optimizer=keras.optimizers.Adam(5e-5), loss="sparse_categorical_crossentropy")
head = keras.Sequential([keras.Input(shape=(768,)), keras.layers.Dense(3, activation="softmax")])
head.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
`;
    assert.deepEqual(await warnings(text), ['5:VTD005']);
  });

  it('a head activation read from a variable of another cell', async () => {
    const text = 'import keras\nimport keras_hub\nACT = "softmax"\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\ni = keras.Input(shape=(224, 224, 3))\nm = keras.Model(i, keras.layers.Dense(3, activation=ACT)(b(i)[:, 0, :]))\nm.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n';
    assert.deepEqual((await warnings(text)).filter((c) => c.endsWith('VTD005')), ['7:VTD005']);
  });
});

describe('labels, sizes: judged on the data fed to the model that holds the backbone', () => {
  const BASELINE_AND_TASK = `import keras
import keras_hub

NUM_CLASSES = 5
small = keras.utils.image_dataset_from_directory("flowers", image_size=(180, 180), label_mode="categorical")
cnn = keras.Sequential([keras.Input(shape=(180, 180, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(NUM_CLASSES)])
cnn.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
cnn.fit(small, epochs=3)

big = keras.utils.image_dataset_from_directory("flowers", image_size=(224, 224))
classifier = keras_hub.models.ImageClassifier.from_preset("vit_base_patch16_224_imagenet", num_classes=NUM_CLASSES)
classifier.compile(optimizer=keras.optimizers.Adam(5e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
classifier.fit(big, epochs=3)
`;

  it("a baseline's 180×180 one-hot data set says nothing about the task's loss or size", async () => {
    assert.deepEqual(await lintText(BASELINE_AND_TASK), []);
  });

  it('the same defects on the data the task is trained on are reported', async () => {
    const text = BASELINE_AND_TASK.replace('"flowers", image_size=(224, 224))', '"flowers", image_size=(160, 160), label_mode="categorical")');
    assert.deepEqual(await warnings(text), ['12:VTD006']); // 160×160 is fine: the task's preprocessor resizes
  });

  it('a head whose units differ from NUM_CLASSES is judged on the model compiled, not on the last Dense of the file', async () => {
    const text = BASELINE_AND_TASK.replace('keras.layers.Dense(NUM_CLASSES)])', 'keras.layers.Dense(NUM_CLASSES)])\nprobe = keras.layers.Dense(3)') + 'extra = keras.layers.Dense(7)\n';
    assert.deepEqual(await warnings(text), []);
  });
});

describe('anchors: where the code must change', () => {
  it('VTD007 sits on the compile() of the model holding the backbone (a KerasCV task around it), the rate from an earlier cell related', async () => {
    const text = `import keras
import keras_cv

# In[1]:
LEARNING_RATE = 0.008

# In[2]:
backbone = keras_cv.models.ResNet50Backbone.from_preset("resnet50_imagenet")
model = keras_cv.models.RetinaNet(num_classes=3, bounding_box_format="xywh", backbone=backbone)
model.compile(
    classification_loss="focal",
    box_loss="smoothl1",
    optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
)
`;
    const fs = (await lintText(text)).filter((f) => f.code === 'VTD007');
    assert.deepEqual(fs.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['10:warning']);
    assert.ok(fs[0]!.related.some((r) => r.message === 'learning rate set here' && r.range.start.line + 1 === 13));
  });
});
