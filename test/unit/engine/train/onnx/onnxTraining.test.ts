import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadPresetDir, type LoadedPreset } from '../../../../../src/core/presets/presetLoader';
import type { CheckParams, TrainEvent, TrainParams, TrainResult } from '../../../../../src/protocol/trainProtocol';
import { loadOnnxRuntime } from '../../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { loadImage } from '../../../../../src/engine/data/imageLoader';
import { convertImage } from '../../../../../src/engine/models/vit/vitImageConverter';
import { createOnnxViTRunner } from '../../../../../src/engine/runners/onnxViTRunner';
import { OnnxTrainer } from '../../../../../src/engine/train/onnx/onnxTrainer';
import { runPipelineChecks } from '../../../../../src/engine/train/pipelineChecks';
import { runTraining, type TrainContext } from '../../../../../src/engine/train/trainRun';

const PRESET = resolve('media/demo/preset');
const DATA = resolve('media/demo/images');
const FIXTURE_PRESET = resolve('test', 'fixtures', 'keras-vit', 'vit_tiny_cls', 'preset');

function onnxContext(emit: (e: TrainEvent) => void = () => {}, signal = new AbortController().signal): TrainContext {
  const loaded = loadOnnxRuntime();
  if ('error' in loaded) throw new Error(`onnxruntime-node must load in the tests: ${loaded.error}`);
  const cacheDir = mkdtempSync(join(tmpdir(), 'vtd-onnx-train-'));
  return {
    signal, emit, backend: 'cpu',
    onnx: { ort: loaded.ort, threads: 1 },
    forwardRunner: (p: LoadedPreset) => createOnnxViTRunner(p, { ort: loaded.ort, cacheDir, threads: 1, notes: [] }),
  };
}

