import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { lintText } from './lintHarness';

/**
 * Probe class M: a backbone whose class and preset (or only the preset) are picked from a table by a key the file
 * does not fix (a config value, a command-line argument). When every entry of the table (a dict/list literal bound
 * once, never changed) is a preset the knowledge lists and all share one input contract, the step on the path is
 * judged as for one known preset, the finding naming the table; entries that disagree, an entry not listed, a table
 * changed in place or bound twice: silent, as before.
 */
const line = (r: LintFinding['range']): number => r.start.line + 1;
const vtd001 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD001');
const brief = (fs: LintFinding[]): string[] => fs.map((f) => `${line(f.range)}:${f.severity}`);

// (class, preset) pairs, unpacked from a dict lookup inside a loader; a functional builder scales by 1/255 only
const pairTable = `import keras
import keras_hub

ENCODERS = {
    "small": (keras_hub.models.EfficientNetBackbone, "efficientnet_b0_ra_imagenet"),
    "medium": (keras_hub.models.EfficientNetBackbone, "efficientnet_b2_ra_imagenet"),
    "deep": (keras_hub.models.ResNetBackbone, "resnet_50_imagenet"),
}


def make_encoder(settings):
    encoder_cls, preset = ENCODERS[settings["encoder"]]
    return encoder_cls.from_preset(preset, load_weights=True)


def make_classifier(settings, num_classes):
    images = keras.Input(shape=(224, 224, 3))
    x = keras.layers.Rescaling(1.0 / 255)(images)
    x = make_encoder(settings)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(images, keras.layers.Dense(num_classes)(x))
`;
// a list of preset strings indexed by an argument, the class written in the call
const stringTable = `import keras
import keras_hub

SIZES = ["efficientnet_b0_ra_imagenet", "efficientnet_b1_ft_imagenet"]


def make_classifier(index, num_classes):
    images = keras.Input(shape=(224, 224, 3))
    x = keras.layers.Rescaling(1.0 / 255)(images)
    encoder = keras_hub.models.Backbone.from_preset(SIZES[index])
    x = keras.layers.GlobalAveragePooling2D()(encoder(x))
    return keras.Model(images, keras.layers.Dense(num_classes)(x))
`;
// .get() into a name, unpacked on the next line, raw pixels trained on at module level
const getThenUnpack = `import sys
import keras
import keras_hub

ENCODERS = {
    "small": (keras_hub.models.EfficientNetBackbone, "efficientnet_b0_ra_imagenet"),
    "deep": (keras_hub.models.ResNetBackbone, "resnet_50_imagenet"),
}
entry = ENCODERS.get(sys.argv[1])
encoder_cls, preset = entry
encoder = encoder_cls.from_preset(preset)
images = keras.Input(shape=(224, 224, 3))
model = keras.Model(images, keras.layers.Dense(3, activation="softmax")(keras.layers.GlobalAveragePooling2D()(encoder(images))))
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="sparse_categorical_crossentropy")
data = keras.utils.image_dataset_from_directory("photos", image_size=(224, 224))
model.fit(data, epochs=1)
`;

