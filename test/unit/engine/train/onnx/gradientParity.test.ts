import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadPresetDir } from '../../../../../src/core/presets/presetLoader';
import { seededRandom } from '../../../../../src/core/seededRandom';
import type { TrainMode } from '../../../../../src/protocol/trainProtocol';
import { loadOnnxRuntime } from '../../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { disposeViTModel, loadViTModel } from '../../../../../src/engine/models/vit/vitModel';
import { mapViTBackboneWeights } from '../../../../../src/engine/models/vit/vitWeights';
import { labelTargets } from '../../../../../src/engine/onnx/autodiff/softmaxCrossEntropy';
import { encodeOnnxModel } from '../../../../../src/engine/onnx/onnxProto';
import { freshHead } from '../../../../../src/engine/train/onnx/onnxTrainer';
import { buildViTTrainGraph } from '../../../../../src/engine/train/onnx/vitTrainGraph';
import { crossEntropy, TrainableViT } from '../../../../../src/engine/train/trainableVit';
import { firstTrainableBlock } from '../../../../../src/engine/train/trainer';
import { readH5Weights } from '../../../../../src/engine/weights/h5Reader';

const FIXTURES = resolve('test', 'fixtures', 'keras-vit');
const FIELD: Record<string, string> = {
  'ln1.gamma': 'ln1Gamma', 'ln1.beta': 'ln1Beta', wq: 'wq', bq: 'bq', wk: 'wk', bk: 'bk', wv: 'wv', bv: 'bv', wo: 'wo', bo: 'bo',
  'ln2.gamma': 'ln2Gamma', 'ln2.beta': 'ln2Beta', w1: 'w1', b1: 'b1', w2: 'w2', b2: 'b2',
};
const TOP: Record<string, string> = { class_token: 'cls', patch_kernel: 'patch_kernel', patch_bias: 'patch_bias', position_embedding: 'pos', 'ln.gamma': 'ln_gamma', 'ln.beta': 'ln_beta', 'head.kernel': 'head_kernel', 'head.bias': 'head_bias' };

/** The TF.js trainer's variable key for an ONNX training-graph parameter name. */
function tfjsKey(name: string): string {
  const m = /^block_(\d+)\.(.+)$/.exec(name);
  if (m) return `block_${m[1]}_${FIELD[m[2]!]}`;
  const k = TOP[name];
  if (!k) throw new Error(`no TF.js variable for ${name}`);
  return k;
}

const MODES: [TrainMode, number][] = [['head', 0], ['last-k', 1], ['last-k', 2], ['full', 0]];

/**
 * Tolerances. ONNX vs TF.js: both float32 with different summation orders and fused kernels; per parameter,
 * max |diff| ≤ 2e-4 · max(1, max |g|) + 1e-6 (measured worst 1.9e-6 relative, patch_kernel in full mode; a wrong rule is off by O(1)).
 * Finite differences: ONNX Runtime's Erf kernel is float32-only, so the whole ViT graph cannot run in float64; the
 * central difference is taken in float32 with h = 1e-2 on 6 sampled coordinates per parameter, whose error is
 * rounding (~1e-7 · |L| / h ≈ 1e-5) plus truncation (h² · |f'''| / 6 ≈ 1e-5): |diff| ≤ 1e-3 · max(1, max |g|)
 * + 2e-4. The per-operator rules are checked in float64 in test/unit/engine/onnx/autodiff/vjpRules.test.ts.
 */
