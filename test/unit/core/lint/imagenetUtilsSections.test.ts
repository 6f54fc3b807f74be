import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Batch 17 class FX4: ImageDataGenerator(preprocessing_function=imagenet_utils.preprocess_input) generators shared by
 * several sections of one script. The default mode is caffe (right for VGG16/VGG19/ResNet50, wrong for MobileNet);
 * `mode="tf"` (also bound by functools.partial) gives [-1, 1]. A helper building each model around its backbone
 * argument (`def head(base, n): ... return Model(base.input, out)`) builds one model per call.
 */
const vtd001 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001');
const lineOf = (text: string, snippet: string): number => text.split('\n').findIndex((l) => l.includes(snippet)) + 1;

const MODULE_SECTIONS = `from keras.preprocessing.image import ImageDataGenerator
from keras.applications import imagenet_utils
from keras.applications.vgg16 import VGG16
from keras.applications.mobilenet import MobileNet
from keras.layers import Dense, GlobalAveragePooling2D
from keras.models import Model

datagen = ImageDataGenerator(preprocessing_function=imagenet_utils.preprocess_input)
train_batches = datagen.flow_from_directory("train", target_size=(224, 224), batch_size=16)
base = VGG16(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
model = Model(inputs=base.input, outputs=Dense(3, activation="softmax")(GlobalAveragePooling2D()(base.output)))
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(train_batches, epochs=3)
mobile = MobileNet(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
model2 = Model(inputs=mobile.input, outputs=Dense(3, activation="softmax")(GlobalAveragePooling2D()(mobile.output)))
model2.compile(optimizer="adam", loss="categorical_crossentropy")
model2.fit(train_batches, epochs=3)
`;

const helperScript = (prep: string, importLine = 'from tensorflow.keras.applications import imagenet_utils'): string => `import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator
${importLine}
from tensorflow.keras.applications import VGG16, VGG19, ResNet50, MobileNet
from tensorflow.keras import layers, models

train_gen = ImageDataGenerator(preprocessing_function=${prep}, horizontal_flip=True)
valid_gen = ImageDataGenerator(preprocessing_function=${prep})
train = train_gen.flow_from_directory("data/train", target_size=(224, 224), batch_size=32)
valid = valid_gen.flow_from_directory("data/valid", target_size=(224, 224), batch_size=32)


def head(base, n):
    base.trainable = False
    x = layers.GlobalAveragePooling2D()(base.output)
    out = layers.Dense(n, activation="softmax")(x)
    return models.Model(base.input, out)


def main():
    vgg = head(VGG16(weights="imagenet", include_top=False, input_shape=(224, 224, 3)), 5)
    vgg.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    vgg.fit(train, validation_data=valid, epochs=5)

    vgg19 = head(VGG19(weights="imagenet", include_top=False, input_shape=(224, 224, 3)), 5)
    vgg19.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    vgg19.fit(train, validation_data=valid, epochs=5)

    res = head(ResNet50(weights="imagenet", include_top=False, input_shape=(224, 224, 3)), 5)
    res.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    res.fit(train, validation_data=valid, epochs=5)

    mob = head(MobileNet(weights="imagenet", include_top=False, input_shape=(224, 224, 3)), 5)
    mob.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    mob.fit(train, validation_data=valid, epochs=5)


if __name__ == "__main__":
    main()
`;

