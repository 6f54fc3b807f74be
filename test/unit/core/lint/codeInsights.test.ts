import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { codeInsights } from '../../../../src/core/lint/codeInsights';
import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';

async function insights(file: string) {
  const text = readFileSync(join(process.cwd(), 'test', 'fixtures', 'python', file), 'utf8');
  return codeInsights(parsePython(await getPythonParser(), text));
}

describe('code insights for the host (shape inspector, sanity batch pipeline)', () => {
  it('raw-pixel script: expected shapes, stage lines, pipeline as written', async () => {
    const c = await insights('vit_raw_pixels.py');
    assert.equal(c.presets[0]!.preset, 'vit_base_patch16_224_imagenet');
    assert.deepEqual(c.expected?.imageSize, [224, 224]);
    assert.deepEqual(c.expected?.patchSize, [16, 16]);
    assert.equal(c.expected?.useClassToken, true);
    assert.equal(c.expected?.headUnits, 5);
    assert.deepEqual(c.pipeline, { preprocessing: 'none', pooling: 'token', fromLogits: true });
    assert.equal(c.stageLines.tokens, 7);
    assert.equal(c.stageLines.backbone_output, 11);
    assert.equal(c.stageLines.pooled, 12);
  });
  it('infers /255, ImageNet mean/std and the preset converter', async () => {
    assert.equal((await insights('vit_rescale_only.py')).pipeline.preprocessing, 'rescale');
    assert.equal((await insights('vit_imagenet_meanstd.py')).pipeline.preprocessing, 'imagenet');
    assert.equal((await insights('vit_correct_converter.py')).pipeline.preprocessing, 'preset');
    assert.equal((await insights('vit_manual_minus1to1.py')).pipeline.preprocessing, 'preset');
    assert.equal((await insights('vit_imported_preprocessing.py')).pipeline.preprocessing, null);
  });
});
