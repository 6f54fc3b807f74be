import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;

const section = (fn: string, preset: string): string => `def ${fn}():
    def preprocess(x, y):
        x = tf.image.resize(x, (224, 224)) / 255.0
        return x, y
    data = tf.keras.utils.image_dataset_from_directory("d").map(preprocess)
    model = keras_hub.models.ImageClassifier.from_preset("${preset}", num_classes=3)
    model.fit(data)
`;

describe('helpers of the same name nested in several functions', () => {
  it('each function reads its own helper: the /255 of each is a warning at the step, where it is applied related', async () => {
    const text = `import tensorflow as tf\nimport keras_hub\n${section('first', 'resnet_50_imagenet')}${section('second', 'efficientnet_b0_ra_imagenet')}`;
    const fs = (await lintText(text)).filter((f) => f.code === 'VTD002');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['5:warning', '12:warning']);
    assert.ok(fs[0]!.related.some((r) => at(r.range) === 7 && /helper is applied here/.test(r.message)));
  });

  it('a module-level helper defined twice (a notebook cell run again, edited) is not followed: information at most', async () => {
    const text = `import tensorflow as tf\nimport keras_hub\ndef preprocess(x, y):\n    return x / 255.0, y\ndef preprocess(x, y):\n    return x, y\ndata = tf.keras.utils.image_dataset_from_directory("d").map(preprocess)\nmodel = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=3)\nmodel.fit(data)\n`;
    assert.deepEqual((await lintText(text)).filter((f) => f.code === 'VTD002' && f.severity !== 'information'), []);
  });
});
