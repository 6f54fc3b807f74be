import * as tf from '@tensorflow/tfjs-core';
import type * as Ort from 'onnxruntime-node';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { seededRandom } from '../../../../src/core/seededRandom';
import { UserError } from '../../../../src/core/userError';
import { loadOnnxRuntime } from '../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../src/engine/backend/selectBackend';
import { loadImage } from '../../../../src/engine/data/imageLoader';
import { loadViTModel } from '../../../../src/engine/models/vit/vitModel';
import type { ViTBackboneArrays } from '../../../../src/engine/models/vit/vitWeights';
import { labelTargets, softmaxCrossEntropy } from '../../../../src/engine/onnx/autodiff/softmaxCrossEntropy';
import { OnnxGraphBuilder } from '../../../../src/engine/onnx/onnxGraphBuilder';
import { encodeOnnxModel, ONNX_DOUBLE, ONNX_FLOAT } from '../../../../src/engine/onnx/onnxProto';
import { createOnnxViTRunner } from '../../../../src/engine/runners/onnxViTRunner';
import { OnnxTrainer } from '../../../../src/engine/train/onnx/onnxTrainer';
import { preprocessImages } from '../../../../src/engine/train/preparedData';
import { runPipelineChecks } from '../../../../src/engine/train/pipelineChecks';
import { TfjsTrainer } from '../../../../src/engine/train/tfjsTrainer';
import { crossEntropy } from '../../../../src/engine/train/trainableVit';
import type { Trainer, TrainerOptions } from '../../../../src/engine/train/trainer';
import { meanCrossEntropy, smoothedTargetEntropy } from '../../../../src/engine/train/trainMetrics';
import { labelSmoothingOf, runTraining } from '../../../../src/engine/train/trainRun';

const FIXTURE = resolve('test', 'fixtures', 'keras-vit', 'vit_tiny_cls');
const B = 4;
const C = 5;
const LABELS = [0, 3, 1, 4];

function ort(): typeof Ort {
  const loaded = loadOnnxRuntime();
  if ('error' in loaded) throw new Error(loaded.error);
  return loaded.ort;
}

/** keras CategoricalCrossentropy(label_smoothing=ε) on one-hot labels, written out in float64 */
function kerasSmoothedLoss(logits: ArrayLike<number>, labels: number[], classes: number, eps: number): number {
  let total = 0;
  labels.forEach((label, i) => {
    const z = Array.from({ length: classes }, (_, c) => logits[i * classes + c] as number);
    const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
    z.forEach((v, c) => (total -= ((c === label ? 1 : 0) * (1 - eps) + eps / classes) * (v - lse)));
  });
  return total / labels.length;
}

/** (1 − ε)·onehot + ε/C in float64 */
const targets64 = (eps: number): Float64Array => Float64Array.from({ length: B * C }, (_, j) => (LABELS[Math.floor(j / C)] === j % C ? 1 - eps : 0) + eps / C);

/** Runs softmaxCrossEntropy alone on ONNX Runtime: the loss and dLoss/dLogits for given logits and targets. */
async function runLossGraph(double: boolean): Promise<(logits: Float64Array | Float32Array, targets: Float64Array | Float32Array) => Promise<{ loss: number; dLogits: number[] }>> {
  const O = ort();
  const g = new OnnxGraphBuilder(double ? ONNX_DOUBLE : ONNX_FLOAT);
  const { loss, dLogits } = softmaxCrossEntropy(g, g.input('logits', [B, C]), g.input('targets', [B, C]));
  g.output('loss', loss, []);
  g.output('d', dLogits, [B, C]);
  const session = await O.InferenceSession.create(encodeOnnxModel(g.model('ce', 'test', 'none.bin', new Map())), { logSeverityLevel: 3 });
  const type = double ? 'float64' : 'float32';
  return async (logits, targets) => {
    const out = await session.run({ logits: new O.Tensor(type, logits, [B, C]), targets: new O.Tensor(type, targets, [B, C]) });
    return { loss: Number(out.loss!.data[0]), dLogits: Array.from(out.d!.data as Float64Array) };
  };
}

