import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPresetDir } from '../../../../../src/core/presets/presetLoader';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { loadImage } from '../../../../../src/engine/data/imageLoader';
import { vitBackboneForward } from '../../../../../src/engine/models/vit/vitBackbone';
import { convertImage, type ConverterPath } from '../../../../../src/engine/models/vit/vitImageConverter';
import { vitHeadForward } from '../../../../../src/engine/models/vit/vitImageClassifier';
import { disposeViTModel, loadViTModel } from '../../../../../src/engine/models/vit/vitModel';
import { loadOnnxRuntime } from '../../../../../src/engine/backend/onnxBackend';
import type { ModelRunner } from '../../../../../src/engine/runners/modelRunner';
import { createOnnxViTRunner } from '../../../../../src/engine/runners/onnxViTRunner';
import { createTfjsViTRunner } from '../../../../../src/engine/runners/tfjsViTRunner';
import type { LoadedPreset } from '../../../../../src/core/presets/presetLoader';
import { fixturesRoot, flatten, listFixtures, maxAbsDiff, readExpected, type FixtureTensor } from '../../../helpers/kerasFixtures';

const BACKENDS = (process.env.VIT_DOCTOR_TEST_BACKENDS ?? 'cpu,wasm,onnx,onnx-internals').split(',');

const CACHE = mkdtempSync(join(tmpdir(), 'vtd-onnx-cache-'));

interface Batch {
  images: { file: string }[];
  [key: string]: unknown;
}

async function runBatch(fixture: string, runner: ModelRunner, batch: Batch, path: ConverterPath, convCfg: NonNullable<ReturnType<typeof loadPresetDir>['converter']>) {
  const imgs = await Promise.all(batch.images.map((i) => loadImage(join(fixturesRoot(), fixture, i.file))));
  const converted = imgs.map((im) => convertImage(im, convCfg, path));
  const [H, W] = [converted[0]!.height, converted[0]!.width];
  const data = new Float32Array(converted.length * H * W * 3);
  converted.forEach((c, i) => data.set(c.data, i * H * W * 3));
  const out = await runner.run(data, converted.length);
  const head = out.head!;
  const got: Record<string, ArrayLike<number>> = {
    preprocessed: data,
    embeddings: out.embeddings.data,
    backbone_output: out.backboneOutput.data,
    pooled: head.pooled.data,
    logits: head.logits.data,
    probabilities: head.probabilities.data,
    task_output: head.taskOutput.data,
  };
  // internals are recorded for sample 0 only
  const internals: Record<string, ArrayLike<number>> = {};
  for (const [k, t] of Object.entries(out.internals ?? {})) internals[k] = t.data.subarray(0, t.data.length / (t.shape[0] as number));
  return { got, blocks: out.blocks.map((b) => b.data), internals };
}

/** `onnx` is the graph the engine runs (no extra outputs, so ORT fuses as in production); `onnx-internals` adds block-1 outputs. */
async function createRunner(backend: string, preset: LoadedPreset): Promise<ModelRunner> {
  if (!backend.startsWith('onnx')) return createTfjsViTRunner(preset, { notes: [], internals: true });
  const loaded = loadOnnxRuntime();
  assert.ok(!('error' in loaded), `onnxruntime-node must load: ${'error' in loaded ? loaded.error : ''}`);
  return createOnnxViTRunner(preset, { ort: loaded.ort, cacheDir: CACHE, threads: 2, internals: backend === 'onnx-internals', notes: [] });
}