describe('batch 17 class FX4: imagenet_utils generators shared by the sections of one script', () => {
  it('a helper builds each model: the MobileNet fed the caffe-mode generators is the shared-data warning at its fit', async () => {
    const text = helperScript('imagenet_utils.preprocess_input');
    const f = await vtd001(text);
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /^Wrong input scale for MobileNet .*imagenet_utils\.preprocess_input applies caffe-mode preprocessing .*expects \[-1, 1\].*The same data feeds another model: apply keras\.applications\.mobilenet\.preprocess_input/);
    assert.equal(f[0]!.range.start.line + 1, lineOf(text, 'mob.fit('));
    const related = f[0]!.related.map((r) => `${r.message}@${r.range.start.line + 1}`);
    assert.ok(related.includes(`scaling on the path of the data into the model@${lineOf(text, 'train_gen = ')}`), related.join('; '));
    assert.ok(related.includes(`MobileNet built here (pretrained weights)@${lineOf(text, 'mob = head(')}`), related.join('; '));
  });

  it('the same through `from ...imagenet_utils import preprocess_input` and keras.applications imports', async () => {
    const direct = helperScript('preprocess_input', 'from tensorflow.keras.applications.imagenet_utils import preprocess_input');
    assert.deepEqual((await vtd001(direct)).map((x) => x.range.start.line + 1), [lineOf(direct, 'mob.fit(')]);
    const keras = helperScript('imagenet_utils.preprocess_input', 'from keras.applications import imagenet_utils').replace('from tensorflow.keras.applications import VGG16', 'from keras.applications import VGG16');
    assert.deepEqual((await vtd001(keras)).map((x) => x.range.start.line + 1), [lineOf(keras, 'mob.fit(')]);
  });

  it('partial(imagenet_utils.preprocess_input, mode="tf") is [-1, 1]: right for the MobileNet, wrong for the caffe models', async () => {
    const text = helperScript('partial(imagenet_utils.preprocess_input, mode="tf")').replace('import tensorflow as tf', 'import tensorflow as tf\nfrom functools import partial');
    const f = await vtd001(text);
    assert.ok(f.length > 0 && f.every((x) => !/MobileNet/.test(x.message)), JSON.stringify(f.map((x) => x.message)));
    assert.match(f[0]!.message, /^Wrong input scale for VGG16 .*partial\(imagenet_utils\.preprocess_input, mode="tf"…? maps the pixels to \[-1, 1\]/);
    const torch = await vtd001(text.replace('mode="tf"', 'mode="torch"'));
    assert.ok(torch.length > 0 && torch.every((x) => /normalises the pixels with ImageNet mean\/std/.test(x.message)));
  });

  it('a mode read at run time is not judged (was taken for caffe)', async () => {
    const runTime = MODULE_SECTIONS.replace('preprocessing_function=imagenet_utils.preprocess_input', 'preprocessing_function=functools.partial(imagenet_utils.preprocess_input, mode=MODE)').replace('from keras.applications import imagenet_utils', 'import functools\nfrom keras.applications import imagenet_utils\nMODE = get_mode()');
    assert.match(runTime, /functools\.partial\(imagenet_utils\.preprocess_input, mode=MODE\)/);
    assert.deepEqual(await vtd001(runTime), []);
    const direct = MODULE_SECTIONS.replace('preprocessing_function=imagenet_utils.preprocess_input', 'preprocessing_function=lambda x: imagenet_utils.preprocess_input(x, mode=MODE)').replace('from keras.applications import imagenet_utils', 'from keras.applications import imagenet_utils\nMODE = get_mode()');
    assert.deepEqual(await vtd001(direct), []);
  });

  it('correct twins: the MobileNet on its own generators through the same helper; only caffe models on the shared ones', async () => {
    const own = helperScript('imagenet_utils.preprocess_input')
      .replace('from tensorflow.keras import layers, models', 'from tensorflow.keras import layers, models\nfrom tensorflow.keras.applications import mobilenet')
      .replace('valid = valid_gen.flow_from_directory("data/valid", target_size=(224, 224), batch_size=32)', 'valid = valid_gen.flow_from_directory("data/valid", target_size=(224, 224), batch_size=32)\nmob_gen = ImageDataGenerator(preprocessing_function=mobilenet.preprocess_input)\nmob_train = mob_gen.flow_from_directory("data/train", target_size=(224, 224), batch_size=32)\nmob_valid = mob_gen.flow_from_directory("data/valid", target_size=(224, 224), batch_size=32)')
      .replace('mob.fit(train, validation_data=valid, epochs=5)', 'mob.fit(mob_train, validation_data=mob_valid, epochs=5)');
    assert.deepEqual(await vtd001(own), []);
    const caffeOnly = helperScript('imagenet_utils.preprocess_input').replace(/\n {4}mob = head[\s\S]*?mob\.fit\(train, validation_data=valid, epochs=5\)\n/, '\n');
    assert.doesNotMatch(caffeOnly, /MobileNet\(/);
    assert.deepEqual(await vtd001(caffeOnly), []);
  });

  it('module-level sections without a helper, as before', async () => {
    const text = MODULE_SECTIONS;
    assert.deepEqual((await vtd001(text)).map((x) => x.range.start.line + 1), [17]);
  });
});
