import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../../../src/core/seededRandom';
import { fusedStepAll, type StepArrays } from '../../../../../src/engine/train/onnx/fusedOptimizer';
import { stepScalars } from '../../../../../src/engine/train/onnx/optimizerGraph';
import { ownsBuffer, SplitOptimizer, type FusedSpec } from '../../../../../src/engine/train/onnx/splitOptimizer';

const SIZES = [4000, 17, 2500, 2500, 1, 900, 3333];
const rand = seededRandom(5);
const values = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
const SPECS: FusedSpec[] = [
  { name: 'adamw', weightDecay: 0.004 },
  { name: 'adam' },
  { name: 'sgd', momentum: 0.9 },
  { name: 'sgd' },
];

function fresh(spec: FusedSpec): StepArrays[] {
  const slots = spec.name === 'sgd' ? (spec.momentum ? ['m'] : []) : ['m', 'v'];
  return SIZES.map((n) => ({ grad: new Float32Array(n), param: values(n, 1), ...Object.fromEntries(slots.map((s) => [s, new Float32Array(n)])) }));
}

const copy = (arrays: StepArrays[]): StepArrays[] => arrays.map((a) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Float32Array.from(v as Float32Array)])) as unknown as StepArrays);

describe('the fused optimizer step split over two threads', () => {
  it('gives the same bits as one thread: AdamW, Adam, SGD with and without momentum; clipping on and off; four steps', async () => {
    const split = SplitOptimizer.create(SIZES);
    try {
      assert.ok(split.onWorker.some(Boolean) && split.onWorker.some((w) => !w), 'both threads get parameters');
      const onWorker = SIZES.reduce((s, n, i) => s + (split.onWorker[i] ? n : 0), 0);
      const total = SIZES.reduce((s, n) => s + n, 0);
      assert.ok(Math.abs(2 * onWorker - total) <= 4000, `balanced: ${onWorker} of ${total} on the worker`);
      for (const spec of SPECS) {
        for (const clipNorm of [null, 0.5]) {
          const start = fresh(spec);
          const one = copy(start);
          let two = copy(start);
          for (let t = 1; t <= 4; t++) {
            const grads = SIZES.map((n) => values(n, 0.3));
            one.forEach((a, i) => a.grad.set(grads[i]!));
            two.forEach((a, i) => a.grad.set(grads[i]!));
            const s = stepScalars(t, 1e-2, { epsilon: 1e-7, kerasEpsilon: true, gradScale: 0.5 });
            const ref = fusedStepAll(spec, s, clipNorm, one);
            const before = two;
            const got = await split.step(spec, s, clipNorm, two);
            two = got.arrays;
            assert.deepEqual(got.sqs, ref.sqs, `${spec.name} clip ${clipNorm} step ${t}: Σg² per parameter`);
            assert.equal(got.norm, ref.norm);
            before.forEach((a, i) => assert.equal(a.param.length, split.onWorker[i] ? 0 : SIZES[i], 'the worker set came back as new arrays (the old detached)'));
          }
          two.forEach((a, i) => {
            for (const k of ['param', 'm', 'v'] as const) assert.deepEqual(a[k], one[i]![k], `${spec.name} clip ${clipNorm}: parameter ${i} ${k}`);
          });
          assert.ok(one.some((a, i) => a.param.some((x, j) => x !== start[i]!.param[j])), 'the weights moved');
        }
      }
    } finally {
      await split.dispose();
    }
  });

  it('refuses an array that shares its ArrayBuffer (it cannot be handed over alone)', async () => {
    const split = SplitOptimizer.create([8, 8]);
    try {
      const whole = new Float32Array(32);
      assert.equal(ownsBuffer(whole), true);
      assert.equal(ownsBuffer(whole.subarray(8, 16)), false);
      const arrays: StepArrays[] = [0, 1].map((i) => ({ grad: whole.subarray(i * 8, i * 8 + 8), param: whole.subarray(16 + i * 8, 24 + i * 8) }));
      await assert.rejects(split.step({ name: 'sgd' }, stepScalars(1, 1e-2, { epsilon: 1e-7, kerasEpsilon: true }), null, arrays), /does not own its buffer/);
    } finally {
      await split.dispose();
    }
  });
});
