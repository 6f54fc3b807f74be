import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadPresetDir, type LoadedPreset } from '../../../../src/core/presets/presetLoader';
import type { ImageClassifierConfig, ViTBackboneConfig } from '../../../../src/core/presets/presetSchema';
import { seededRandom } from '../../../../src/core/seededRandom';
import { loadOnnxRuntime, type OrtModule } from '../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../src/engine/backend/selectBackend';
import { initViTBackboneArrays, initViTHeadArrays } from '../../../../src/engine/models/vit/vitInit';
import { writeViTPreset } from '../../../../src/engine/models/vit/vitPresetWriter';
import type { StagedOutputs } from '../../../../src/engine/runners/modelRunner';
import { createOnnxViTRunner } from '../../../../src/engine/runners/onnxViTRunner';
import { createTfjsViTRunner } from '../../../../src/engine/runners/tfjsViTRunner';
import { maxAbsDiff } from '../../helpers/kerasFixtures';

const base: ViTBackboneConfig = {
  imageShape: [24, 40, 3], patchSize: [8, 4], numLayers: 3, numHeads: 3, hiddenDim: 12, mlpDim: 20, dropoutRate: 0, attentionDropout: 0,
  layerNormEpsilon: 1e-3, useMhaBias: false, useMlpBias: false, useClassToken: false, usePatchBias: false, dtype: 'float32',
};

async function writePreset(cfg: ViTBackboneConfig, task: ImageClassifierConfig | null, seed = 1): Promise<LoadedPreset> {
  const dir = join(mkdtempSync(join(tmpdir(), 'vtd-onnx-')), 'p');
  await writeViTPreset(dir, {
    backbone: cfg,
    converter: { className: 'ViTImageConverter', imageSize: [cfg.imageShape[0], cfg.imageShape[1]], scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1], normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false },
    task, backboneArrays: initViTBackboneArrays(cfg, seed), headArrays: task ? initViTHeadArrays(task, cfg.hiddenDim, seed + 1) : null, note: 'test',
  });
  return loadPresetDir(dir);
}

function randomImages(cfg: ViTBackboneConfig, batch: number): Float32Array {
  const r = seededRandom(7);
  const x = new Float32Array(batch * cfg.imageShape[0] * cfg.imageShape[1] * cfg.imageShape[2]);
  for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
  return x;
}

/** Every stage of two runs agrees within the fixtures' float32 tolerances (block outputs 5e-5, logits 2e-5). */
function assertSameStages(a: StagedOutputs, b: StagedOutputs): void {
  const cmp = (label: string, x: Float32Array, y: Float32Array, tol: number): void => {
    const { max } = maxAbsDiff(x, y);
    assert.ok(max <= tol, `${label}: max |diff| ${max} > ${tol}`);
  };
  assert.deepEqual(a.embeddings.shape, b.embeddings.shape);
  cmp('embeddings', a.embeddings.data, b.embeddings.data, 1e-5);
  assert.equal(a.blocks.length, b.blocks.length);
  a.blocks.forEach((blk, i) => cmp(`block_${i + 1}`, blk.data, b.blocks[i]!.data, 5e-5));
  cmp('backbone_output', a.backboneOutput.data, b.backboneOutput.data, 5e-5);
  assert.equal(!!a.head, !!b.head);
  if (a.head && b.head) {
    cmp('pooled', a.head.pooled.data, b.head.pooled.data, 5e-5);
    cmp('logits', a.head.logits.data, b.head.logits.data, 2e-5);
    cmp('probabilities', a.head.probabilities.data, b.head.probabilities.data, 1e-5);
    cmp('task_output', a.head.taskOutput.data, b.head.taskOutput.data, 2e-5);
  }
}