for (const backend of BACKENDS) {
  describe(`Keras Hub fixtures on ${backend}`, () => {
    before(async () => {
      await selectBackend(backend.startsWith('onnx') ? 'cpu' : (backend as 'cpu' | 'wasm' | 'tensorflow'));
    });
    for (const fixture of listFixtures()) {
      describe(fixture, () => {
        const expected = readExpected(fixture);
        const batches = expected.batches as Record<string, Batch>;
        const atol = (expected.cross_backend as { recommended_atol_float32: Record<string, number> }).recommended_atol_float32;
        const preset = loadPresetDir(join(fixturesRoot(), fixture, 'preset'));
        let runner: ModelRunner;
        before(async () => {
          runner = await createRunner(backend, preset);
          assert.equal(runner.backend.name, backend.startsWith('onnx') ? 'onnx' : backend);
        });
        after(() => runner.dispose());

        const check = (label: string, actual: ArrayLike<number>, exp: FixtureTensor, tol: number): void => {
          const e = flatten(exp.data);
          const { max, at } = maxAbsDiff(actual, e);
          assert.ok(max <= tol, `${label}: max |diff| ${max} at ${at} exceeds ${tol} (got ${actual[at]}, want ${e[at]})`);
        };

        for (const batchName of Object.keys(batches)) {
          it(`${batchName} batch: every recorded tensor within tolerance`, async () => {
            const batch = batches[batchName]!;
            const { got, blocks, internals } = await runBatch(fixture, runner, batch, 'float', preset.converter!);
            for (const key of ['preprocessed', 'embeddings', 'backbone_output', 'pooled', 'logits', 'probabilities', 'task_output']) {
              const exp = batch[key] as FixtureTensor | undefined;
              if (!exp) continue;
              const tol = atol[`${batchName}.${key}`];
              assert.ok(tol !== undefined, `no tolerance for ${batchName}.${key}`);
              assert.ok(got[key], `${key} not produced`);
              check(`${batchName}.${key}`, got[key]!, exp, tol);
            }
            const expBlocks = batch.encoder_block_outputs as FixtureTensor[] | undefined;
            if (expBlocks) {
              assert.equal(blocks.length, expBlocks.length);
              expBlocks.forEach((b, i) => check(`${batchName}.encoder_block_outputs[${i}]`, blocks[i]!, b, atol[`${batchName}.encoder_block_outputs`]!));
            }
            const expInternals = batch.block_1_internals as Record<string, FixtureTensor> | undefined;
            if (expInternals && backend !== 'onnx') {
              assert.equal(Object.keys(internals).length, Object.keys(expInternals).length, 'every block-1 internal is produced');
              for (const [k, v] of Object.entries(expInternals)) {
                assert.ok(internals[k], `internal ${k} not produced`);
                check(`${batchName}.block_1_internals.${k}`, internals[k]!, v, atol[`${batchName}.block_1_internals`]!);
              }
            }
          });
          if (batches[batchName]!.preprocessed_uint8_eager) {
            it(`${batchName} batch: uint8 eager converter path and its logits`, async () => {
              const batch = batches[batchName]!;
              const { got } = await runBatch(fixture, runner, batch, 'uint8-eager', preset.converter!);
              check(`${batchName}.preprocessed_uint8_eager`, got.preprocessed!, batch.preprocessed_uint8_eager as FixtureTensor, atol[`${batchName}.preprocessed_uint8_eager`]!);
              check(`${batchName}.logits_uint8_eager`, got.logits!, batch.logits_uint8_eager as FixtureTensor, atol[`${batchName}.end_to_end_uint8.logits`] ?? atol[`${batchName}.logits`]!);
            });
          }
        }

        if (!backend.startsWith('onnx')) it('forward pass leaves no live tensors behind', async () => {
          const model = await loadViTModel(preset);
          const before = tf.memory().numTensors;
          const x = tf.zeros([2, ...preset.backbone.imageShape]) as tf.Tensor4D;
          const tokens = vitBackboneForward(model.config, model.backbone, x);
          const head = vitHeadForward(model.task!, model.head!, tokens);
          tf.dispose([x, tokens, head.pooled, head.logits, head.probabilities, head.output]);
          assert.equal(tf.memory().numTensors, before);
          disposeViTModel(model);
        });
      });
    }
  });
}
