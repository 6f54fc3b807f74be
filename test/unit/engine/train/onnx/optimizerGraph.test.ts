import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../../../src/core/seededRandom';
import { loadOnnxRuntime } from '../../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { encodeOnnxModel } from '../../../../../src/engine/onnx/onnxProto';
import { fusedOptimizerStep, gradSumSquares } from '../../../../../src/engine/train/onnx/fusedOptimizer';
import { buildOptimizerGraph, optimizerSlots, stepScalars, STEP_SCALARS, type OptimizerGraphSpec } from '../../../../../src/engine/train/onnx/optimizerGraph';
import { Optimizer } from '../../../../../src/engine/train/optimizer';

const DIMS = [3, 5];
const N = 15;

/** torch.optim.AdamW (decoupled decay, bias-corrected, eps outside the square root), written from its documented update, in float64. */
function torchAdamW(p: number[], grads: number[][], lr: number, wd: number, eps: number, b1 = 0.9, b2 = 0.999): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const x = [...p];
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < x.length; i++) {
      x[i] = x[i]! * (1 - lr * wd);
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const mh = m[i]! / (1 - b1 ** t);
      const vh = v[i]! / (1 - b2 ** t);
      x[i] = x[i]! - (lr * mh) / (Math.sqrt(vh) + eps);
    }
  });
  return x;
}

async function runGraph(spec: OptimizerGraphSpec, p0: Float32Array, grads: Float32Array[], scalarsAt: (t: number) => Record<string, number>): Promise<{ p: Float32Array; norms: number[] }> {
  const loaded = loadOnnxRuntime();
  if ('error' in loaded) throw new Error(loaded.error);
  const { ort } = loaded;
  const g = buildOptimizerGraph(spec);
  const session = await ort.InferenceSession.create(encodeOnnxModel(g.model('o', 'test', 'none.bin', new Map())), { logSeverityLevel: 3 });
  let p = p0;
  const slots = Object.fromEntries(optimizerSlots(spec).map((s) => [s, new Float32Array(N)]));
  const norms: number[] = [];
  try {
    for (const [k, grad] of grads.entries()) {
      const sc = scalarsAt(k + 1);
      const feeds = {
        ...Object.fromEntries(STEP_SCALARS.map((s) => [s, new ort.Tensor('float32', Float32Array.of(sc[s]!), [])])),
        'param.w': new ort.Tensor('float32', p, DIMS),
        'grad.w': new ort.Tensor('float32', grad, DIMS),
        ...Object.fromEntries(Object.entries(slots).map(([s, d]) => [`${s}.w`, new ort.Tensor('float32', d, DIMS)])),
      };
      const out = await session.run(feeds);
      p = Float32Array.from(out['new_param.w']!.data as Float32Array);
      for (const s of Object.keys(slots)) slots[s] = Float32Array.from(out[`new_${s}.w`]!.data as Float32Array);
      norms.push(Number(out.grad_norm!.data[0]));
    }
  } finally {
    await session.release();
  }
  return { p, norms };
}

const rand = seededRandom(21);
const p0 = Float32Array.from({ length: N }, () => rand() * 2 - 1);
const grads = Array.from({ length: 3 }, () => Float32Array.from({ length: N }, () => rand() * 2 - 1));
const params = [{ name: 'w', dims: DIMS }];

/**
 * Tolerances: the graph runs in float32; three steps of lr 1e-2 move each weight by ~3e-2, and float32 rounding of
 * the update terms leaves ≤ ~1e-7 absolute, so 1e-6 absolute separates rounding from a wrong formula (dropping the
 * weight decay moves a weight by lr·wd·|p|·3 ≈ 1e-4; a missing bias correction by ~1e-2).
 */
