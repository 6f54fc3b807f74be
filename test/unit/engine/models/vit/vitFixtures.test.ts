import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPresetDir } from '../../../../../src/core/presets/presetLoader';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { loadImage } from '../../../../../src/engine/data/imageLoader';
import { vitBackboneForward } from '../../../../../src/engine/models/vit/vitBackbone';
import { convertImage, type ConverterPath } from '../../../../../src/engine/models/vit/vitImageConverter';
import { vitHeadForward } from '../../../../../src/engine/models/vit/vitImageClassifier';
import { disposeViTModel, loadViTModel, type ViTModel } from '../../../../../src/engine/models/vit/vitModel';
import { fixturesRoot, flatten, listFixtures, maxAbsDiff, readExpected, type FixtureTensor } from '../../../helpers/kerasFixtures';

const BACKENDS = (process.env.VIT_DOCTOR_TEST_BACKENDS ?? 'cpu,wasm').split(',') as ('cpu' | 'wasm' | 'tensorflow')[];

interface Batch {
  images: { file: string }[];
  [key: string]: unknown;
}

async function runBatch(fixture: string, model: ViTModel, batch: Batch, path: ConverterPath, convCfg: NonNullable<ReturnType<typeof loadPresetDir>['converter']>) {
  const imgs = await Promise.all(batch.images.map((i) => loadImage(join(fixturesRoot(), fixture, i.file))));
  const converted = imgs.map((im) => convertImage(im, convCfg, path));
  const [H, W] = [converted[0]!.height, converted[0]!.width];
  const data = new Float32Array(converted.length * H * W * 3);
  converted.forEach((c, i) => data.set(c.data, i * H * W * 3));
  const got: Record<string, Float32Array> = { preprocessed: data };
  const blocks: Float32Array[] = [];
  const internals: Record<string, Float32Array> = {};
  const x = tf.tensor4d(data, [converted.length, H, W, 3]);
  const tokens = vitBackboneForward(model.config, model.backbone, x, (name, t) => {
    if (name === 'embeddings') got.embeddings = t.dataSync() as Float32Array;
    else if (/^block_\d+$/.test(name)) blocks.push(t.dataSync() as Float32Array);
    else if (name.startsWith('block_1/')) {
      // internals are recorded for sample 0 only
      const s = tf.tidy(() => tf.slice(t, 0, 1));
      internals[name.slice(8)] = s.dataSync() as Float32Array;
      s.dispose();
    }
  });
  got.backbone_output = tokens.dataSync() as Float32Array;
  const head = vitHeadForward(model.task!, model.head!, tokens);
  got.pooled = head.pooled.dataSync() as Float32Array;
  got.logits = head.logits.dataSync() as Float32Array;
  got.probabilities = head.probabilities.dataSync() as Float32Array;
  got.task_output = head.output.dataSync() as Float32Array;
  tf.dispose([x, tokens, head.pooled, head.logits, head.probabilities, head.output]);
  return { got, blocks, internals };
}

for (const backend of BACKENDS) {
  describe(`Keras Hub fixtures on ${backend}`, () => {
    before(async () => {
      await selectBackend(backend);
    });
    for (const fixture of listFixtures()) {
      describe(fixture, () => {
        const expected = readExpected(fixture);
        const batches = expected.batches as Record<string, Batch>;
        const atol = (expected.cross_backend as { recommended_atol_float32: Record<string, number> }).recommended_atol_float32;
        const preset = loadPresetDir(join(fixturesRoot(), fixture, 'preset'));
        let model: ViTModel;
        before(async () => {
          model = await loadViTModel(preset);
        });
        after(() => disposeViTModel(model));

        const check = (label: string, actual: ArrayLike<number>, exp: FixtureTensor, tol: number): void => {
          const e = flatten(exp.data);
          const { max, at } = maxAbsDiff(actual, e);
          assert.ok(max <= tol, `${label}: max |diff| ${max} at ${at} exceeds ${tol} (got ${actual[at]}, want ${e[at]})`);
        };

        for (const batchName of Object.keys(batches)) {
          it(`${batchName} batch: every recorded tensor within tolerance`, async () => {
            const batch = batches[batchName]!;
            const { got, blocks, internals } = await runBatch(fixture, model, batch, 'float', preset.converter!);
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
            if (expInternals) {
              for (const [k, v] of Object.entries(expInternals)) {
                assert.ok(internals[k], `internal ${k} not produced`);
                check(`${batchName}.block_1_internals.${k}`, internals[k]!, v, atol[`${batchName}.block_1_internals`]!);
              }
            }
          });
          if (batches[batchName]!.preprocessed_uint8_eager) {
            it(`${batchName} batch: uint8 eager converter path and its logits`, async () => {
              const batch = batches[batchName]!;
              const { got } = await runBatch(fixture, model, batch, 'uint8-eager', preset.converter!);
              check(`${batchName}.preprocessed_uint8_eager`, got.preprocessed!, batch.preprocessed_uint8_eager as FixtureTensor, atol[`${batchName}.preprocessed_uint8_eager`]!);
              check(`${batchName}.logits_uint8_eager`, got.logits!, batch.logits_uint8_eager as FixtureTensor, atol[`${batchName}.end_to_end_uint8.logits`] ?? atol[`${batchName}.logits`]!);
            });
          }
        }

        it('forward pass leaves no live tensors behind', async () => {
          const before = tf.memory().numTensors;
          const x = tf.zeros([2, ...preset.backbone.imageShape]) as tf.Tensor4D;
          const tokens = vitBackboneForward(model.config, model.backbone, x);
          const head = vitHeadForward(model.task!, model.head!, tokens);
          tf.dispose([x, tokens, head.pooled, head.logits, head.probabilities, head.output]);
          assert.equal(tf.memory().numTensors, before);
        });
      });
    }
  });
}
