import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presetHoverAt } from '../../../../src/core/hover/hoverContent';
import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';

async function hover(text: string, needle: string) {
  const src = parsePython(await getPythonParser(), text);
  return presetHoverAt(src, text.indexOf(needle) + 2);
}

describe('preset hover', () => {
  it('explains a 1k-fine-tuned ViT preset: tokens, contract, converter line, command links', async () => {
    const h = await hover('import keras_hub\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\n', 'vit_base');
    assert.ok(h);
    assert.match(h.markdown, /196 \+ 1 CLS = 197/);
    assert.match(h.markdown, /x \/ 127\.5 - 1/);
    assert.match(h.markdown, /range \\\[-1, 1\\\]/);
    assert.match(h.markdown, /ImageNet-21k pre-trained, ImageNet-1k fine-tuned/);
    assert.match(h.markdown, /1000 classes, logits/);
    assert.match(h.markdown, /```python\nimage_converter = keras_hub\.layers\.ImageConverter\.from_preset\("vit_base_patch16_224_imagenet"\)\n```/);
    assert.match(h.markdown, /command:vitDoctor\.runSanityBatch\?/);
    assert.match(h.markdown, /85,798,656/);
  });
  it('a 21k preset says backbone only', async () => {
    const h = await hover('P = "vit_huge_patch14_224_imagenet21k"\n', 'vit_huge');
    assert.match(h!.markdown, /256 \+ 1 CLS = 257/);
    assert.match(h!.markdown, /none \(backbone only\)/);
  });
  it('other families show their own contract', async () => {
    const h = await hover('x = keras_hub.models.Backbone.from_preset("resnet_50_imagenet")\n', 'resnet');
    assert.match(h!.markdown, /ImageNet mean/);
  });
  it('keras-hub facts come from the generated knowledge: description, the releases listing the preset', async () => {
    const vit = await hover('b = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\n', 'vit_base');
    assert.match(vit!.markdown, /ViT-B16 model pre-trained on the ImageNet 1k dataset/);
    assert.match(vit!.markdown, /\| keras-hub \| vit\\_presets\.py since 0\.19\.1 \|/);
    const dino = await hover('b = keras_hub.models.Backbone.from_preset("dinov2_base")\n', 'dinov2');
    assert.match(dino!.markdown, /dinov2\\_presets\.py since 0\.22\.0/);
    assert.match(dino!.markdown, /87,632,640/);
  });
  it('ordinary strings get no hover', async () => {
    assert.equal(await hover('print("hello world")\n', 'hello'), null);
    assert.equal(await hover('x = 1\n', 'x ='), null);
  });
});