describe('optimizer step as an ONNX graph', () => {
  it('AdamW: three steps equal torch.optim.AdamW written from its formula (lr 1e-2, wd 0.01, eps 1e-8)', async () => {
    const { p } = await runGraph({ name: 'adamw', params, weightDecay: 0.01 }, p0, grads, (t) => stepScalars(t, 1e-2, { epsilon: 1e-8, kerasEpsilon: false }));
    const ref = torchAdamW([...p0], grads.map((g) => [...g]), 1e-2, 0.01, 1e-8);
    ref.forEach((r, i) => assert.ok(Math.abs(p[i]! - r) <= 1e-6, `w[${i}]: ${p[i]} vs torch formula ${r}`));
  });

  it('AdamW, Adam and SGD with momentum: the same steps as the TF.js (Keras-formula) optimizer', async () => {
    await selectBackend('cpu');
    for (const name of ['adamw', 'adam', 'sgd'] as const) {
      const spec: OptimizerGraphSpec = { name, params, weightDecay: 0.004, momentum: name === 'sgd' ? 0.9 : undefined };
      const { p } = await runGraph(spec, p0, grads, (t) => stepScalars(t, 1e-2, { epsilon: 1e-7, kerasEpsilon: true }));
      const opt = new Optimizer({ name, momentum: name === 'sgd' ? 0.9 : undefined });
      const v = tf.variable(tf.tensor(p0, DIMS));
      for (const g of grads) {
        const gt = tf.tensor(g, DIMS);
        opt.apply(new Map([['w', v]]), new Map([['w', gt]]), 1e-2);
        gt.dispose();
      }
      const ref = v.dataSync();
      ref.forEach((r, i) => assert.ok(Math.abs(p[i]! - r) <= 1e-6, `${name} w[${i}]: ${p[i]} vs TF.js ${r}`));
      opt.dispose();
      v.dispose();
    }
  });

  it('global-norm clipping scales the averaged gradient to the threshold; grad_scale averages accumulated sums', async () => {
    const sumOfTwo = grads.slice(0, 1).map((g) => g.map((x) => 2 * x));
    const plain = await runGraph({ name: 'sgd', params }, p0, grads.slice(0, 1), (t) => stepScalars(t, 1, { epsilon: 1e-7, kerasEpsilon: true }));
    const averaged = await runGraph({ name: 'sgd', params }, p0, sumOfTwo, (t) => stepScalars(t, 1, { epsilon: 1e-7, kerasEpsilon: true, gradScale: 0.5 }));
    plain.p.forEach((x, i) => assert.ok(Math.abs(x - averaged.p[i]!) <= 1e-6));
    const norm = Math.hypot(...grads[0]!);
    assert.ok(Math.abs(plain.norms[0]! - norm) <= 1e-5 * norm);
    const clipped = await runGraph({ name: 'sgd', params, clipNorm: 0.5 }, p0, grads.slice(0, 1), (t) => stepScalars(t, 1, { epsilon: 1e-7, kerasEpsilon: true }));
    const moved = Math.hypot(...clipped.p.map((x, i) => x - p0[i]!));
    assert.ok(Math.abs(moved - 0.5) <= 1e-5, `an SGD step of lr 1 moves the weights by the clipped norm: ${moved}`);
  });

  it('the fused JavaScript step the trainer uses equals the graph (AdamW, Adam, SGD; clipping and averaging on)', async () => {
    for (const name of ['adamw', 'adam', 'sgd'] as const) {
      const spec: OptimizerGraphSpec = { name, params, weightDecay: 0.004, momentum: name === 'sgd' ? 0.9 : undefined, clipNorm: 0.8 };
      const at = (t: number): ReturnType<typeof stepScalars> => stepScalars(t, 1e-2, { epsilon: 1e-7, kerasEpsilon: true, gradScale: 0.5 });
      const { p: viaGraph } = await runGraph(spec, p0, grads, at);
      const p = Float32Array.from(p0);
      const m = new Float32Array(N);
      const v = new Float32Array(N);
      grads.forEach((g, k) => {
        const norm = Math.sqrt(gradSumSquares(g, 0.5));
        const slots = optimizerSlots(spec);
        fusedOptimizerStep(spec, at(k + 1), Math.min(1, 0.8 / (norm + 1e-6)), { grad: g, param: p, nextParam: p, ...(slots.includes('m') ? { m: { cur: m, next: m } } : {}), ...(slots.includes('v') ? { v: { cur: v, next: v } } : {}) });
      });
      p.forEach((x, i) => assert.ok(Math.abs(x - viaGraph[i]!) <= 1e-6, `${name} w[${i}]: fused ${x} vs graph ${viaGraph[i]}`));
      assert.ok(p.some((x, i) => x !== p0[i]), 'the weights moved');
    }
  });
});
