import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPresetDir, type LoadedPreset } from '../../../../../src/core/presets/presetLoader';
import { tokenLayout } from '../../../../../src/core/presets/tokenLayout';
import { loadOnnxRuntime } from '../../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { loadImage } from '../../../../../src/engine/data/imageLoader';
import { dinov2BackboneForward } from '../../../../../src/engine/models/dinov2/dinov2Backbone';
import { disposeDINOV2Model, loadDINOV2Model } from '../../../../../src/engine/models/dinov2/dinov2Model';
import { dinov2ParameterCount, mapDINOV2BackboneWeights } from '../../../../../src/engine/models/dinov2/dinov2Weights';
import { convertImage, type ConverterPath } from '../../../../../src/engine/models/vit/vitImageConverter';
import type { ModelRunner } from '../../../../../src/engine/runners/modelRunner';
import { createOnnxViTRunner } from '../../../../../src/engine/runners/onnxViTRunner';
import { createTfjsDinov2Runner } from '../../../../../src/engine/runners/tfjsDinov2Runner';
import { poolTokens } from '../../../../../src/engine/sanity/arrayMath';
import { readH5Weights } from '../../../../../src/engine/weights/h5Reader';
import { flatten, maxAbsDiff, type FixtureTensor } from '../../../helpers/kerasFixtures';

const ROOT = resolve(process.cwd(), 'test', 'fixtures', 'keras-dinov2');
const BACKENDS = (process.env.VIT_DOCTOR_TEST_BACKENDS ?? 'cpu,wasm,onnx,onnx-internals').split(',');
const CACHE = mkdtempSync(join(tmpdir(), 'vtd-onnx-cache-dinov2-'));
const FIXTURES = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'expected.json'))).sort();

type Batch = Record<string, unknown> & { images: { file: string }[] };
type Expected = {
  batches: Record<string, Batch>;
  position_embeddings_interpolated: FixtureTensor;
  model_facts: { parameter_count_metadata: number; tokens: number };
  cross_backend: { recommended_atol_float32: Record<string, number | Record<string, number>> };
};

function readExpected(fixture: string): Expected {
  return JSON.parse(readFileSync(join(ROOT, fixture, 'expected.json'), 'utf8')) as Expected;
}

/** recommended_atol_float32 is nested per batch ({native: {...}, resized: {...}, position_embeddings_interpolated}). */
function tolerance(e: Expected, key: string, fallback?: number): number {
  const atol = e.cross_backend.recommended_atol_float32;
  const [batch, ...rest] = key.split('.');
  const nested = atol[batch!];
  const v = (typeof nested === 'object' ? nested[rest.join('.')] : atol[key]) ?? fallback;
  assert.ok(typeof v === 'number', `no tolerance for ${key}`);
  return v;
}

function check(label: string, actual: ArrayLike<number>, exp: FixtureTensor, tol: number): void {
  const e = flatten(exp.data);
  assert.equal(actual.length, e.length, `${label}: ${actual.length} values, want ${e.length} (shape [${exp.shape.join(', ')}])`);
  const { max, at } = maxAbsDiff(actual, e);
  assert.ok(max <= tol, `${label}: max |diff| ${max} at ${at} exceeds ${tol} (got ${actual[at]}, want ${e[at]})`);
}

async function convertBatch(fixture: string, batch: Batch, preset: LoadedPreset, path: ConverterPath): Promise<Float32Array> {
  const imgs = await Promise.all(batch.images.map((i) => loadImage(join(ROOT, fixture, i.file))));
  const converted = imgs.map((im) => convertImage(im, preset.converter!, path));
  const n = converted[0]!.data.length;
  const out = new Float32Array(converted.length * n);
  converted.forEach((c, i) => out.set(c.data, i * n));
  return out;
}

async function createRunner(backend: string, preset: LoadedPreset): Promise<ModelRunner> {
  if (!backend.startsWith('onnx')) return createTfjsDinov2Runner(preset, { notes: [], internals: true });
  const loaded = loadOnnxRuntime();
  assert.ok(!('error' in loaded), `onnxruntime-node must load: ${'error' in loaded ? loaded.error : ''}`);
  return createOnnxViTRunner(preset, { ort: loaded.ort, cacheDir: CACHE, threads: 2, internals: backend === 'onnx-internals', notes: [] });
}

