import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

/**
 * Probe class H: a keras_hub backbone called on `{"images": x}` sees x (its Rescaling and Normalization(mean, variance)
 * are on its path), and `Input(shape=p)` with `p` a function's parameter is read from the calls or the default.
 */
const keys = async (text: string, codes: string[]): Promise<string[]> =>
  (await lintText(text)).filter((f) => codes.includes(f.code)).map((f) => `${f.range.start.line + 1}:${f.code}:${f.severity}`);

const graph = (steps: string, shape = '(224, 224, 3)', tail = ''): string => `import keras
from keras import layers
import keras_hub

def build(shape=${shape}):
    encoder = keras_hub.models.DINOV2Backbone.from_preset("dinov2_small", image_shape=(224, 224, 3))
    inputs = keras.Input(shape=shape)
    x = inputs
${steps}
    features = encoder({"images": x})
    return keras.Model(inputs, features[:, 0, :])
${tail}`;

const mapping = `    x = layers.Rescaling(1 / 255.0)(x)
    x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2])(x)`;

describe('named backbone inputs and parameter defaults (probe class H)', () => {
  it('Rescaling then Normalization(ImageNet mean, variance) into backbone({"images": x}) is the preset mapping', async () => {
    assert.deepEqual(await keys(graph(mapping, '(224, 224, 3)', 'model = build()\n'), ['VTD001', 'VTD004']), []);
  });

  it('Rescaling(1/255) alone into backbone({"images": x}): the partial mapping is found at the Rescaling', async () => {
    assert.deepEqual(await keys(graph('    x = layers.Rescaling(1 / 255.0)(x)', '(224, 224, 3)', 'model = build()\n'), ['VTD001']), ['9:VTD001:warning']);
  });

  it('an Input shape that is the default every call leaves: not a multiple of the patch is an error', async () => {
    assert.deepEqual(await keys(graph(mapping, '(512, 512, 3)', 'model = build()\n'), ['VTD004']), ['7:VTD004:error']);
  });

  it('the default of a function this file never calls: information only', async () => {
    assert.deepEqual(await keys(graph(mapping, '(512, 512, 3)'), ['VTD004']), ['7:VTD004:information']);
  });

  it('the call passes the right size over a wrong default: no finding', async () => {
    assert.deepEqual(await keys(graph(mapping, '(512, 512, 3)', 'model = build((224, 224, 3))\n'), ['VTD004']), []);
  });
});