const tfjsContext = (): TrainContext => ({ signal: new AbortController().signal, backend: 'cpu', emit: () => {} });
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training on ONNX Runtime', () => {
  it('head, last-k and full: the loss falls, gradients and the optimizer run on onnx, health per block', async () => {
    await selectBackend('cpu');
    const base: TrainParams = { preset: PRESET, data: DATA, seed: 3 };
    const head = await runTraining({ ...base, mode: 'head', epochs: 6, batch: 8, lr: 1e-2 }, onnxContext());
    assert.deepEqual({ f: head.plan.backends.features, g: head.plan.backends.gradients }, { f: 'onnx', g: 'onnx' });
    const hl = head.steps.map((s) => s.loss);
    assert.ok(mean(hl.slice(-4)) < mean(hl.slice(0, 4)), `head loss did not fall: ${hl.map((x) => x.toFixed(3)).join(' ')}`);
    const lastK = await runTraining({ ...base, mode: 'last-k', k: 1, epochs: 3, batch: 8, lr: 3e-4, maxPerClass: 8, accumulate: 2 }, onnxContext());
    const e = lastK.epochs;
    assert.ok(e[e.length - 1]!.trainLoss < e[0]!.trainLoss, `last-k loss did not fall: ${e.map((x) => x.trainLoss.toFixed(3)).join(' ')}`);
    assert.ok(lastK.steps.every((s) => Object.keys(s.gradNorms).sort().join() === 'block_4,final_ln,head'), JSON.stringify(lastK.steps[0]?.gradNorms));
    assert.equal(lastK.steps.length, 3 * Math.ceil(Math.ceil(lastK.data.train / 8) / 2), 'one optimizer step per two micro-batches');
    const full = await runTraining({ ...base, preset: FIXTURE_PRESET, mode: 'full', epochs: 4, batch: 8, lr: 1e-3, maxPerClass: 6, clipNorm: 1 }, onnxContext());
    const fe = full.epochs;
    assert.ok(fe[fe.length - 1]!.trainLoss < fe[0]!.trainLoss, `full loss did not fall: ${fe.map((x) => x.trainLoss.toFixed(3)).join(' ')}`);
    assert.ok(full.steps.every((s) => 'embeddings' in s.gradNorms && 'block_1' in s.gradNorms), 'full mode trains the patch embedding and every block');
  });

  it('cancel stops within one step; a NaN loss stops the run with its step', async () => {
    await selectBackend('cpu');
    const ac = new AbortController();
    const r = await runTraining({ preset: PRESET, data: DATA, seed: 3, mode: 'full', epochs: 5, batch: 4, lr: 1e-4 }, onnxContext((ev) => ev.type === 'step' && ac.abort(), ac.signal));
    assert.equal(r.stopped, 'cancelled');
    assert.equal(r.steps.length, 1);
    const nan = await runTraining({ preset: PRESET, data: DATA, seed: 3, mode: 'head', epochs: 3, batch: 8, lr: 3e38, optimizer: 'sgd' }, onnxContext());
    assert.equal(nan.stopped, 'nan');
    assert.match(nan.health.find((h) => h.code === 'nan-loss')!.message, /at step \d+/);
  });

  it('--out: the saved preset reloads (on a fresh ONNX session) to the logits training reported', async () => {
    await selectBackend('cpu');
    const out = join(mkdtempSync(join(tmpdir(), 'vtd-onnx-out-')), 'trained');
    const r = await runTraining({ preset: PRESET, data: DATA, seed: 3, mode: 'last-k', k: 1, epochs: 2, batch: 8, lr: 3e-4, out }, onnxContext());
    assert.equal(r.savedTo, out);
    const preset = loadPresetDir(out);
    assert.equal(preset.task!.numClasses, 4);
    const loaded = loadOnnxRuntime();
    assert.ok(!('error' in loaded));
    const runner = await createOnnxViTRunner(preset, { ort: loaded.ort, cacheDir: mkdtempSync(join(tmpdir(), 'vtd-onnx-out-cache-')), threads: 1, notes: [] });
    const [H, W, C] = preset.backbone.imageShape;
    const imgs = await Promise.all(r.valFiles.map(loadImage));
    const data = new Float32Array(imgs.length * H * W * C);
    imgs.forEach((im, i) => data.set(convertImage(im, preset.converter!).data, i * H * W * C));
    const got = (await runner.run(data, imgs.length)).head!.logits.data;
    await runner.dispose();
    let max = 0;
    r.valLogits.forEach((row, i) => row.forEach((v, j) => (max = Math.max(max, Math.abs(v - got[i * 4 + j]!)))));
    assert.ok(max < 1e-4, `reloaded logits differ by ${max}`);
  });

  it('the optimizer step on its own ONNX session (ping-pong outputs) and the fused step give the same weights', async () => {
    const loaded = loadOnnxRuntime();
    assert.ok(!('error' in loaded));
    const preset = loadPresetDir(FIXTURE_PRESET);
    const [H, W, C] = preset.backbone.imageShape;
    const x = { data: Float32Array.from({ length: 6 * H * W * C }, (_, i) => Math.sin(i)), rowShape: [H, W, C], n: 6 };
    const weights: Float32Array[] = [];
    for (const optimizerOn of ['js', 'onnx'] as const) {
      const t = await OnnxTrainer.create(preset, { ort: loaded.ort, threads: 1, mode: 'full', k: 0, numClasses: 3, seed: 2, optimizer: 'adamw', accumulate: 2, clipNorm: 0.5, optimizerOn });
      for (let s = 0; s < 3; s++) {
        await t.accumulate(x, [0, 1, 2], [0, 1, 2]);
        await t.accumulate(x, [3, 4, 5], [2, 1, 0]);
        await t.apply(1e-2);
      }
      weights.push((await t.toArrays()).backbone.blocks[0]!.wq.data);
      await t.dispose();
    }
    const [js, onnx] = weights as [Float32Array, Float32Array];
    let max = 0;
    js.forEach((v, i) => (max = Math.max(max, Math.abs(v - onnx[i]!))));
    assert.ok(max <= 1e-6, `max |js − onnx| ${max}`);
  });

  it('the fused step split over two threads (worker thread) gives the same weights and norms as one thread', async () => {
    const loaded = loadOnnxRuntime();
    assert.ok(!('error' in loaded));
    const preset = loadPresetDir(FIXTURE_PRESET);
    const [H, W, C] = preset.backbone.imageShape;
    const x = { data: Float32Array.from({ length: 6 * H * W * C }, (_, i) => Math.cos(i)), rowShape: [H, W, C], n: 6 };
    for (const o of [{ accumulate: 2, clipNorm: 0.5 }, { accumulate: 1, clipNorm: null }]) {
      const runs: { params: Float32Array[]; norms: number[]; saved: Float32Array }[] = [];
      for (const splitOptimizer of [false, true]) {
        const t = await OnnxTrainer.create(preset, { ort: loaded.ort, threads: 2, mode: 'full', k: 0, numClasses: 3, seed: 2, optimizer: 'adamw', splitOptimizer, ...o });
        assert.equal(t.optimizerThreads, splitOptimizer ? 2 : 1);
        const norms: number[] = [];
        for (let s = 0; s < 3; s++) {
          await t.accumulate(x, [0, 1, 2], [0, 1, 2]);
          if (o.accumulate === 2) await t.accumulate(x, [3, 4, 5], [2, 1, 0]);
          norms.push((await t.apply(1e-2)).gradNorm);
        }
        runs.push({ params: t.snapshot().map((p) => p.param), norms, saved: (await t.toArrays()).backbone.blocks[0]!.w2.data });
        await t.dispose();
      }
      const [one, two] = runs as [(typeof runs)[0], (typeof runs)[0]];
      assert.deepEqual(two.norms, one.norms, `accumulate ${o.accumulate}: gradient norms`);
      one.params.forEach((p, i) => assert.deepEqual(two.params[i], p, `accumulate ${o.accumulate}: parameter ${i}`));
      assert.deepEqual(two.saved, one.saved, 'the weights written out are the trained ones');
    }
  });

  it('a batch that cannot fit is refused before training, with a batch that will', async () => {
    await assert.rejects(runTraining({ preset: PRESET, data: DATA, mode: 'full', batch: 100000 }, onnxContext()), /needs about \d+ MB.*Use --batch \d+ with --accumulate \d+/);
  });
});