describe('label smoothing', () => {
  it('the ONNX loss is keras\' smoothed cross-entropy and its gradient equals float64 central finite differences', async () => {
    const run = await runLossGraph(true);
    const r = seededRandom(5);
    for (const eps of [0, 0.1, 0.5, 1]) {
      const logits = Float64Array.from({ length: B * C }, () => r() * 6 - 3);
      const targets = targets64(eps);
      assert.deepEqual(labelTargets(LABELS, C, eps), Float32Array.from(targets), 'the trainer\'s targets');
      const { loss, dLogits } = await run(logits, targets);
      const ref = kerasSmoothedLoss(logits, LABELS, C, eps);
      assert.ok(Math.abs(loss - ref) <= 1e-12 * Math.max(1, ref), `ε=${eps}: loss ${loss} vs keras formula ${ref}`);
      const h = 1e-6;
      for (let j = 0; j < logits.length; j++) {
        const keep = logits[j]!;
        logits[j] = keep + h;
        const up = (await run(logits, targets)).loss;
        logits[j] = keep - h;
        const down = (await run(logits, targets)).loss;
        logits[j] = keep;
        const fd = (up - down) / (2 * h);
        assert.ok(Math.abs(fd - dLogits[j]!) <= 1e-7 * Math.max(1, Math.abs(fd)), `ε=${eps} logit ${j}: analytic ${dLogits[j]} vs finite difference ${fd}`);
      }
      // the metrics' float64 loss (validation, check) is the same function
      const asF32 = Float32Array.from(logits);
      assert.ok(Math.abs(meanCrossEntropy(asF32, LABELS, C, eps).loss - kerasSmoothedLoss(asF32, LABELS, C, eps)) <= 1e-12);
    }
    // the floor the check's overfit bar uses: predictions equal to the smoothed targets reach their entropy
    const targets = targets64(0.2);
    const atTargets = (await run(targets.map(Math.log), targets)).loss;
    assert.ok(Math.abs(atTargets - smoothedTargetEntropy(C, 0.2)) <= 1e-12, `${atTargets} vs ${smoothedTargetEntropy(C, 0.2)}`);
    assert.equal(smoothedTargetEntropy(C, 0), 0);
  });

  it('TF.js crossEntropy with smoothing has the same loss and logits gradient as the ONNX graph', async () => {
    await selectBackend('cpu');
    const run = await runLossGraph(false);
    const r = seededRandom(8);
    for (const eps of [0, 0.15]) {
      const logits = Float32Array.from({ length: B * C }, () => r() * 6 - 3);
      const onnx = await run(logits, labelTargets(LABELS, C, eps));
      const z = tf.tensor2d(logits, [B, C]);
      const y = tf.tensor1d(LABELS, 'int32');
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => crossEntropy(x as tf.Tensor2D, y, eps))(z);
      const tfLoss = value.dataSync()[0]!;
      const tfGrad = grad.dataSync();
      assert.ok(Math.abs(tfLoss - onnx.loss) <= 1e-6 * Math.max(1, tfLoss), `ε=${eps}: TF.js ${tfLoss} vs ONNX ${onnx.loss}`);
      tfGrad.forEach((g, j) => assert.ok(Math.abs(g - onnx.dLogits[j]!) <= 1e-6, `ε=${eps} logit ${j}: TF.js ${g} vs ONNX ${onnx.dLogits[j]}`));
      tf.dispose([z, y, value, grad]);
    }
  });

  it('both trainers minimise the smoothed loss: full mode on the fixture, same loss and the same SGD step (= the gradient) on ONNX Runtime and TF.js', async () => {
    await selectBackend('cpu');
    const preset = loadPresetDir(join(FIXTURE, 'preset'));
    const inputs = join(FIXTURE, 'inputs');
    const files = readdirSync(inputs).filter((f) => f.endsWith('.png')).sort();
    const pixels = preprocessImages(preset, await Promise.all(files.map((f) => loadImage(join(inputs, f)))), 'preset');
    const classes = 3;
    const labels = files.map((_, i) => i % classes);
    const idx = labels.map((_, i) => i);
    // lr 1, plain SGD: the step is the gradient itself
    const step = async (t: Trainer, eps: number): Promise<{ loss: number; logitsLoss: number; head: Float32Array; block: Float32Array; patch: Float32Array }> => {
      try {
        const x = await t.prefix(pixels, files.length, null);
        const logitsLoss = meanCrossEntropy(await t.logits(x), labels, classes, eps).loss;
        const { loss } = await t.accumulate(x, idx, labels);
        await t.apply(1);
        const a = await t.toArrays();
        const backbone = a.backbone as ViTBackboneArrays;
        return { loss, logitsLoss, head: Float32Array.from(a.head.kernel.data), block: Float32Array.from(backbone.blocks[0]!.wq.data), patch: Float32Array.from(backbone.patchKernel.data) };
      } finally {
        await t.dispose();
      }
    };
    const o: TrainerOptions = { mode: 'full', k: 0, numClasses: classes, seed: 4, optimizer: 'sgd', momentum: 0, accumulate: 1, labelSmoothing: 0.2 };
    const onnx = await step(await OnnxTrainer.create(preset, { ...o, ort: ort(), threads: 1 }), 0.2);
    const tfjs = await step(new TfjsTrainer(await loadViTModel(preset), o), 0.2);
    const plain = await step(await OnnxTrainer.create(preset, { ...o, labelSmoothing: 0, ort: ort(), threads: 1 }), 0);
    for (const s of [onnx, tfjs]) assert.ok(Math.abs(s.loss - s.logitsLoss) <= 1e-5, `the trainer's loss ${s.loss} is the smoothed loss of its logits ${s.logitsLoss}`);
    assert.ok(Math.abs(onnx.loss - tfjs.loss) <= 1e-5, `ONNX ${onnx.loss} vs TF.js ${tfjs.loss}`);
    assert.ok(Math.abs(onnx.loss - plain.loss) > 1e-3, `smoothing 0.2 must change the loss (${onnx.loss} vs ${plain.loss} without)`);
    for (const k of ['head', 'block', 'patch'] as const) {
      const a = onnx[k];
      const b = tfjs[k];
      let worst = 0;
      let vsPlain = 0;
      for (let j = 0; j < a.length; j++) {
        worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
        vsPlain = Math.max(vsPlain, Math.abs(a[j]! - plain[k][j]!));
      }
      // as gradientParity.test.ts: 2e-4·max(1, max|g|) + 1e-6, plus float32 rounding of w − g
      assert.ok(worst <= 2e-4 + 1e-6, `${k}: ONNX vs TF.js step ${worst.toExponential(2)}`);
      assert.ok(vsPlain > 1e-3, `${k}: the smoothed gradient must differ from the plain one (${vsPlain.toExponential(2)})`);
    }
  });

  it('check: with smoothing 0.1 overfitting one batch stops at the smoothed targets\' entropy (not below) and passes against it', async () => {
    await selectBackend('cpu');
    const O = ort();
    const cacheDir = mkdtempSync(join(tmpdir(), 'vtd-smoothing-'));
    const ctx = {
      signal: new AbortController().signal, backend: 'cpu', emit: () => {}, onnx: { ort: O, threads: 1 },
      forwardRunner: (p: Parameters<typeof createOnnxViTRunner>[0]) => createOnnxViTRunner(p, { ort: O, cacheDir, threads: 1, notes: [] }),
    };
    const r = await runPipelineChecks({ preset: resolve('media/demo/preset'), data: resolve('media/demo/images'), labelSmoothing: 0.1, compare: ['none'], epochs: 20 }, ctx);
    const floor = smoothedTargetEntropy(r.classNames.length, 0.1);
    assert.ok(r.overfit.finalLoss >= floor - 1e-5, `the loss ${r.overfit.finalLoss} went below the smoothed targets' entropy ${floor}: smoothing not applied`);
    assert.ok(r.overfit.passed, r.overfit.verdict);
    assert.match(r.overfit.verdict, /label smoothing 0.1/);
    assert.ok(!r.baseline.ignoresInput, r.baseline.verdict);
  });

  it('out-of-range values are a usage error naming the option, before any file is read', async () => {
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => labelSmoothingOf({ preset: 'p', labelSmoothing: bad }), (e: unknown) => e instanceof UserError && e.wire.code === 'E_USAGE' && /--label-smoothing/.test(e.message));
    }
    assert.equal(labelSmoothingOf({ preset: 'p' }), 0);
    assert.equal(labelSmoothingOf({ preset: 'p', labelSmoothing: 1 }), 1);
    const ctx = { signal: new AbortController().signal, backend: 'cpu', emit: () => {} };
    await assert.rejects(runTraining({ preset: 'no/such/preset', data: 'no/such/data', labelSmoothing: 2 }, ctx), (e: unknown) => e instanceof UserError && /label smoothing/.test(e.message));
    await assert.rejects(runPipelineChecks({ preset: 'no/such/preset', data: 'no/such/data', labelSmoothing: -1 }, ctx), (e: unknown) => e instanceof UserError && /label smoothing/.test(e.message));
  });
});