describe('training gradients on ONNX Runtime vs TF.js autodiff and finite differences', () => {
  for (const fixture of ['vit_tiny_cls', 'vit_tiny_nocls']) {
    for (const [mode, k] of MODES) {
      it(`${fixture}, ${mode}${mode === 'last-k' ? ` k=${k}` : ''}: every trainable variable`, async () => {
        await selectBackend('cpu');
        const loaded = loadOnnxRuntime();
        assert.ok(!('error' in loaded), 'onnxruntime-node must load in the tests');
        const ort = loaded.ort;
        const preset = loadPresetDir(join(FIXTURES, fixture, 'preset'));
        const cfg = preset.backbone;
        const model = await loadViTModel(preset);
        const classes = 3;
        const seed = 11;
        const tm = new TrainableViT(cfg, model.backbone, mode, k, classes, seed);
        const [H, W, C] = cfg.imageShape;
        const B = 4;
        const r = seededRandom(3);
        const images = tf.tensor4d(Float32Array.from({ length: B * H * W * C }, () => r() * 2 - 1), [B, H, W, C]);
        const labels = [0, 2, 1, 2];
        const prefix = tm.frozenPrefix(images);
        const prefixData = prefix.dataSync() as Float32Array;
        const yb = tf.tensor1d(labels, 'int32');
        const keys = [...tm.vars.keys()];
        const { value, grads } = tf.variableGrads(() => crossEntropy(tm.logits(prefix), yb), [...tm.vars.values()]);
        const tfLoss = value.dataSync()[0] as number;
        const tfGrad = new Map(keys.map((key) => [key, grads[tm.vars.get(key)!.name]!.dataSync() as Float32Array]));

        const arrays = mapViTBackboneWeights(cfg, await readH5Weights(preset.weightsFile), preset.weightsFile);
        const first = firstTrainableBlock(mode, k, cfg.numLayers);
        assert.equal(first, tm.firstTrainableBlock);
        const tg = buildViTTrainGraph(cfg, arrays, freshHead(cfg.hiddenDim, classes, seed), mode, first, tm.pooling);
        assert.deepEqual(tg.params.map((p) => tfjsKey(p.name)).sort(), [...keys].sort(), 'the same variables are trainable on both backends');
        const session = await ort.InferenceSession.create(encodeOnnxModel(tg.graph.model('t', 'test', 'none.bin', new Map())), { logSeverityLevel: 3, intraOpNumThreads: 1 });
        const values = tg.params.map((p) => Float32Array.from(p.source.data));
        const feeds = (): Record<string, InstanceType<typeof ort.Tensor>> => ({
          [tg.input]: new ort.Tensor('float32', prefixData, prefix.shape),
          targets: new ort.Tensor('float32', labelTargets(labels, classes), [B, classes]),
          ...Object.fromEntries(tg.params.map((p, i) => [`param.${p.name}`, new ort.Tensor('float32', values[i]!, p.dims)])),
        });
        try {
          const out = await session.run(feeds());
          const loss = Number(out.loss!.data[0]);
          assert.ok(Math.abs(loss - tfLoss) <= 1e-5 * Math.max(1, tfLoss), `loss ${loss} vs TF.js ${tfLoss}`);
          const rand = seededRandom(9);
          for (const [i, p] of tg.params.entries()) {
            const ours = out[`grad.${p.name}`]!.data as Float32Array;
            const ref = tfGrad.get(tfjsKey(p.name))!;
            assert.equal(ours.length, ref.length, p.name);
            let scale = 0;
            let worst = 0;
            for (let j = 0; j < ref.length; j++) {
              scale = Math.max(scale, Math.abs(ref[j]!));
              worst = Math.max(worst, Math.abs(ours[j]! - ref[j]!));
            }
            assert.ok(scale > 0, `${p.name}: TF.js gradient is all zeros`);
            assert.ok(worst <= 2e-4 * Math.max(1, scale) + 1e-6, `${p.name}: max |onnx − tfjs| ${worst.toExponential(2)} (max |g| ${scale.toExponential(2)})`);
            const v = values[i]!;
            const h = 1e-2;
            for (let s = 0; s < 6; s++) {
              const j = Math.floor(rand() * v.length);
              const keep = v[j]!;
              v[j] = keep + h;
              const up = Number((await session.run(feeds())).loss!.data[0]);
              v[j] = keep - h;
              const down = Number((await session.run(feeds())).loss!.data[0]);
              v[j] = keep;
              const fd = (up - down) / (2 * h);
              assert.ok(Math.abs(fd - ours[j]!) <= 1e-3 * Math.max(1, scale) + 2e-4, `${p.name}[${j}]: analytic ${ours[j]} vs finite difference ${fd}`);
            }
          }
        } finally {
          await session.release();
          tf.dispose([images, prefix, yb, value, ...Object.values(grads)]);
          tm.dispose();
          disposeViTModel(model);
        }
      });
    }
  }
});
