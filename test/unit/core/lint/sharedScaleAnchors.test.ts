import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Batch 16 classes B and C (keras.applications): a wrong scaling shared by a from-scratch model and the pretrained one
 * is reported at the pretrained model's input (its first fit/predict/evaluate fed that data), unless another wrong
 * scaling feeds only that model; a plot-only generator whose class_indices name the test generator's classes is not on
 * the model's path at all.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const warnings = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => (f.code === 'VTD001' || f.code === 'VTD002') && f.severity !== 'information');
const lineOf = (text: string, needle: string, from = 0): number => text.split('\n').findIndex((l, i) => i >= from && l.includes(needle)) + 1;
const relatedLines = (f: LintFinding): number[] => f.related.map((r) => line(r.range));

const imports = `import tensorflow as tf
from tensorflow.keras.applications import VGG16, EfficientNetB0
from tensorflow.keras.applications.vgg16 import preprocess_input
from tensorflow.keras.models import Sequential, Model
from tensorflow.keras.layers import Conv2D, MaxPooling2D, Flatten, Dense, GlobalAveragePooling2D
from tensorflow.keras.preprocessing.image import ImageDataGenerator
import matplotlib.pyplot as plt
`;
const cnn = `cnn = Sequential([Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3)), MaxPooling2D(2, 2), Flatten(), Dense(1, activation="sigmoid")])
cnn.compile(loss="binary_crossentropy", optimizer="adam")
`;
const vgg = `vgg_base = VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
vgg_base.trainable = False
x = GlobalAveragePooling2D()(vgg_base.output)
vgg_model = Model(inputs=vgg_base.input, outputs=Dense(1, activation="sigmoid")(x))
vgg_model.compile(loss="binary_crossentropy", optimizer="adam")
`;

/** snsamia's shape: one rescale=1./255 generator pair feeds a from-scratch CNN, then a frozen VGG16. */
const sharedWithCnn = `${imports}train_datagen = ImageDataGenerator(rescale=1./255, horizontal_flip=True)
val_datagen = ImageDataGenerator(rescale=1./255)
train_generator = train_datagen.flow_from_directory("data/train", target_size=(150, 150), class_mode="binary")
val_generator = val_datagen.flow_from_directory("data/val", target_size=(150, 150), class_mode="binary")
${cnn}cnn.fit(train_generator, validation_data=val_generator, epochs=10)
cnn.predict(val_generator)
${vgg}vgg_history = vgg_model.fit(train_generator, validation_data=val_generator, epochs=10)
vgg_model.predict(val_generator)
`;

/** The correct twin: the CNN keeps its /255, the VGG16 gets generators with its own preprocess_input. */
const ownGenerators = sharedWithCnn.replace('vgg_history = vgg_model.fit(train_generator, validation_data=val_generator, epochs=10)\nvgg_model.predict(val_generator)', `vgg_datagen = ImageDataGenerator(preprocessing_function=preprocess_input)
vgg_train = vgg_datagen.flow_from_directory("data/train", target_size=(150, 150), class_mode="binary")
vgg_model.fit(vgg_train, epochs=10)`);

/** dogsvscats' shape: the test generator is shared with the CNN, but the VGG16 is trained on its own /255 generator. */
const ownWrongStep = `${imports}datagen = ImageDataGenerator(rescale=1./255)
train_generator = datagen.flow_from_directory("data/train", target_size=(150, 150), class_mode="binary")
${cnn}cnn.fit(train_generator, epochs=10)
test_set = datagen.flow_from_directory("data/test", target_size=(150, 150), class_mode="binary")
${vgg}vgg_datagen = ImageDataGenerator(rescale=1./255, zoom_range=0.2)
vgg_train = vgg_datagen.flow_from_directory("data/train", target_size=(150, 150), class_mode="binary")
vgg_model.fit(vgg_train, epochs=30)
vgg_model.evaluate(test_set)
`;

/** Two frozen VGG16s on the same /255 generator: the scaling is wrong for both, so it is the place to fix. */
const twoPretrained = `${imports}datagen = ImageDataGenerator(rescale=1./255)
train_generator = datagen.flow_from_directory("data/train", target_size=(150, 150), class_mode="binary")
vgg_a = Sequential([VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3), pooling="avg"), Dense(1, activation="sigmoid")])
vgg_b = Sequential([VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3), pooling="avg"), Dense(1, activation="sigmoid")])
for m in [vgg_a, vgg_b]:
    m.compile(loss="binary_crossentropy", optimizer="adam")
vgg_a.fit(train_generator, epochs=5)
vgg_b.fit(train_generator, epochs=5)
`;

