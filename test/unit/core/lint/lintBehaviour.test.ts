import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePyprojectConfig } from '../../../../src/core/lint/lintConfig';
import { applyEdits, lintText } from './lintHarness';

const fixture = (f: string): string => readFileSync(join(process.cwd(), 'test', 'fixtures', 'python', f), 'utf8');

describe('quick fixes', () => {
  it('inserting the preset converter removes VTD001 and keeps the file valid', async () => {
    const text = fixture('vit_raw_pixels.py');
    const [f] = (await lintText(text)).filter((x) => x.code === 'VTD001');
    const fix = f!.fixes.find((x) => x.preferred)!;
    assert.match(fix.title, /ImageConverter\.from_preset\("vit_base_patch16_224_imagenet"\)/);
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /image_converter = keras_hub\.layers\.ImageConverter\.from_preset\("vit_base_patch16_224_imagenet"\)/);
    assert.match(fixed, /features = backbone\(image_converter\(inputs\)\)/);
    assert.deepEqual((await lintText(fixed)).map((x) => x.code), []);
  });
  it('for a backbone made by a factory, the converter is made right before the call (the factory is another scope)', async () => {
    const text = fixture('factory_default_argument.py');
    const [f] = (await lintText(text)).filter((x) => x.code === 'VTD001');
    const fixed = applyEdits(text, f!.fixes.find((x) => x.preferred)!.edits);
    assert.match(fixed, /\nimage_converter = keras_hub\.layers\.ImageConverter\.from_preset\("vit_base_patch16_224_imagenet"\)\nout = backbone\(image_converter\(x\)\)/);
    assert.doesNotMatch(fixed.slice(0, fixed.indexOf('images =')), /image_converter/);
    assert.deepEqual((await lintText(fixed)).map((x) => x.code), []);
  });
  it('VTD009 offers the other flavour only where keras-hub has it', async () => {
    const at384 = (await lintText('import keras_hub\n# ViT-B/16 pre-trained on ImageNet-21k\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_384_imagenet")\n')).find((f) => f.code === 'VTD009')!;
    assert.deepEqual(at384.fixes.filter((f) => f.title.startsWith('Use ')), []);
    assert.match(at384.message, /no 21k-only backbone at this size/);
    const at224 = (await lintText('import keras_hub\n# ViT-B/16 pre-trained on ImageNet-21k\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\n')).find((f) => f.code === 'VTD009')!;
    const fixed = applyEdits('import keras_hub\n# ViT-B/16 pre-trained on ImageNet-21k\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\n', at224.fixes.find((f) => f.title.startsWith('Use '))!.edits);
    assert.match(fixed, /"vit_base_patch16_224_imagenet21k"/);
    assert.deepEqual((await lintText(fixed)).map((f) => f.code), []);
  });
  it('the converter fix imports keras_hub when only names were imported', async () => {
    const text = 'import keras\nfrom keras_hub.models import Backbone\n\nb = Backbone.from_preset("vit_base_patch16_224_imagenet")\nx = keras.Input(shape=(224, 224, 3))\ny = b(x)\n';
    const fix = (await lintText(text))[0]!.fixes[0]!;
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /^import keras_hub\n/m);
    assert.deepEqual((await lintText(fixed)).map((x) => x.code), []);
  });
  it('from_logits and wrong API names are fixed mechanically', async () => {
    for (const [file, code] of [['vit_logits_loss.py', 'VTD005'], ['vit_softmax_from_logits.py', 'VTD005'], ['vit_unknown_api.py', 'VTD008']] as const) {
      const text = fixture(file);
      const fs = (await lintText(text)).filter((x) => x.code === code && x.fixes.some((y) => y.preferred));
      assert.ok(fs.length > 0, file);
      const fixed = applyEdits(text, fs[0]!.fixes.find((y) => y.preferred)!.edits);
      assert.ok((await lintText(fixed)).filter((x) => x.code === code).length < (await lintText(text)).filter((x) => x.code === code).length, `${file} fix did not remove a finding`);
    }
  });
  it('removing a redundant Rescaling layer from a Sequential list', async () => {
    const text = fixture('kerascv_double_rescale.py');
    const f = (await lintText(text)).find((x) => x.code === 'VTD002')!;
    const fixed = applyEdits(text, f.fixes[0]!.edits);
    assert.doesNotMatch(fixed, /Rescaling/);
    assert.deepEqual((await lintText(fixed)).map((x) => x.code), []);
  });
  it('every finding offers ignore-on-line and ignore-in-file, and both silence it', async () => {
    const text = fixture('vit_raw_pixels.py');
    const f = (await lintText(text))[0]!;
    const line = f.fixes.find((x) => /on this line/.test(x.title))!;
    const file = f.fixes.find((x) => /in this file/.test(x.title))!;
    assert.deepEqual(await lintText(applyEdits(text, line.edits)), []);
    assert.deepEqual(await lintText(applyEdits(text, file.edits)), []);
  });
});

