import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { selectBackend } from '../../../../src/engine/backend/selectBackend';
import { vitBackboneForward } from '../../../../src/engine/models/vit/vitBackbone';
import { vitHeadForward } from '../../../../src/engine/models/vit/vitImageClassifier';
import { disposeViTModel, loadViTModel } from '../../../../src/engine/models/vit/vitModel';
import { writeViTPreset } from '../../../../src/engine/models/vit/vitPresetWriter';
import { mapViTBackboneWeights, mapViTHeadWeights } from '../../../../src/engine/models/vit/vitWeights';
import { readH5Weights } from '../../../../src/engine/weights/h5Reader';
import { fixturesRoot, flatten, listFixtures, maxAbsDiff, readExpected } from '../../helpers/kerasFixtures';

describe('Keras weights writer', () => {
  before(async () => {
    await selectBackend('cpu');
  });
  for (const fixture of listFixtures()) {
    it(`${fixture}: a re-written preset has the same datasets and reproduces the fixture logits`, async () => {
      const src = loadPresetDir(join(fixturesRoot(), fixture, 'preset'));
      const original = await readH5Weights(src.weightsFile);
      const dir = join(mkdtempSync(join(tmpdir(), 'vtd-rt-')), 'preset');
      await writeViTPreset(dir, {
        backbone: src.backbone,
        converter: src.converter!,
        task: src.task,
        backboneArrays: mapViTBackboneWeights(src.backbone, original, src.weightsFile),
        headArrays: mapViTHeadWeights(src.task!, src.backbone.hiddenDim, await readH5Weights(src.taskWeightsFile!), src.taskWeightsFile!),
        note: 'test',
      });
      const rewritten = await readH5Weights(join(dir, 'model.weights.h5'));
      assert.deepEqual([...rewritten.keys()].sort(), [...original.keys()].sort());
      for (const [k, v] of original) assert.deepEqual(rewritten.get(k)!.shape, v.shape, k);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).config.image_shape, src.backbone.imageShape);

      const reloaded = loadPresetDir(dir);
      const model = await loadViTModel(reloaded);
      const exp = readExpected(fixture) as { batches: { native: { preprocessed: { shape: number[]; data: unknown[] }; logits: { data: unknown[] } } } };
      const x = tf.tensor4d(flatten(exp.batches.native.preprocessed.data), exp.batches.native.preprocessed.shape as [number, number, number, number]);
      const tokens = vitBackboneForward(model.config, model.backbone, x);
      const head = vitHeadForward(model.task!, model.head!, tokens);
      const { max } = maxAbsDiff(head.logits.dataSync(), flatten(exp.batches.native.logits.data));
      tf.dispose([x, tokens, head.pooled, head.logits, head.probabilities, head.output]);
      disposeViTModel(model);
      assert.ok(max <= 2e-5, `logits differ by ${max}`);
    });
  }
  it('refuses to overwrite an existing preset directory', async () => {
    const src = loadPresetDir(join(fixturesRoot(), listFixtures()[0]!, 'preset'));
    await assert.rejects(
      writeViTPreset(src.dir, { backbone: src.backbone, converter: src.converter!, task: null, backboneArrays: mapViTBackboneWeights(src.backbone, await readH5Weights(src.weightsFile), src.weightsFile), headArrays: null, note: '' }),
      /refusing to overwrite/,
    );
  });
});
