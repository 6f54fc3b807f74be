import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const fixture = (f: string): string => readFileSync(join(process.cwd(), 'test', 'fixtures', 'python', f), 'utf8');
const scale = async (text: string) => (await lintText(text)).filter((f) => f.code === 'VTD001' || f.code === 'VTD002');
const at = (r: { start: { line: number } }): number => r.start.line + 1;

describe('VTD002: a keras.applications model whose preprocessing is applied twice', () => {
  it('finds preprocess_input in a loader helper, a list filled by append, then / 255: at the / 255, the helper related', async () => {
    const [f, ...rest] = await scale(fixture('apps_stacked_helper_then_div255.py'));
    assert.equal(rest.length, 0);
    assert.equal(f?.code, 'VTD002');
    assert.equal(f!.severity, 'warning');
    assert.equal(at(f!.range), 20);
    assert.match(f!.message, /applied twice for VGG16.*preprocess_input\(x\) already applied caffe-mode/);
    assert.deepEqual(f!.related.map((r) => `${at(r.range)}:${r.message}`), ['11:the earlier step', '17:the helper with the earlier step is applied here', '21:VGG16 built here (pretrained weights)']);
  });

  it('finds a second module\'s preprocess_input mapped over data already mapped through the first: where its helper is applied to the mapped data (the own mapping is right by itself)', async () => {
    const fs = await scale(fixture('apps_stacked_two_modules.py'));
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.code}:${f.severity}`), ['24:VTD002:warning']);
    assert.match(fs[0]!.message, /ResNet50.*vgg16\.preprocess_input.*caffe-mode preprocessing again/);
    assert.deepEqual(fs[0]!.related.slice(0, 3).map((r) => `${at(r.range)}:${r.message}`), ['9:the earlier step', '12:the helper with the earlier step is applied here', '21:this step inside the helper']);
  });

  it('a wrong later step inside a helper applied to train and validation data of the same model is anchored at the step', async () => {
    const text = `import keras
from keras.applications.resnet50 import preprocess_input
train_ds = keras.utils.image_dataset_from_directory("data/train", image_size=(224, 224))
val_ds = keras.utils.image_dataset_from_directory("data/val", image_size=(224, 224))
def prep(images, labels):
    return preprocess_input(images), labels
def scale(images, labels):
    return images / 255.0, labels
train_ds = train_ds.map(prep).map(scale)
val_ds = val_ds.map(prep).map(scale)
base = keras.applications.ResNet50(weights="imagenet", include_top=False, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(2, activation="softmax")])
model.fit(train_ds, validation_data=val_ds)
`;
    const fs = await scale(text);
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.code}`), ['8:VTD002']);
    assert.deepEqual(fs[0]!.related.filter((r) => /helper with this step/.test(r.message)).map((r) => at(r.range)), [9]);
  });

  it('finds rescale= next to preprocessing_function= (Keras applies the function first)', async () => {
    const fs = await scale(fixture('apps_stacked_datagen_rescale.py'));
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.code}`), ['8:VTD002']);
  });

  it('says nothing for alternatives, pixels scaled back to 0-255, data loaded again, or imported code between', async () => {
    assert.deepEqual(await scale(fixture('apps_stacked_not_stacked.py')), []);
  });

  it('reports each stacked pair once, at its second step (train and test data each mapped twice)', async () => {
    const text = `import numpy as np\nimport keras\nfrom keras.applications.resnet50 import preprocess_input\nx_train = preprocess_input(np.load("a.npy"))\nx_test = preprocess_input(np.load("b.npy"))\nx_train = x_train / 255.0\nx_test = x_test / 255.0\nbase = keras.applications.ResNet50(weights="imagenet", include_top=False, pooling="avg")\nmodel = keras.Sequential([base, keras.layers.Dense(2, activation="softmax")])\nmodel.fit(x_train)\nmodel.evaluate(x_test)\n`;
    const fs = await scale(text);
    assert.equal(fs.length, 2);
    assert.deepEqual(fs.map((f) => at(f.range)), [6, 7]);
  });

  it('is silent when the only preprocess_input on the path is another model\'s and nothing stacks on the own one', async () => {
    const text = `import keras\nfrom keras.applications.resnet50 import preprocess_input\nx = preprocess_input(keras.utils.load_img("a.jpg"))\nbase = keras.applications.ResNet50(weights="imagenet")\nbase.predict(x)\n`;
    assert.deepEqual(await scale(text), []);
  });
});
