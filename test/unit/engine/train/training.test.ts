import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import type { TrainEvent, TrainParams, TrainResult } from '../../../../src/protocol/trainProtocol';
import { selectBackend } from '../../../../src/engine/backend/selectBackend';
import { loadImage } from '../../../../src/engine/data/imageLoader';
import { vitBackboneForward } from '../../../../src/engine/models/vit/vitBackbone';
import { convertImage } from '../../../../src/engine/models/vit/vitImageConverter';
import { vitHeadForward } from '../../../../src/engine/models/vit/vitImageClassifier';
import { disposeViTModel, loadViTModel } from '../../../../src/engine/models/vit/vitModel';
import { runPipelineChecks } from '../../../../src/engine/train/pipelineChecks';
import { runTraining } from '../../../../src/engine/train/trainRun';

const PRESET = resolve('media/demo/preset');
const DATA = resolve('media/demo/images');
const BACKENDS = (process.env.VIT_DOCTOR_TEST_BACKENDS ?? 'cpu,wasm').split(',') as ('cpu' | 'wasm')[];

async function train(p: Partial<TrainParams>, onEvent?: (e: TrainEvent, abort: () => void) => void): Promise<TrainResult> {
  const ac = new AbortController();
  return runTraining({ preset: PRESET, data: DATA, seed: 3, ...p }, { signal: ac.signal, backend: tf.getBackend(), emit: (e) => onEvent?.(e, () => ac.abort()) });
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

const FIXTURE_PRESET = resolve('test', 'fixtures', 'keras-vit', 'vit_tiny_cls', 'preset');

for (const backend of BACKENDS) {
  describe(`training on ${backend}`, () => {
    it('the loss falls over a few steps on a Keras fixture preset (head and full)', async () => {
      await selectBackend(backend);
      const before = tf.memory().numTensors;
      const head = await train({ preset: FIXTURE_PRESET, mode: 'head', epochs: 6, batch: 8, lr: 1e-2, maxPerClass: 10 });
      const hl = head.steps.map((x) => x.loss);
      assert.ok(mean(hl.slice(-3)) < mean(hl.slice(0, 3)), `fixture head loss did not fall: ${hl.map((x) => x.toFixed(3)).join(' ')}`);
      const full = await train({ preset: FIXTURE_PRESET, mode: 'full', epochs: 4, batch: 8, lr: 1e-3, maxPerClass: 6 });
      const fe = full.epochs;
      assert.ok(fe[fe.length - 1]!.trainLoss < fe[0]!.trainLoss, `fixture full loss did not fall: ${fe.map((x) => x.trainLoss.toFixed(3)).join(' ')}`);
      assert.ok(full.steps.some((x) => 'embeddings' in x.gradNorms), 'full mode trains the patch embedding');
      assert.equal(tf.memory().numTensors, before, 'training leaked tensors');
    });

    it('the loss falls over a few steps on the demo preset (head, then last-k)', async () => {
      await selectBackend(backend);
      const before = tf.memory().numTensors;
      const head = await train({ mode: 'head', epochs: 6, batch: 8, lr: 1e-2 });
      const l = head.steps.map((s) => s.loss);
      assert.ok(mean(l.slice(-4)) < mean(l.slice(0, 4)), `head loss did not fall: ${l.map((x) => x.toFixed(3)).join(' ')}`);
      const lastK = await train({ mode: 'last-k', k: 1, epochs: 3, batch: 8, lr: 3e-4, maxPerClass: 8 });
      const e = lastK.epochs;
      assert.ok(e[e.length - 1]!.trainLoss < e[0]!.trainLoss, `last-k loss did not fall: ${e.map((x) => x.trainLoss.toFixed(3)).join(' ')}`);
      assert.ok(lastK.steps.every((s) => Object.keys(s.gradNorms).includes('block_4') && Object.keys(s.gradNorms).includes('head')));
      assert.equal(tf.memory().numTensors, before, 'training leaked tensors');
    });
  });
}

describe('training behaviour', () => {
  it('cancel stops within one step', async () => {
    await selectBackend('wasm');
    const r = await train({ mode: 'full', epochs: 5, batch: 4, lr: 1e-4 }, (ev, abort) => {
      if (ev.type === 'step') abort();
    });
    assert.equal(r.stopped, 'cancelled');
    assert.equal(r.steps.length, 1);
  });

  it('unreadable images are listed and skipped, never silently', async () => {
    const d = join(mkdtempSync(join(tmpdir(), 'vtd-data-')), 'data');
    cpSync(DATA, d, { recursive: true });
    writeFileSync(join(d, 'circle', 'broken.png'), 'not an image');
    const r = await train({ data: d, mode: 'head', epochs: 1, batch: 16 });
    assert.equal(r.data.skipped.length, 1);
    assert.match(r.data.skipped[0]!.file, /broken\.png$/);
    assert.ok(r.health.some((h) => h.code === 'skipped-files' && /broken\.png/.test(h.message)));
  });

  it('a NaN loss stops the run with the step number', async () => {
    const r = await train({ mode: 'head', epochs: 3, batch: 8, lr: 3e38, optimizer: 'sgd' });
    assert.equal(r.stopped, 'nan');
    assert.match(r.health.find((h) => h.code === 'nan-loss')!.message, /at step \d+/);
  });

  it('a batch that cannot fit in memory is refused before starting, with a batch (and accumulation) that will', async () => {
    await assert.rejects(train({ mode: 'full', batch: 100000 }), /needs about \d+ MB.*Use --batch \d+ with --accumulate \d+/);
  });

  it('the saved weights reload to the same outputs', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vtd-train-')), 'trained');
    const r = await train({ mode: 'last-k', k: 1, epochs: 2, batch: 8, lr: 3e-4, out });
    assert.equal(r.savedTo, out);
    const preset = loadPresetDir(out);
    assert.equal(preset.task!.numClasses, 4);
    const model = await loadViTModel(preset);
    const [H, W, C] = preset.backbone.imageShape;
    const imgs = await Promise.all(r.valFiles.map(loadImage));
    const data = new Float32Array(imgs.length * H * W * C);
    imgs.forEach((im, i) => data.set(convertImage(im, preset.converter!).data, i * H * W * C));
    const x = tf.tensor4d(data, [imgs.length, H, W, C]);
    const tokens = vitBackboneForward(model.config, model.backbone, x);
    const head = vitHeadForward(model.task!, model.head!, tokens);
    const got = head.logits.arraySync() as number[][];
    tf.dispose([x, tokens, head.pooled, head.logits, head.probabilities, head.output]);
    disposeViTModel(model);
    let max = 0;
    got.forEach((row, i) => row.forEach((v, j) => (max = Math.max(max, Math.abs(v - r.valLogits[i]![j]!)))));
    assert.ok(max < 1e-4, `reloaded logits differ by ${max}`);
  });
});