describe('DINOv2 fixtures: converter and position table (backend independent)', () => {
  for (const fixture of FIXTURES) {
    const e = readExpected(fixture);
    const preset = loadPresetDir(join(ROOT, fixture, 'preset'));
    it(`${fixture}: config, token layout and parameter count as keras-hub`, async () => {
      assert.equal(preset.family, 'dinov2');
      assert.equal(tokenLayout(preset).numTokens, e.model_facts.tokens);
      const arrays = mapDINOV2BackboneWeights(preset.dinov2!, await readH5Weights(preset.weightsFile), preset.weightsFile);
      assert.equal(dinov2ParameterCount(preset.dinov2!, arrays), e.model_facts.parameter_count_metadata);
    });
    it(`${fixture}: position table recomputed from the stored one (the last embedding variable)`, async () => {
      const arrays = mapDINOV2BackboneWeights(preset.dinov2!, await readH5Weights(preset.weightsFile), preset.weightsFile);
      check('position_embeddings_interpolated', arrays.positionEmbedding.data, e.position_embeddings_interpolated, tolerance(e, 'position_embeddings_interpolated'));
    });
    for (const [name, batch] of Object.entries(e.batches)) {
      it(`${fixture}: ${name} batch converter (float path, bicubic, not clamped)`, async () => {
        check(`${name}.preprocessed`, await convertBatch(fixture, batch, preset, 'float'), batch.preprocessed as FixtureTensor, tolerance(e, `${name}.preprocessed`));
      });
      if (batch.preprocessed_uint8_eager) {
        it(`${fixture}: ${name} batch uint8 eager converter (round half to even, clip), one step allowed only at listed float32 ties`, async () => {
          const got = await convertBatch(fixture, batch, preset, 'uint8-eager');
          const exp = flatten((batch.preprocessed_uint8_eager as FixtureTensor).data);
          const [, H, W, C] = (batch.preprocessed_uint8_eager as FixtureTensor).shape as [number, number, number, number];
          const amb = new Set(((batch.preprocessed_uint8_eager_ambiguous as { positions_image_y_x_c?: number[][] } | undefined)?.positions_image_y_x_c ?? []).map(([b, y, x, c]) => ((b! * H + y!) * W + x!) * C + c!));
          const tol = tolerance(e, `${name}.preprocessed_uint8_eager`);
          const scale = preset.converter!.scale!;
          let off = 0;
          for (let i = 0; i < exp.length; i++) {
            const d = Math.abs(got[i]! - exp[i]!);
            if (amb.has(i)) assert.ok(d <= scale[i % C]! + tol, `ambiguous position ${i}: off by ${d}, more than one quantisation step`);
            else if (d > tol) off++;
          }
          assert.equal(off, 0, `${off} positions outside the ambiguous list differ by more than ${tol}`);
        });
      }
    }
  }
});

