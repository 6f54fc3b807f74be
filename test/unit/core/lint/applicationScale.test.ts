import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applicationContract } from '../../../../src/core/presets/applicationContracts';
import { applyEdits, lintText } from './lintHarness';

const fixture = (f: string): string => readFileSync(join(process.cwd(), 'test', 'fixtures', 'python', f), 'utf8');
const scaleFindings = async (text: string) => (await lintText(text)).filter((f) => f.code === 'VTD001' || f.code === 'VTD002');

describe('keras.applications input contracts (generated from keras / tf-keras releases)', () => {
  it('gives each family the contract its source states', () => {
    assert.equal(applicationContract('EfficientNetB0', null)?.kind, 'inside');
    assert.equal(applicationContract('EfficientNetV2S', null)?.kind, 'inside');
    assert.equal(applicationContract('ConvNeXtTiny', null)?.kind, 'inside');
    assert.equal(applicationContract('MobileNetV3Small', null)?.kind, 'inside');
    assert.equal(applicationContract('RegNetX002', null)?.kind, 'inside');
    assert.deepEqual(applicationContract('ResNet50', null), { kind: 'caffe', module: 'resnet' });
    assert.deepEqual(applicationContract('VGG16', null), { kind: 'caffe', module: 'vgg16' });
    assert.deepEqual(applicationContract('ResNet50V2', null), { kind: 'tf', module: 'resnet_v2' });
    assert.deepEqual(applicationContract('MobileNetV2', null), { kind: 'tf', module: 'mobilenet_v2' });
    assert.deepEqual(applicationContract('DenseNet121', null), { kind: 'torch', module: 'densenet' });
  });

  it('judges nothing with include_preprocessing=False or for an unknown name', () => {
    assert.equal(applicationContract('EfficientNetV2B0', false), null);
    assert.equal(applicationContract('ConvNeXtTiny', false), null);
    assert.equal(applicationContract('ResNetRS50', false), null);
    assert.equal(applicationContract('EfficientNetV2B0', true)?.kind, 'inside');
    assert.equal(applicationContract('ViTB16', null), null);
  });
});

describe('VTD001/VTD002 on keras.applications models', () => {
  it('removes the /255 before EfficientNet with a quick fix', async () => {
    const text = fixture('apps_efficientnet_div255.py');
    const [f] = await scaleFindings(text);
    assert.equal(f?.code, 'VTD002');
    assert.match(f!.message, /EfficientNetB0.*0–255 pixels/);
    const fixed = applyEdits(text, f!.fixes[0]!.edits);
    assert.match(fixed, /^x_train = x_train\.astype\("float32"\) {2}#/m);
    // the same scaling of the test data, related to the first finding, is the next one
    assert.deepEqual((await scaleFindings(fixed)).map((x) => `${x.range.start.line + 1}:${x.code}`), ['7:VTD002']);
  });

  it('replaces rescale=1./255 by the model module\'s preprocess_input for ResNet50', async () => {
    const text = fixture('apps_resnet50_datagen_rescale.py');
    const [f] = await scaleFindings(text);
    assert.equal(f?.code, 'VTD001');
    assert.match(f!.message, /ResNet50.*caffe/);
    const fixed = applyEdits(text, f!.fixes[0]!.edits);
    assert.match(fixed, /preprocessing_function=keras\.applications\.resnet\.preprocess_input/);
    assert.deepEqual(await scaleFindings(fixed), []);
  });

  it('anchors at the model call, without a fix, when the scaled data also feeds another model', async () => {
    const fs = await scaleFindings(fixture('apps_two_models_shared_div255.py'));
    assert.deepEqual(fs.map((f) => `${f.range.start.line + 1}:${f.code}`), ['8:VTD002', '26:VTD001']);
    for (const f of fs) assert.equal(f.fixes.filter((x) => !/Ignore/.test(x.title)).length, 0);
  });

  it('says an absence of any mapping as information only', async () => {
    const fs = await scaleFindings(fixture('apps_resnet50v2_no_preprocess.py'));
    assert.deepEqual(fs.map((f) => f.severity), ['information']);
  });

  it('stays silent for weights from a variable or a file, and for a preprocess_input passed by an aliased import', async () => {
    const base = (weights: string): string => `import keras\nW = None\nx = keras.utils.image_dataset_from_directory("t")\nx = x.map(lambda a, b: (a / 255.0, b))\nm = keras.Sequential([keras.applications.MobileNetV2(weights=${weights}), keras.layers.Dense(2, activation="softmax")])\nm.compile(loss="sparse_categorical_crossentropy")\nm.fit(x)\n`;
    assert.deepEqual(await scaleFindings(base('W')), []);
    assert.deepEqual(await scaleFindings(base('"weights/best.h5"')), []);
    assert.equal((await scaleFindings(base('"imagenet"'))).length, 1);
    const aliased = `from tensorflow.keras.applications.mobilenet_v2 import preprocess_input as prep\nfrom tensorflow.keras.applications import MobileNetV2\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\ng = ImageDataGenerator(preprocessing_function=prep).flow_from_directory("t")\nb = MobileNetV2(include_top=False)\nb.fit(g)\n`;
    assert.deepEqual(await scaleFindings(aliased), []);
  });

  it('reads a re-imported preprocess_input as the import before its use (one notebook, one model per section)', async () => {
    const text = `from tensorflow.keras.applications.vgg16 import preprocess_input\nfrom tensorflow.keras.applications import VGG16, ResNet50\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\ng1 = ImageDataGenerator(preprocessing_function=preprocess_input).flow_from_directory("t")\nv = VGG16(include_top=False)\nv.fit(g1)\nfrom tensorflow.keras.applications.efficientnet import preprocess_input\ng2 = ImageDataGenerator(preprocessing_function=preprocess_input).flow_from_directory("t")\nr = ResNet50(include_top=False)\nr.fit(g2)\n`;
    const fs = await scaleFindings(text);
    // VGG16 gets vgg16's (caffe): silent; ResNet50 gets efficientnet's pass-through: raw pixels, said on line 8
    assert.deepEqual(fs.map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`), ['8:VTD001:warning']);
  });
});