describe('onnx runner', () => {
  let ort: OrtModule;
  const cache = mkdtempSync(join(tmpdir(), 'vtd-onnx-cache-'));
  before(async () => {
    await selectBackend('cpu');
    const loaded = loadOnnxRuntime();
    assert.ok(!('error' in loaded));
    ort = loaded.ort;
  });
  const onnx = (p: LoadedPreset, cacheDir = cache) => createOnnxViTRunner(p, { ort, cacheDir, threads: 1, notes: [] });

  const variants: [string, ViTBackboneConfig, ImageClassifierConfig | null][] = [
    ['non-square image and patch, no class token, no biases, eps 1e-3, gap, tanh pre-logits, softmax head', base,
      { className: 'ViTImageClassifier', numClasses: 5, pooling: 'gap', activation: 'softmax', dropout: 0, intermediateDim: 6 }],
    ['class token, every bias, token pooling, logits', { ...base, useClassToken: true, useMhaBias: true, useMlpBias: true, usePatchBias: true, layerNormEpsilon: 1e-6 },
      { className: 'ViTImageClassifier', numClasses: 2, pooling: 'token', activation: null, dropout: 0, intermediateDim: null }],
    ['sigmoid head on gap with class token', { ...base, useClassToken: true },
      { className: 'ViTImageClassifier', numClasses: 3, pooling: 'gap', activation: 'sigmoid', dropout: 0, intermediateDim: null }],
    ['12 blocks in numeric order, backbone only', { ...base, numLayers: 12 }, null],
  ];
  for (const [name, cfg, task] of variants) {
    it(`matches the TF.js path at every stage: ${name}`, async () => {
      const preset = await writePreset(cfg, task);
      const x = randomImages(cfg, 3);
      const a = await onnx(preset);
      const b = await createTfjsViTRunner(preset, { notes: [] });
      try {
        assert.equal(a.parameterCount, b.parameterCount);
        const [oa, ob] = [await a.run(x, 3), await b.run(x, 3)];
        assert.equal(oa.blocks.length, cfg.numLayers);
        assertSameStages(oa, ob);
      } finally {
        await a.dispose();
        await b.dispose();
      }
    });
  }

  it('caches the built graph: the second load skips weight reading, and a corrupt entry is rebuilt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-cache-'));
    const preset = await writePreset(base, null);
    const first = await onnx(preset, dir);
    assert.ok('readWeightsMs' in first.loadTimings && 'buildGraphMs' in first.loadTimings);
    assert.ok(first.backend.notes.some((n) => /built from the preset/.test(n)));
    const x = randomImages(base, 2);
    const want = (await first.run(x, 2)).backboneOutput.data;
    await first.dispose();

    const second = await onnx(preset, dir);
    assert.ok(!('readWeightsMs' in second.loadTimings), 'a cache hit reads no weights');
    assert.ok(second.backend.notes.some((n) => /loaded from the cache/.test(n)));
    await second.dispose();

    // flip bytes in the cached weights: the entry must not be trusted
    const [entry] = readdirSync(join(dir, 'onnx'));
    const data = join(dir, 'onnx', entry!, 'weights.bin');
    const bytes = readFileSync(data);
    bytes[bytes.length - 5]! ^= 0xff;
    writeFileSync(data, bytes);
    const third = await onnx(preset, dir);
    assert.ok(third.backend.notes.some((n) => /corrupt; rebuilt/.test(n)));
    assert.deepEqual(Array.from((await third.run(x, 2)).backboneOutput.data), Array.from(want));
    await third.dispose();
  });

  it('other weights under the same config get another cache entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-cache-'));
    const a = await writePreset(base, null, 1);
    const b = await writePreset(base, null, 5);
    for (const p of [a, b]) await (await onnx(p, dir)).dispose();
    assert.equal(readdirSync(join(dir, 'onnx')).length, 2);
  });

  it('a cache folder that cannot be created falls back to the temp folder with a note', async () => {
    // a regular file where the folder should be: ENOTDIR, even for root
    const blocker = join(mkdtempSync(join(tmpdir(), 'vtd-ro-')), 'not-a-dir');
    writeFileSync(blocker, 'x');
    const r = await onnx(await writePreset(base, null), blocker);
    assert.ok(r.backend.notes.some((n) => /not writable/.test(n)));
    await r.dispose();
  });
});
