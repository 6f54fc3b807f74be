import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Probe classes E and J (keras_hub): a backbone called on a keras.Input inside a factory that returns the model, and a
 * converter built but never applied, in a file where no call feeds the backbone (or a model holding it) with data.
 * The missing preprocessing is then not established in the file: information naming the missing link. The same code
 * with a feed of unmapped data in the file stays a warning.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const vtd001 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001');

const factory = `import keras
import keras_hub


def build_classifier(num_classes, size=224):
    encoder = keras_hub.models.ViTBackbone.from_preset("vit_small_patch16_224_imagenet")
    encoder.trainable = False
    image = keras.Input(shape=(size, size, 3))
    tokens = encoder(image)
    logits = keras.layers.Dense(num_classes)(tokens[:, 0, :])
    net = keras.Model(image, logits)
    net.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return net
`;

const factoryFed = `${factory}

import numpy as np

pixels = np.random.randint(0, 256, size=(16, 224, 224, 3)).astype("float32")
targets = np.random.randint(0, 4, size=(16,))
clf = build_classifier(4)
clf.fit(pixels, targets, epochs=2)
`;

const converterOnly = `import keras_hub

trunk = keras_hub.models.Backbone.from_preset("resnet_50_imagenet")
to_input = keras_hub.layers.ImageConverter.from_preset("resnet_50_imagenet", image_size=(160, 160))
names = [layer.name for layer in trunk.layers if "conv" in layer.name]
print(len(names))
`;

const converterFed = `import keras
import keras_hub
import numpy as np

trunk = keras_hub.models.Backbone.from_preset("resnet_50_imagenet")
to_input = keras_hub.layers.ImageConverter.from_preset("resnet_50_imagenet")
image = keras.Input(shape=(224, 224, 3))
pooled = keras.layers.GlobalAveragePooling2D()(trunk(image))
net = keras.Model(image, keras.layers.Dense(3, activation="softmax")(pooled))
net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
pixels = np.random.randint(0, 256, size=(8, 224, 224, 3)).astype("float32")
net.fit(pixels, np.zeros(8), epochs=1)
`;

describe('probe class E: a keras_hub backbone in a model factory fed by no call of the file', () => {
  it('is information at the backbone call, naming the missing feed and the converter the caller must apply', async () => {
    const found = await vtd001(factory);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
    const f = found[0]!;
    assert.equal(f.severity, 'information');
    assert.equal(line(f.range), 9);
    assert.match(f.message, /no call in this file feeds the model/);
    assert.match(f.message, /the caller must apply the preset's ImageConverter \(x \/ 127\.5 - 1/);
    // no converter is inserted into the factory: the caller may apply it already
    assert.deepEqual((f.fixes ?? []).filter((x) => /converter/.test(x.title)), []);
  });

  it('stays a warning when the file fits the factory model on unmapped pixels', async () => {
    const found = await vtd001(factoryFed);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
    assert.notEqual(found[0]!.severity, 'information');
    assert.equal(line(found[0]!.range), 9);
    assert.match(found[0]!.message, /Images reach ViTBackbone/);
  });

  it('stays a warning at module level (the rule page example: the graph is the program, not a factory)', async () => {
    const text = `import keras
import keras_hub

encoder = keras_hub.models.ViTBackbone.from_preset("vit_small_patch16_224_imagenet")
image = keras.Input(shape=(224, 224, 3))
tokens = encoder(image)
`;
    const found = await vtd001(text);
    assert.equal(found.length, 1);
    assert.notEqual(found[0]!.severity, 'information');
  });

  it('stays a warning in a model subclass call() (the forward pass, not a factory)', async () => {
    const text = `import keras
import keras_hub


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = keras_hub.models.ViTBackbone.from_preset("vit_small_patch16_224_imagenet")
        self.head = keras.layers.Dense(3)

    def call(self, images):
        return self.head(self.encoder(images)[:, 0, :])


net = Net()
`;
    const found = await vtd001(text);
    assert.equal(found.length, 1);
    assert.notEqual(found[0]!.severity, 'information');
    assert.equal(line(found[0]!.range), 12);
  });
});

describe('probe class J: a converter built, never applied, with the backbone fed by no call of the file', () => {
  it('is information at the converter, naming the missing feed', async () => {
    const found = await vtd001(converterOnly);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
    assert.equal(found[0]!.severity, 'information');
    assert.equal(line(found[0]!.range), 4);
    assert.match(found[0]!.message, /never applied, and no call in this file feeds images to the backbone/);
  });

  it('stays a warning when a model holding the backbone is fit on raw pixels', async () => {
    const found = await vtd001(converterFed);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
    assert.notEqual(found[0]!.severity, 'information');
    assert.equal(line(found[0]!.range), 6);
    assert.match(found[0]!.message, /built but never applied: the images do not go through it/);
  });
});
