import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { seededRandom } from '../../../../src/core/seededRandom';
import { loadOnnxRuntime } from '../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../src/engine/backend/selectBackend';
import { disposeViTModel, loadViTModel } from '../../../../src/engine/models/vit/vitModel';
import { createOnnxViTRunner } from '../../../../src/engine/runners/onnxViTRunner';
import { cachePrefix } from '../../../../src/engine/train/preparedData';
import { TrainableViT } from '../../../../src/engine/train/trainableVit';
import { runTraining } from '../../../../src/engine/train/trainRun';
import { maxAbsDiff } from '../../helpers/kerasFixtures';

const FIXTURES = resolve('test', 'fixtures', 'keras-vit');

describe('training features on ONNX Runtime', () => {
  for (const name of ['vit_tiny_cls', 'vit_tiny_nocls']) {
    it(`${name}: the frozen prefix (head: pooled features; last-k: tokens) equals the TF.js prefix`, async () => {
      await selectBackend('cpu');
      const loaded = loadOnnxRuntime();
      assert.ok(!('error' in loaded), 'onnxruntime-node must load in the tests');
      const preset = loadPresetDir(join(FIXTURES, name, 'preset'));
      const model = await loadViTModel(preset);
      const runner = await createOnnxViTRunner(preset, { ort: loaded.ort, cacheDir: mkdtempSync(join(tmpdir(), 'vtd-feat-')), threads: 1, notes: [] });
      const [H, W, C] = preset.backbone.imageShape;
      const n = 5;
      const r = seededRandom(5);
      const pixels = Float32Array.from({ length: n * H * W * C }, () => r() * 2 - 1);
      try {
        for (const [mode, k] of [['head', 0], ['last-k', 1], ['last-k', preset.backbone.numLayers]] as const) {
          const tm = new TrainableViT(model.config, model.backbone, mode, k, 3, 1);
          const viaTfjs = await cachePrefix(tm, pixels, n, 2);
          const viaOnnx = await cachePrefix(tm, pixels, n, 2, undefined, runner);
          assert.deepEqual(viaOnnx.shape, viaTfjs.shape, `${mode} k=${k}`);
          const { max } = maxAbsDiff(viaOnnx.dataSync() as Float32Array, viaTfjs.dataSync() as Float32Array);
          assert.ok(max <= 5e-5, `${mode} k=${k}: max |diff| ${max}`);
          tf.dispose([viaTfjs, viaOnnx]);
          tm.dispose();
        }
      } finally {
        await runner.dispose();
        disposeViTModel(model);
      }
    });
  }

  it('a head-only run with a forward runner caches its features on onnx and says so in the plan', async () => {
    await selectBackend('cpu');
    const loaded = loadOnnxRuntime();
    assert.ok(!('error' in loaded));
    let created = 0;
    const ac = new AbortController();
    const r = await runTraining(
      { preset: join(FIXTURES, 'vit_tiny_cls', 'preset'), data: resolve('media/demo/images'), mode: 'head', epochs: 4, batch: 8, lr: 1e-2, maxPerClass: 8, seed: 2 },
      {
        signal: ac.signal, backend: 'cpu', emit: () => {},
        forwardRunner: async (p) => {
          created++;
          return createOnnxViTRunner(p, { ort: loaded.ort, cacheDir: mkdtempSync(join(tmpdir(), 'vtd-feat-')), threads: 1, notes: [] });
        },
      },
    );
    assert.equal(created, 1);
    assert.deepEqual({ f: r.plan.backends.features, g: r.plan.backends.gradients }, { f: 'onnx', g: 'cpu' });
    const l = r.steps.map((s) => s.loss);
    assert.ok(l[l.length - 1]! < l[0]!, `loss did not fall: ${l.join(' ')}`);
  });
});