for (const backend of BACKENDS) {
  describe(`DINOv2 fixtures on ${backend}`, () => {
    before(async () => {
      await selectBackend(backend.startsWith('onnx') ? 'cpu' : (backend as 'cpu' | 'wasm'));
    });
    for (const fixture of FIXTURES) {
      describe(fixture, () => {
        const e = readExpected(fixture);
        const preset = loadPresetDir(join(ROOT, fixture, 'preset'));
        const layout = tokenLayout(preset);
        const D = preset.backbone.hiddenDim;
        let runner: ModelRunner;
        before(async () => {
          runner = await createRunner(backend, preset);
          assert.equal(runner.backend.name, backend.startsWith('onnx') ? 'onnx' : backend);
        });
        after(() => runner.dispose());

        const outputs = async (pixels: Float32Array, B: number) => {
          const out = await runner.run(pixels, B);
          const T = layout.numTokens;
          return {
            out,
            pooled: poolTokens(out.backboneOutput.data, B, T, D, 'token'),
            patchMean: poolTokens(out.backboneOutput.data, B, T, D, 'patch_mean', layout.patchStart),
          };
        };

        for (const [name, batch] of Object.entries(e.batches)) {
          const B = batch.images.length;
          it(`${name} batch: embeddings, every block, block-1 internals, backbone output, CLS and patch mean`, async () => {
            const { out, pooled, patchMean } = await outputs(Float32Array.from(flatten((batch.preprocessed as FixtureTensor).data)), B);
            assert.deepEqual(out.backboneOutput.shape, [B, layout.numTokens, D]);
            check(`${name}.embeddings`, out.embeddings.data, batch.embeddings as FixtureTensor, tolerance(e, `${name}.embeddings`));
            check(`${name}.backbone_output`, out.backboneOutput.data, batch.backbone_output as FixtureTensor, tolerance(e, `${name}.backbone_output`));
            check(`${name}.pooled`, pooled, batch.pooled as FixtureTensor, tolerance(e, `${name}.pooled`));
            check(`${name}.patch_tokens_mean`, patchMean, batch.patch_tokens_mean as FixtureTensor, tolerance(e, `${name}.patch_tokens_mean`));
            const blocks = batch.encoder_block_outputs as FixtureTensor[] | undefined;
            if (blocks) {
              assert.equal(out.blocks.length, blocks.length);
              blocks.forEach((b, i) => check(`${name}.encoder_block_outputs[${i}]`, out.blocks[i]!.data, b, tolerance(e, `${name}.encoder_block_outputs`)));
            }
            const internals = batch.block_1_internals as Record<string, FixtureTensor> | undefined;
            if (internals && backend !== 'onnx') {
              // every step outside the FFN's inner activation must be recorded by the fixture and produced here (a SwiGLU
              // fixture may name its inner step differently: then that one step is compared only through mlp_output)
              const core = ['ln_1', 'attention_probs', 'attention_output', 'layer_scale_1', 'residual_1', 'ln_2', 'mlp_output', 'layer_scale_2', 'block_output'];
              for (const k of core) assert.ok(internals[k] && out.internals?.[k], `block-1 internal ${k} recorded and produced`);
              const compared = Object.keys(internals).filter((k) => out.internals?.[k]);
              assert.ok(compared.length >= core.length);
              for (const k of compared) {
                const t = out.internals![k]!;
                check(`${name}.block_1_internals.${k}`, t.data.subarray(0, t.data.length / B), internals[k]!, tolerance(e, `${name}.block_1_internals`));
              }
            }
          });
          it(`${name} batch end to end from the PNGs (converter + model)`, async () => {
            const { out } = await outputs(await convertBatch(fixture, batch, preset, 'float'), B);
            check(`${name}.end_to_end.backbone_output`, out.backboneOutput.data, batch.backbone_output as FixtureTensor, tolerance(e, `${name}.end_to_end.backbone_output`, 1e-4));
          });
          if (batch.backbone_output_uint8_eager) {
            it(`${name} batch: model on the uint8 eager input`, async () => {
              const { out, pooled } = await outputs(Float32Array.from(flatten((batch.preprocessed_uint8_eager as FixtureTensor).data)), B);
              check(`${name}.backbone_output_uint8_eager`, out.backboneOutput.data, batch.backbone_output_uint8_eager as FixtureTensor, tolerance(e, `${name}.backbone_output_uint8_eager`));
              check(`${name}.pooled_uint8_eager`, pooled, batch.pooled_uint8_eager as FixtureTensor, tolerance(e, `${name}.pooled_uint8_eager`));
            });
          }
        }

        if (!backend.startsWith('onnx')) it('forward pass leaves no live tensors behind', async () => {
          const model = await loadDINOV2Model(preset);
          const before = tf.memory().numTensors;
          const x = tf.zeros([2, ...preset.dinov2!.imageShape]) as tf.Tensor4D;
          const tokens = dinov2BackboneForward(model.config, model.backbone, x);
          tf.dispose([x, tokens]);
          assert.equal(tf.memory().numTensors, before);
          disposeDINOV2Model(model);
        });
      });
    }
  });
}
