import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const found = async (text: string): Promise<string[]> => (await lintText(text)).map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`);

describe('classes the linter used to miss', () => {
  it('a KerasCV backbone (presets rescale inside, include_rescaling=True) wrapped in keras_cv ImageClassifier and fed /255 images in a notebook', async () => {
    const text = `# In[1]:
import keras
import keras_cv
import tensorflow as tf

# In[2]:
train_ds = keras.utils.image_dataset_from_directory("flowers", image_size=(224, 224))
train_ds = train_ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y))

# In[3]:
backbone = keras_cv.models.EfficientNetV2B0Backbone.from_preset("efficientnetv2_b0_imagenet")
model = keras_cv.models.ImageClassifier(backbone=backbone, num_classes=5)
model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train_ds, epochs=3)
`;
    assert.deepEqual(await found(text), ['8:VTD002:warning']);
    // include_rescaling=False: the /255 is the preprocessing, nothing doubled
    assert.deepEqual(await found(text.replace('"efficientnetv2_b0_imagenet")', '"efficientnetv2_b0_imagenet", include_rescaling=False)')), []);
  });

  it('a dict key read from a CNN backbone that returns one feature map', async () => {
    const text = 'import keras\nimport keras_hub\nbackbone = keras_hub.models.Backbone.from_preset("resnet_50_imagenet")\nconverter = keras_hub.layers.ImageConverter.from_preset("resnet_50_imagenet")\ninputs = keras.Input(shape=(224, 224, 3))\nout = backbone(converter(inputs))\npooled = keras.layers.GlobalAveragePooling2D()(out["pooled_output"])\n';
    assert.deepEqual(await found(text), ['7:VTD003:error']);
    // guarded probes stay silent
    assert.deepEqual(await found(text.replace('pooled = keras.layers.GlobalAveragePooling2D()(out["pooled_output"])', 'pooled = out["pooled_output"] if isinstance(out, dict) else out')), []);
  });

  it('a task called as a layer inside a functional model drops its preprocessor', async () => {
    const text = 'import keras\nimport keras_hub\nclassifier = keras_hub.models.ImageClassifier.from_preset("vit_base_patch16_224_imagenet", num_classes=4)\ninputs = keras.Input(shape=(224, 224, 3))\nx = keras.layers.RandomFlip()(inputs)\noutputs = classifier(x)\nmodel = keras.Model(inputs, outputs)\nmodel.compile(optimizer=keras.optimizers.Adam(5e-5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n';
    assert.deepEqual(await found(text), ['6:VTD001:warning']);
  });

  it('a factory returning (model, None) as the preprocessing: raw pixels reach the ViT', async () => {
    const text = `import keras
import keras_hub


def get_model(name):
    if name == "vit":
        return keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet"), None
    return keras.applications.ResNet50(include_top=False), keras.applications.resnet50.preprocess_input


backbone, preprocess = get_model("vit")
ds = keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
if preprocess is not None:
    ds = ds.map(lambda x, y: (preprocess(x), y))
inputs = keras.Input(shape=(224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(3)(backbone(inputs)[:, 0, :]))
model.fit(ds)
`;
    assert.deepEqual(await found(text), ['16:VTD001:warning']);
  });

  it('ImageNet mean/std as Rescaling then Normalization layers for a [-1, 1] ViT preset: one finding for the one mapping', async () => {
    const text = `import keras
import keras_hub

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
norm = keras.layers.Normalization(mean=IMAGENET_MEAN, variance=[s ** 2 for s in IMAGENET_STD])
backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
inputs = keras.Input(shape=(224, 224, 3))
x = norm(keras.layers.Rescaling(1 / 255)(inputs))
model = keras.Model(inputs, keras.layers.Dense(3)(backbone(x)[:, 0, :]))
`;
    const fs = (await lintText(text)).filter((f) => f.code === 'VTD001');
    assert.equal(fs.length, 1);
    assert.match(fs[0]!.message, /ImageNet mean\/std/);
    assert.ok(fs[0]!.related.some((r) => r.message === 'part of the same mapping' && r.range.start.line === 8));
  });
});

describe('false positives of real code', () => {
  it("an import from keras_hub's own module path names the class it exports (converters are keras_hub.layers)", async () => {
    const text = 'import keras_hub\nfrom keras_hub.src.models.vit.vit_image_converter import ViTImageConverter\nfrom keras_hub.src.models.vit.vit_backbone import ViTBackbone\nconverter = ViTImageConverter.from_preset("vit_base_patch16_224_imagenet")\nbackbone = ViTBackbone.from_preset("vit_base_patch16_224_imagenet")\nout = backbone(converter(images))\n';
    assert.deepEqual(await found(text), []);
  });
});
