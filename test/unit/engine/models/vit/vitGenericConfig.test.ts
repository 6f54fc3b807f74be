import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadPresetDir } from '../../../../../src/core/presets/presetLoader';
import type { ImageClassifierConfig, ViTBackboneConfig } from '../../../../../src/core/presets/presetSchema';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { vitBackboneForward } from '../../../../../src/engine/models/vit/vitBackbone';
import { vitHeadForward } from '../../../../../src/engine/models/vit/vitImageClassifier';
import { initViTBackboneArrays, initViTHeadArrays } from '../../../../../src/engine/models/vit/vitInit';
import { disposeViTModel, loadViTModel } from '../../../../../src/engine/models/vit/vitModel';
import { writeViTPreset } from '../../../../../src/engine/models/vit/vitPresetWriter';

const base: ViTBackboneConfig = {
  imageShape: [24, 40, 3], patchSize: [8, 4], numLayers: 3, numHeads: 3, hiddenDim: 12, mlpDim: 20, dropoutRate: 0, attentionDropout: 0,
  layerNormEpsilon: 1e-3, useMhaBias: false, useMlpBias: false, useClassToken: false, usePatchBias: false, dtype: 'float32',
};

async function roundTrip(cfg: ViTBackboneConfig, task: ImageClassifierConfig) {
  const dir = join(mkdtempSync(join(tmpdir(), 'vtd-gen-')), 'p');
  await writeViTPreset(dir, {
    backbone: cfg,
    converter: { className: 'ViTImageConverter', imageSize: [cfg.imageShape[0], cfg.imageShape[1]], scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1], normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false },
    task, backboneArrays: initViTBackboneArrays(cfg, 1), headArrays: initViTHeadArrays(task, cfg.hiddenDim, 2), note: 'test',
  });
  return loadPresetDir(dir);
}

describe('ViT generic over every config field', () => {
  before(async () => {
    await selectBackend('cpu');
  });
  it('non-square image and patch, no class token, no biases, gap pooling, tanh pre-logits, softmax head', async () => {
    const task: ImageClassifierConfig = { className: 'ViTImageClassifier', numClasses: 5, pooling: 'gap', activation: 'softmax', dropout: 0, intermediateDim: 6 };
    const preset = await roundTrip(base, task);
    assert.deepEqual(preset.backbone.patchSize, [8, 4]);
    const model = await loadViTModel(preset);
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 24, 40, 3], -1, 1) as tf.Tensor4D;
    const tokens = vitBackboneForward(model.config, model.backbone, x);
    assert.deepEqual(tokens.shape, [2, (24 / 8) * (40 / 4), 12]);
    const head = vitHeadForward(model.task!, model.head!, tokens);
    assert.deepEqual(head.output.shape, [2, 5]);
    const sums = tf.tidy(() => tf.sum(head.output, 1).dataSync());
    for (const v of sums) assert.ok(Math.abs(v - 1) < 1e-5, 'softmax activation');
    // gap pooling = mean over all tokens
    const mean = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.mean(tokens, 1), head.pooled))).dataSync()[0] as number);
    assert.ok(mean < 1e-6);
    tf.dispose([x, tokens, head.pooled, head.logits, head.probabilities, head.output]);
    assert.equal(tf.memory().numTensors, before);
    disposeViTModel(model);
  });
  it('class token on: T = patches + 1 and token pooling takes index 0', async () => {
    const cfg = { ...base, useClassToken: true, useMhaBias: true, useMlpBias: true, usePatchBias: true };
    const preset = await roundTrip(cfg, { className: 'ViTImageClassifier', numClasses: 2, pooling: 'token', activation: null, dropout: 0, intermediateDim: null });
    const model = await loadViTModel(preset);
    const x = tf.zeros([1, 24, 40, 3]) as tf.Tensor4D;
    const tokens = vitBackboneForward(model.config, model.backbone, x);
    assert.equal(tokens.shape[1], 31);
    const head = vitHeadForward(model.task!, model.head!, tokens);
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.reshape(tf.slice(tokens, [0, 0, 0], [1, 1, -1]), [1, 12]), head.pooled))).dataSync()[0] as number);
    assert.equal(d, 0);
    tf.dispose([x, tokens, head.pooled, head.logits, head.probabilities, head.output]);
    disposeViTModel(model);
  });
  it('12+ blocks load in numeric order (vi_t_encoder_block_10 after _9)', async () => {
    const cfg = { ...base, numLayers: 12 };
    const preset = await roundTrip(cfg, { className: 'ViTImageClassifier', numClasses: 2, pooling: 'gap', activation: null, dropout: 0, intermediateDim: null });
    const model = await loadViTModel(preset);
    const expected = initViTBackboneArrays(cfg, 1);
    for (let i = 0; i < 12; i++) {
      const got = model.backbone.blocks[i]!.w1.dataSync();
      assert.deepEqual(Array.from(got.slice(0, 5)), Array.from(expected.blocks[i]!.w1.data.slice(0, 5)), `block ${i + 1}`);
    }
    disposeViTModel(model);
  });
});