describe('a wrong scaling shared with a from-scratch model (batch 16 class B)', () => {
  it('reports at the pretrained model\'s first fit fed that data, the scaling related, no quick fix', async () => {
    const fs = await warnings(sharedWithCnn);
    assert.equal(fs.length, 1, fs.map((f) => f.message).join('\n'));
    const f = fs[0]!;
    assert.equal(f.code, 'VTD001');
    assert.equal(line(f.range), lineOf(sharedWithCnn, 'vgg_history = vgg_model.fit('));
    assert.match(f.message, /The same data feeds another model: apply keras\.applications\.vgg16\.preprocess_input/);
    assert.ok(relatedLines(f).includes(lineOf(sharedWithCnn, 'train_datagen = ImageDataGenerator(rescale')), 'the shared scaling is a related location');
    assert.ok(relatedLines(f).includes(lineOf(sharedWithCnn, 'vgg_base = VGG16(')), 'built here');
    assert.deepEqual(f.fixes.filter((x) => !x.title.startsWith('Ignore')), []);
  });

  it('is silent when the pretrained model gets its own preprocess_input generators', async () => {
    assert.deepEqual(await warnings(ownGenerators), []);
  });

  it('prefers a wrong scaling that feeds only the pretrained model, with its quick fix', async () => {
    const fs = await warnings(ownWrongStep);
    assert.equal(fs.length, 1, fs.map((f) => f.message).join('\n'));
    const f = fs[0]!;
    assert.equal(line(f.range), lineOf(ownWrongStep, 'vgg_datagen = ImageDataGenerator(rescale'));
    assert.doesNotMatch(f.message, /feeds another model/);
    assert.ok(relatedLines(f).includes(lineOf(ownWrongStep, 'datagen = ImageDataGenerator(rescale')), 'the shared scaling is related');
    assert.match(f.fixes[0]?.title ?? '', /preprocessing_function=.*vgg16\.preprocess_input/);
  });

  it('keeps the finding on the scaling when the other model is a second pretrained one it is also wrong for', async () => {
    const fs = await warnings(twoPretrained);
    assert.equal(fs.length, 1, fs.map((f) => f.message).join('\n'));
    assert.equal(line(fs[0]!.range), lineOf(twoPretrained, 'datagen = ImageDataGenerator(rescale'));
    assert.doesNotMatch(fs[0]!.message, /feeds another model/);
    assert.deepEqual(fs[0]!.fixes.filter((x) => !x.title.startsWith('Ignore')), [], 'the data feeds two models: no quick fix');
  });
});

/** walson6's shape: a plot-only generator names the classes of the test generator fed to a frozen EfficientNetB0. */
const plotNamesClasses = (testDatagen: string): string => `${imports}plot_datagen = ImageDataGenerator(rescale=1./255)
plot_generator = plot_datagen.flow_from_directory("data/images", target_size=(224, 224), batch_size=16)
images, labels = next(plot_generator)
class_names = list(plot_generator.class_indices.keys())
plt.imshow(images[0])
plt.show()
records = []
for rel in open("meta/test.txt"):
    c = rel.split("/")[0]
    if c not in class_names:
        continue
    records.append({"filename": "data/images/" + rel.strip() + ".jpg", "class": c})
test_data = ${testDatagen}
test_generator = test_data.flow_from_dataframe(dataframe=records, x_col="filename", y_col="class", classes=class_names, target_size=(224, 224), shuffle=False)
base_model = EfficientNetB0(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
base_model.trainable = False
model = Sequential([base_model, GlobalAveragePooling2D(), Dense(101, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
loss, accuracy = model.evaluate(test_generator)
`;

/** The same names read inside a helper that builds the test generator (the data frame filtered by class_names). */
const helperNamesClasses = (testDatagen: string): string => `${imports}plot_datagen = ImageDataGenerator(rescale=1./255)
plot_generator = plot_datagen.flow_from_directory("data/images", target_size=(224, 224))
class_names = list(plot_generator.class_indices.keys())
plt.imshow(next(plot_generator)[0][0])
def create_test_generator(datagen, samples_file):
    records = []
    for rel in open(samples_file):
        c = rel.split("/")[0]
        if c not in class_names:
            continue
        records.append({"filename": rel.strip(), "class": c})
    return datagen.flow_from_dataframe(dataframe=records, x_col="filename", y_col="class", classes=class_names, target_size=(224, 224))
test_generator = create_test_generator(${testDatagen}, "meta/test.txt")
base_model = EfficientNetB0(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
model = Sequential([base_model, GlobalAveragePooling2D(), Dense(101, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.predict(test_generator)
`;

describe('a plot-only generator naming the classes (batch 16 class C)', () => {
  it('anchors VTD002 at the scaling on the model\'s path, the plot-only one neither anchor nor related', async () => {
    const text = plotNamesClasses('ImageDataGenerator(rescale=1./255)');
    const fs = await warnings(text);
    assert.equal(fs.length, 1, fs.map((f) => f.message).join('\n'));
    const f = fs[0]!;
    assert.equal(f.code, 'VTD002');
    assert.equal(line(f.range), lineOf(text, 'test_data = ImageDataGenerator(rescale'));
    assert.ok(!relatedLines(f).includes(lineOf(text, 'plot_datagen = ImageDataGenerator(rescale')), 'the plot-only scaling is not part of the finding');
    assert.ok(relatedLines(f).includes(lineOf(text, 'loss, accuracy = model.evaluate(')), 'fed here');
  });

  it('is silent when only the plot-only generator scales', async () => {
    assert.deepEqual(await warnings(plotNamesClasses('ImageDataGenerator()')), []);
  });

  it('follows the helper that reads the class names to its own generator only', async () => {
    assert.deepEqual(await warnings(helperNamesClasses('ImageDataGenerator()')), []);
    const text = helperNamesClasses('ImageDataGenerator(rescale=1./255)');
    const fs = await warnings(text);
    assert.equal(fs.length, 1, fs.map((f) => f.message).join('\n'));
    assert.equal(line(fs[0]!.range), lineOf(text, 'test_generator = create_test_generator('));
    assert.ok(!relatedLines(fs[0]!).includes(lineOf(text, 'plot_datagen = ImageDataGenerator(rescale')));
  });
});