describe('pipeline checks on the bundled demo', () => {
  it('overfit one batch passes, the zero-input baseline differs, and the preprocessing A/B gap appears', async () => {
    await selectBackend('wasm');
    const r = await runPipelineChecks({ preset: PRESET, data: DATA, seed: 5 }, { signal: new AbortController().signal, backend: 'wasm', emit: () => {} });
    assert.equal(r.initLoss.verdict, 'ok', `init loss ${r.initLoss.loss} vs ${r.initLoss.lnC}`);
    assert.ok(r.overfit.passed, r.overfit.verdict);
    assert.equal(r.baseline.ignoresInput, false, r.baseline.verdict);
    const acc = Object.fromEntries(r.ab.map((a) => [a.preprocessing, a.valAccuracy]));
    const loss = Object.fromEntries(r.ab.map((a) => [a.preprocessing, a.valLoss]));
    assert.ok(acc.preset! >= 0.85, `preset converter accuracy ${acc.preset}`);
    for (const wrong of ['none', 'rescale']) {
      assert.ok(acc.preset! - acc[wrong]! >= 0.05, `A/B accuracy gap too small for ${wrong}: ${JSON.stringify(acc)}`);
      assert.ok(loss.preset! < 0.7 * loss[wrong]!, `A/B loss gap too small for ${wrong}: ${JSON.stringify(loss)}`);
    }
  });
});
