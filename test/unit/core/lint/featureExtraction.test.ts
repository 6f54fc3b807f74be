import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Batch 17 class FX1: a pretrained base computes features (`base.predict(x)`, `base(x)`, `predict_generator`, a loop
 * filling arrays) and a small head is fit on those features. The head takes features, not pixels: it does not share
 * the pixel scaling with the base, so the wrong-scale warning sits at the scaling, not at the base's predict call.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const warnings = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => (f.code === 'VTD001' || f.code === 'VTD002') && f.severity !== 'information');
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const imports = `import numpy as np
from tensorflow import keras
from tensorflow.keras.applications import VGG16, MobileNetV2
from tensorflow.keras.applications.vgg16 import preprocess_input
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, MaxPooling2D, Flatten, Dense
from tensorflow.keras.preprocessing.image import ImageDataGenerator, load_img, img_to_array
`;
const head = `head = Sequential([Flatten(input_shape=(4, 4, 512)), Dense(256, activation="relu"), Dense(2, activation="softmax")])
head.compile(loss="categorical_crossentropy", optimizer="adam")
`;

/** Features from a rescale=1./255 generator through predict_generator; the head is fit on them. */
const generatorFeatures = `${imports}datagen = ImageDataGenerator(rescale=1./255)
gen = datagen.flow_from_directory("data/train", target_size=(150, 150), batch_size=20, shuffle=False)
base = VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
features = base.predict_generator(gen)
labels = gen.classes
${head}head.fit(features, labels, epochs=10)
`;

/** The classic loop: for xb, yb in generator, conv_base.predict(xb) fills an array. */
const loopFeatures = `${imports}datagen = ImageDataGenerator(rescale=1./255)
conv_base = VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3))

def extract(directory, count):
    features = np.zeros(shape=(count, 4, 4, 512))
    labels = np.zeros(shape=(count, 2))
    gen = datagen.flow_from_directory(directory, target_size=(150, 150), batch_size=20)
    i = 0
    for xb, yb in gen:
        f = conv_base.predict(xb)
        features[i * 20 : (i + 1) * 20] = f
        labels[i * 20 : (i + 1) * 20] = yb
        i += 1
        if i * 20 >= count:
            break
    return features, labels

train_features, train_labels = extract("data/train", 2000)
${head}head.fit(train_features, train_labels, epochs=30)
`;

/** The features wrapped: np.array(base.predict(gen)).reshape(...). */
const wrappedFeatures = generatorFeatures.replace('features = base.predict_generator(gen)', 'features = np.array(base.predict(gen)).reshape(-1, 4, 4, 512)');

/** The same loop at module level. */
const moduleLoop = `${imports}datagen = ImageDataGenerator(rescale=1./255)
conv_base = VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
features = np.zeros(shape=(2000, 4, 4, 512))
labels = np.zeros(shape=(2000, 2))
gen = datagen.flow_from_directory("data/train", target_size=(150, 150), batch_size=20)
i = 0
for xb, yb in gen:
    features[i * 20 : (i + 1) * 20] = conv_base.predict(xb)
    labels[i * 20 : (i + 1) * 20] = yb
    i += 1
    if i * 20 >= 2000:
        break
${head}head.fit(features, labels, epochs=30)
`;

/** Single images scaled by / 255.0, features by calling the base; a functional head predicts on them. */
const callFeatures = `${imports}base = MobileNetV2(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
images = np.array([img_to_array(load_img(p, target_size=(224, 224))) / 255.0 for p in ["a.jpg", "b.jpg"]])
features = base(images)
inp = keras.Input(shape=(7, 7, 1280))
out = Dense(2, activation="softmax")(Flatten()(inp))
clf = keras.Model(inp, out)
clf.compile(loss="categorical_crossentropy", optimizer="adam")
clf.fit(features, np.array([0, 1]), epochs=5)
clf.predict(base(images))
`;

/** Correct twin: a from-scratch CNN really takes the same /255 generator as VGG16 (anchored at VGG16's fit, as before). */
const sharedPixels = `${imports}datagen = ImageDataGenerator(rescale=1./255)
gen = datagen.flow_from_directory("data/train", target_size=(150, 150))
cnn = Sequential([Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3)), MaxPooling2D(2, 2), Flatten(), Dense(2, activation="softmax")])
cnn.compile(loss="categorical_crossentropy", optimizer="adam")
cnn.fit(gen, epochs=10)
base = VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
model = Sequential([base, Flatten(), Dense(2, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(gen, epochs=10)
`;

describe('feature extraction: a head fit on a base model\'s outputs takes no pixels (batch 17 class FX1)', () => {
  for (const [name, text, scaling, extractor] of [
    ['predict_generator on a rescale generator', generatorFeatures, 'rescale=1./255', 'base.predict_generator(gen)'],
    ['a loop filling arrays with conv_base.predict(xb)', loopFeatures, 'rescale=1./255', 'conv_base.predict(xb)'],
    ['np.array(base.predict(gen)).reshape(...)', wrappedFeatures, 'rescale=1./255', 'base.predict(gen)'],
    ['the loop at module level', moduleLoop, 'rescale=1./255', 'conv_base.predict(xb)'],
    ['base(images) on img_to_array(...) / 255.0', callFeatures, '/ 255.0', 'features = base(images)'],
  ] as const) {
    it(`${name}: the warning is at the scaling, the head is not "another model on the same data"`, async () => {
      const found = await warnings(text);
      assert.equal(found.length, 1, found.map((f) => `${line(f.range)} ${f.message}`).join('\n'));
      const f = found[0]!;
      assert.equal(f.code, 'VTD001');
      assert.equal(line(f.range), lineOf(text, scaling));
      assert.doesNotMatch(f.message, /same data feeds another model/);
      assert.ok(line(f.range) !== lineOf(text, extractor));
    });
  }

  it('correct twin: features from preprocess_input pixels: silent', async () => {
    const text = generatorFeatures.replace('ImageDataGenerator(rescale=1./255)', 'ImageDataGenerator(preprocessing_function=preprocess_input)');
    assert.deepEqual(await warnings(text), []);
    const loop = loopFeatures.replace('ImageDataGenerator(rescale=1./255)', 'ImageDataGenerator(preprocessing_function=preprocess_input)');
    assert.deepEqual(await warnings(loop), []);
  });

  it('correct twin: a from-scratch CNN fed the same /255 generator keeps the warning at the VGG16 model\'s fit', async () => {
    const found = await warnings(sharedPixels);
    assert.equal(found.length, 1, found.map((f) => `${line(f.range)} ${f.message}`).join('\n'));
    assert.equal(line(found[0]!.range), lineOf(sharedPixels, 'model.fit(gen'));
    assert.match(found[0]!.message, /same data feeds another model/);
  });
});
