import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeInsights } from '../../../../src/core/lint/codeInsights';
import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';

async function expected(preset: string, args = '') {
  const text = `import keras_hub\nbackbone = keras_hub.models.Backbone.from_preset("${preset}"${args})\nfeatures = backbone(images)\ncls = features[:, 0, :]\n`;
  return codeInsights(parsePython(await getPythonParser(), text)).expected;
}

describe('expected shapes of a DINOv2 script (shape inspector before any run)', () => {
  it('a with-registers preset: 518 input, patch 14, 4 registers, the ImageNet converter', async () => {
    const e = await expected('dinov2_with_registers_base');
    assert.deepEqual([e?.imageSize, e?.patchSize, e?.hiddenDim, e?.numLayers, e?.registers], [[518, 518], [14, 14], 768, 12, 4]);
    assert.equal(e?.converter, '(x / 255 - ImageNet mean) / ImageNet std');
  });
  it('a preset without registers says 0, and a ViT keeps its [-1, 1] converter', async () => {
    assert.equal((await expected('dinov2_small'))?.registers, 0);
    const vit = await expected('vit_base_patch16_224_imagenet');
    assert.equal(vit?.registers, undefined);
    assert.equal(vit?.converter, 'x / 127.5 - 1');
  });
  it('from_preset(..., image_shape=(224, 224, 3)) on a DINOv2: the inspector expects the size it is built at', async () => {
    assert.deepEqual((await expected('dinov2_base', ', image_shape=(224, 224, 3)'))?.imageSize, [224, 224]);
    assert.deepEqual((await expected('dinov2_base'))?.imageSize, [518, 518]);
  });
});
