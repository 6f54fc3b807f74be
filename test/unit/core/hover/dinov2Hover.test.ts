import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presetHoverAt } from '../../../../src/core/hover/hoverContent';
import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';
import { KERAS_HUB_KNOWLEDGE } from '../../../../src/core/presets/kerasHubKnowledge';
import { diskPresetLookup } from '../../../../src/core/presets/presetFactsFromDisk';

async function hover(text: string, needle: string, lookup?: Parameters<typeof presetHoverAt>[2]) {
  const src = parsePython(await getPythonParser(), text);
  return presetHoverAt(src, text.indexOf(needle) + 2, lookup);
}

const fromPreset = (p: string): string => `import keras_hub\nb = keras_hub.models.Backbone.from_preset("${p}")\n`;
const row = (md: string, key: string): string => md.split('\n').find((l) => l.startsWith(`| ${key} |`)) ?? '';

describe('DINOv2 preset hover', () => {
  it('dinov2_base: built at 518 (not the constructor default 224), patch 14, 1 + 37² tokens, contract, parameters, image_shape=', async () => {
    const h = await hover(fromPreset('dinov2_base'), 'dinov2_base');
    assert.ok(h);
    const md = h.markdown;
    assert.match(row(md, 'Image size'), /^\| Image size \| 518×518 — the size this preset is built for .*defaults to 224×224/);
    assert.match(row(md, 'Patch'), /14×14/);
    assert.match(row(md, 'Tokens'), /1 CLS \+ 37×37 = 1369 patches = \*\*1370\*\* at 518×518; patch tokens are `features\[:, 1:, :\]`/);
    assert.doesNotMatch(row(md, 'Tokens'), /register/);
    assert.match(row(md, 'Hidden size'), /base: 768, 12 layers, 12 heads, GELU MLP 3072, LayerScale/);
    assert.match(row(md, 'image_shape='), /image_shape=\(224, 224, 3\)\)` builds the backbone at 224×224 \(257 tokens\): the stored 37×37 position table is resized bicubic once, at load\. The size must be a multiple of 14; load the converter with `image_size=\(224, 224\)`/);
    assert.match(row(md, 'Head'), /no DINOv2 task or preprocessor/);
    assert.match(row(md, 'Parameters'), /87,632,640/);
    assert.match(md, /\*\*Input contract:\*\* `\(x \/ 255 - ImageNet mean\) \/ ImageNet std`.*centre-crop to aspect ratio, then bicubic resize to 518x518/);
    assert.match(md, /ImageConverter\.from_preset\("dinov2_base"\)/);
    assert.doesNotMatch(md, /256 \+ 1 CLS|ImageClassifier/);
  });

  it('dinov2_with_registers_small: 4 registers between CLS and patches, patch slice [:, 5:], antialiased table resize', async () => {
    const h = await hover(fromPreset('dinov2_with_registers_small'), 'dinov2_with');
    assert.ok(h);
    const md = h.markdown;
    assert.match(row(md, 'Tokens'), /1 CLS \+ 4 registers \(indices 1–4, no position embedding\) \+ 37×37 = 1369 patches = \*\*1374\*\* at 518×518; patch tokens are `features\[:, 5:, :\]` \(not `\[:, 1:\]`, which includes the 4 registers\)/);
    assert.match(row(md, 'Hidden size'), /small: 384, 12 layers, 6 heads, GELU MLP 1536/);
    assert.match(row(md, 'image_shape='), /\(261 tokens\).*resized bicubic with antialias once/);
    assert.match(row(md, 'Parameters'), /22,584,192/);
  });

  it('every DINOv2 preset name of the generated knowledge hovers with 518, patch 14 and a token count that adds up', async () => {
    const names = KERAS_HUB_KNOWLEDGE.presets.filter((p) => p.family === 'dinov2' && p.current).map((p) => p.name);
    assert.ok(names.length >= 8, `expected the 8 DINOv2 presets, got ${names.join(', ')}`);
    for (const name of names) {
      const h = await hover(fromPreset(name), name.slice(0, 6));
      assert.ok(h, name);
      const tokens = /= \*\*(\d+)\*\* at 518×518/.exec(row(h.markdown, 'Tokens'));
      const registers = /\+ (\d+) registers/.exec(row(h.markdown, 'Tokens'));
      assert.ok(tokens, `${name}: ${row(h.markdown, 'Tokens')}`);
      assert.equal(Number(tokens[1]), 1 + Number(registers?.[1] ?? 0) + 37 * 37, name);
      assert.equal(name.includes('with_registers') ? 4 : 0, Number(registers?.[1] ?? 0), name);
      assert.match(row(h.markdown, 'Patch'), /14×14/, name);
      assert.match(row(h.markdown, 'Hidden size'), /LayerScale/, name);
      assert.match(row(h.markdown, 'Hidden size'), name.endsWith('giant') ? /1536, 40 layers, 24 heads, SwiGLU FFN 4096 \(intermediate_dim 6144\)/ : /GELU MLP/, name);
    }
  });
  it('a DINOv2 preset folder on disk hovers from its own files (the registers fixture: 28×28, 4 registers, 9 tokens)', async () => {
    const text = 'b = keras_hub.models.Backbone.from_preset("test/fixtures/keras-dinov2/dinov2_tiny_registers/preset")\n';
    const h = await hover(text, 'test/fixtures', diskPresetLookup([process.cwd()]));
    assert.ok(h);
    const md = h.markdown;
    assert.match(md, /files in /);
    assert.match(row(md, 'Image size'), /28×28 — the size this preset is built for/);
    assert.match(row(md, 'Tokens'), /1 CLS \+ 4 registers \(indices 1–4, no position embedding\) \+ 2×2 = 4 patches = \*\*9\*\* at 28×28; patch tokens are `features\[:, 5:, :\]`/);
    assert.match(row(md, 'Hidden size'), /^\| Hidden size \| 16, 2 layers, 2 heads, GELU MLP 64, LayerScale/);
    assert.match(row(md, 'image_shape='), /stored 2×2 position table is resized bicubic with antialias/);
    assert.match(row(md, 'Parameters'), /16,336/);
    assert.match(md, /centre-crop to aspect ratio, then bicubic resize to 28x28/);
  });
  it('an image_shape= in the call: the size built, tokens, table interpolation, and a size that is not a multiple of 14', async () => {
    const at224 = await hover('b = keras_hub.models.Backbone.from_preset("dinov2_base", image_shape=(224, 224, 3))\n', 'dinov2_base');
    assert.equal(row(at224!.markdown, 'In this call'), '| In this call | built at 224×224: 257 tokens (1 CLS + 16×16); the stored 37×37 position table is interpolated to 16×16 at load; the converter needs `image_size=(224, 224)` |');
    const at512 = await hover('b = keras_hub.models.DINOV2Backbone.from_preset("dinov2_with_registers_base", image_shape=[512, 512, 3])\n', 'dinov2_with');
    assert.match(row(at512!.markdown, 'In this call'), /built at 512×512: 1301 tokens \(1 CLS \+ 4 registers \+ 36×36\).* 512 is not a multiple of 14: the patch grid covers 504 pixels and the last 8 rows and columns are ignored silently; use 504 or 518/);
    const at518 = await hover('b = keras_hub.models.Backbone.from_preset("dinov2_small", image_shape=(518, 518, 3))\n', 'dinov2_small');
    assert.match(row(at518!.markdown, 'In this call'), /1370 tokens .*the stored position table is used as is/);
    const notSquare = await hover('b = keras_hub.models.Backbone.from_preset("dinov2_small", image_shape=(224, 336, 3))\n', 'dinov2_small');
    assert.match(row(notSquare!.markdown, 'In this call'), /not square: DINOV2Backbone raises/);
    const none = await hover(fromPreset('dinov2_small'), 'dinov2_small');
    assert.equal(row(none!.markdown, 'In this call'), '');
    const vit = await hover('b = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet", image_shape=(384, 384, 3))\n', 'vit_base');
    assert.equal(row(vit!.markdown, 'In this call'), '');
  });
});
