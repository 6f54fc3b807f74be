import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

/** Probe class I: a keras_hub name the code guards (hasattr, a try catching AttributeError) handles its own absence. */
const vtd008 = async (text: string): Promise<string[]> =>
  (await lintText(text)).filter((f) => f.code === 'VTD008').map((f) => `${f.range.start.line + 1}:${f.severity}`);

describe('keras_hub names guarded against their absence (probe class I)', () => {
  it('a misspelt class inside if hasattr(keras_hub.models, "Name"): information, not an error', async () => {
    const text = `import keras_hub\nloaders = []\nif hasattr(keras_hub.models, "DinoV2Backbone"):\n    loaders.append(lambda: keras_hub.models.DinoV2Backbone.from_preset("dinov2_small"))\n`;
    assert.deepEqual(await vtd008(text), ['4:information']);
  });

  it('the same name inside try/except AttributeError: information', async () => {
    const text = `import keras_hub\ntry:\n    enc = keras_hub.models.DinoV2Backbone.from_preset("dinov2_small")\nexcept AttributeError:\n    enc = None\n`;
    assert.deepEqual(await vtd008(text), ['3:information']);
  });

  it('unguarded, or guarded by hasattr of another name or a try catching ValueError: still an error', async () => {
    const text = `import keras_hub\nif hasattr(keras_hub.models, "ViTBackbone"):\n    a = keras_hub.models.DinoV2Backbone.from_preset("dinov2_small")\ntry:\n    b = keras_hub.models.DinoV2Backbone.from_preset("dinov2_small")\nexcept ValueError:\n    b = None\n`;
    assert.deepEqual(await vtd008(text), ['3:error', '5:error']);
  });
});