/**
 * The same run on both backends: identical data order, head initialisation and optimizer formulas, so the curves
 * differ only by float32 rounding (different kernels and summation orders), which grows slowly over the steps.
 * 20 steps of last-k: |loss_onnx − loss_tfjs| ≤ 2e-3 · max(1, loss) per step.
 */
describe('ONNX Runtime and TF.js train the same model', () => {
  it('last-k (k=2), 20 optimizer steps: the loss curves match', async () => {
    await selectBackend('cpu');
    const p: TrainParams = { preset: PRESET, data: DATA, seed: 4, mode: 'last-k', k: 2, epochs: 2, batch: 12, lr: 1e-4, optimizer: 'adamw' };
    const onnx: TrainResult = await runTraining(p, onnxContext());
    const ref: TrainResult = await runTraining(p, tfjsContext());
    assert.equal(onnx.steps.length, ref.steps.length);
    assert.ok(onnx.steps.length >= 20, `${onnx.steps.length} steps`);
    onnx.steps.slice(0, 20).forEach((s, i) => {
      const want = ref.steps[i]!.loss;
      assert.ok(Math.abs(s.loss - want) <= 2e-3 * Math.max(1, want), `step ${i + 1}: onnx ${s.loss} vs tfjs ${want}`);
    });
  });

  it('vit-doctor check: the same verdicts, and the overfit curve matches over its first 20 steps', async () => {
    await selectBackend('cpu');
    const p: CheckParams = { preset: PRESET, data: DATA, seed: 5 };
    const onnx = await runPipelineChecks(p, onnxContext());
    const ref = await runPipelineChecks(p, tfjsContext());
    assert.equal(onnx.initLoss.verdict, ref.initLoss.verdict);
    assert.equal(onnx.overfit.passed, ref.overfit.passed);
    assert.equal(onnx.baseline.ignoresInput, ref.baseline.ignoresInput);
    assert.ok(onnx.overfit.passed && !onnx.baseline.ignoresInput);
    onnx.overfit.losses.slice(0, 20).forEach((l, i) => assert.ok(Math.abs(l - ref.overfit.losses[i]!) <= 2e-3 * Math.max(1, l), `overfit step ${i + 1}: onnx ${l} vs tfjs ${ref.overfit.losses[i]}`));
    const acc = (r: typeof onnx): Record<string, number> => Object.fromEntries(r.ab.map((a) => [a.preprocessing, a.valAccuracy]));
    assert.deepEqual(Object.keys(acc(onnx)), Object.keys(acc(ref)));
    for (const [k, v] of Object.entries(acc(onnx))) assert.ok(Math.abs(v - acc(ref)[k]!) <= 0.05, `A/B ${k}: onnx ${v} vs tfjs ${acc(ref)[k]}`);
  });
});