describe('configuration', () => {
  it('pyproject [tool.vit-doctor] select, ignore, per-file-ignores, severity', async () => {
    const cfg = parsePyprojectConfig(`[project]\nname = "x"\n\n[tool.vit-doctor]\nignore = ["VTD003"]\n\n[tool.vit-doctor.per-file-ignores]\n"scripts/*.py" = [\n  "VTD001",\n]\n\n[tool.vit-doctor.severity]\nVTD004 = "error"\n`);
    assert.deepEqual(cfg.ignore, ['VTD003']);
    assert.deepEqual(cfg.perFileIgnores, { 'scripts/*.py': ['VTD001'] });
    const tokens = await lintText(fixture('vit_token_misuse.py'), { config: cfg });
    assert.equal(tokens.filter((f) => f.code === 'VTD003').length, 0);
    assert.equal((await lintText(fixture('vit_raw_pixels.py'), { config: cfg, relativePath: 'scripts/train.py' })).length, 0);
    assert.equal((await lintText(fixture('vit_raw_pixels.py'), { config: cfg, relativePath: 'train.py' })).length, 1);
    const shapes = await lintText(fixture('vit_input_shape.py'), { config: cfg });
    assert.ok(shapes.every((f) => f.severity === 'error'));
    const only = await lintText(fixture('vit_token_misuse.py'), { config: { ...cfg, ignore: [], select: ['token-output-misuse'] } });
    assert.ok(only.length > 0 && only.every((f) => f.code === 'VTD003'));
  });
});

describe('robustness', () => {
  it('never throws on truncated, shuffled or binary-looking input', async () => {
    const texts = ['vit_raw_pixels.py', 'vit_token_misuse.py', 'vit_subclass_self_encoder.py'].map(fixture);
    for (const t of texts) {
      for (let cut = 0; cut < t.length; cut += 37) await lintText(t.slice(0, cut));
      await lintText(t.split('\n').reverse().join('\n'));
    }
    await lintText('\u0000\u0001\ufffd'.repeat(100));
    await lintText('x = ' + '('.repeat(500));
  });
  it('positions are UTF-16 columns on non-ASCII lines and CRLF files', async () => {
    const text = 'import keras_hub\nimport keras\n# ünïcödé 🐱\nb = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\nx = keras.Input(shape=(224, 224, 3))\ny = "é🐱"; z = b(x)\n';
    const [f] = await lintText(text);
    assert.equal(f!.range.start.line, 5);
    assert.equal(f!.range.start.character, text.split('\n')[5]!.indexOf('b(x)'));
    const crlf = await lintText(text.replace(/\n/g, '\r\n'));
    assert.deepEqual(crlf[0]!.range, f!.range);
  });
  it('lints a 2,000-line file', async () => {
    const big = Array.from({ length: 100 }, () => fixture('vit_raw_pixels.py')).join('\n');
    const findings = await lintText(big);
    assert.ok(findings.length >= 1);
  });
});

describe('double normalisation fix in a functional model', () => {
  it('replaces Rescaling(1/255)(inputs) by inputs', async () => {
    const text = readFileSync(join(process.cwd(), 'test', 'fixtures', 'python', 'vit_converter_plus_rescale.py'), 'utf8');
    const f = (await lintText(text)).find((x) => x.code === 'VTD002')!;
    const fixed = applyEdits(text, f.fixes[0]!.edits);
    assert.match(fixed, /^x = inputs {2}# expect/m);
    assert.deepEqual((await lintText(fixed)).map((x) => x.code), []);
  });
});