describe('VTD001 on a preset picked from a table (probe class M)', () => {
  it('(class, preset) pairs all expecting ImageNet mean/std, Rescaling(1/255) only: the partial mapping, naming the table', async () => {
    const fs = await vtd001(pairTable);
    assert.deepEqual(brief(fs), ['18:warning']);
    assert.match(fs[0]!.message, /for every preset in ENCODERS \(efficientnet_b0_ra_imagenet, efficientnet_b2_ra_imagenet, resnet_50_imagenet\): a scaling to \[0, 1\] only/);
    assert.match(fs[0]!.message, /each expects \(x \/ 255 - ImageNet mean\) \/ ImageNet std/);
    assert.ok(fs[0]!.related.some((r) => /picked from \(ENCODERS\)/.test(r.message) && line(r.range) === 4));
    assert.ok(fs[0]!.related.some((r) => /built here/.test(r.message) && line(r.range) === 13));
  });

  it('a list of preset strings with the class in the call: the same', async () => {
    const fs = await vtd001(stringTable);
    assert.deepEqual(brief(fs), ['9:warning']);
    assert.match(fs[0]!.message, /every preset in SIZES/);
  });

  it('TABLE.get(key) into a name, unpacked later; raw pixels trained on: the missing-converter warning', async () => {
    const fs = await vtd001(getThenUnpack);
    assert.deepEqual(brief(fs), ['13:warning']);
    assert.match(fs[0]!.message, /from_preset\(preset from ENCODERS\) without its preprocessing/);
  });

  it('raw pixels in a builder no call of the file feeds: information, as for one known preset', async () => {
    const raw = pairTable.replace('    x = keras.layers.Rescaling(1.0 / 255)(images)\n    x = make_encoder(settings)(x)', '    x = make_encoder(settings)(images)');
    assert.deepEqual(brief(await vtd001(raw)), ['18:information']);
  });

  it('the right mapping for every entry (Rescaling then Normalization with ImageNet statistics): silent', async () => {
    const norm = pairTable.replace('x = keras.layers.Rescaling(1.0 / 255)(images)', 'x = keras.layers.Rescaling(1.0 / 255)(images)\n    x = keras.layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2])(x)');
    assert.deepEqual(await vtd001(norm), []);
  });

  it('entries that disagree (MobileNetV3 21k takes [0, 1]): silent on / 255', async () => {
    const mixed = pairTable.replace('(keras_hub.models.ResNetBackbone, "resnet_50_imagenet")', '(keras_hub.models.MobileNetBackbone, "mobilenet_v3_large_100_imagenet_21k")');
    assert.deepEqual(await vtd001(mixed), []);
    assert.deepEqual(await vtd001(stringTable.replace('"efficientnet_b1_ft_imagenet"', '"mobilenet_v3_large_100_imagenet_21k"')), []);
    // a table of only that preset: / 255 is its whole mapping
    assert.deepEqual(await vtd001(stringTable.replace('["efficientnet_b0_ra_imagenet", "efficientnet_b1_ft_imagenet"]', '["mobilenet_v3_large_100_imagenet_21k"]')), []);
  });

  it('an entry the knowledge does not list: silent', async () => {
    assert.deepEqual(await vtd001(pairTable.replace('"resnet_50_imagenet"', '"resnet_50_my_finetune"')), []);
    assert.deepEqual(await vtd001(stringTable.replace('"efficientnet_b1_ft_imagenet"', '"efficientnet_b1_custom"')), []);
    // the class's family no longer stands for a preset picked from a table (it warned before: EfficientNet's contract)
    const efficientnet = stringTable.replace('keras_hub.models.Backbone', 'keras_hub.models.EfficientNetBackbone');
    assert.deepEqual(brief(await vtd001(efficientnet)), ['9:warning']);
    assert.deepEqual(await vtd001(efficientnet.replace('"efficientnet_b1_ft_imagenet"', '"efficientnet_b1_custom"')), []);
  });

  it('a table changed in place or bound twice: silent', async () => {
    const vit = '"vit": (keras_hub.models.ViTBackbone, "vit_base_patch16_224_imagenet")';
    assert.deepEqual(await vtd001(pairTable.replace('\n\ndef make_encoder', `\nENCODERS["vit"] = (keras_hub.models.ViTBackbone, "vit_base_patch16_224_imagenet")\n\ndef make_encoder`)), []);
    assert.deepEqual(await vtd001(pairTable.replace('\n\ndef make_encoder', `\nENCODERS.update({${vit}})\n\ndef make_encoder`)), []);
    assert.deepEqual(await vtd001(stringTable.replace('\n\ndef make_classifier', '\nSIZES.append("my_preset")\n\ndef make_classifier')), []);
    assert.deepEqual(await vtd001(stringTable.replace('\n\ndef make_classifier', '\nSIZES = load_sizes()\n\ndef make_classifier')), []);
  });
});
