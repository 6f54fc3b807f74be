import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../../../src/core/seededRandom';
import { fusedStepAll, type FusedSpec, type StepArrays } from '../../../../../src/engine/train/onnx/fusedOptimizer';
import { stepScalars } from '../../../../../src/engine/train/onnx/optimizerGraph';
import { SplitOptimizer } from '../../../../../src/engine/train/onnx/splitOptimizer';

const SIZES = [4000, 17, 2500, 2500, 1, 900, 3333];
const rand = seededRandom(5);
const values = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
const SPECS: FusedSpec[] = [
  { name: 'adamw', weightDecay: 0.004 },
  { name: 'adam' },
  { name: 'sgd', momentum: 0.9 },
  { name: 'sgd' },
];

const slotsOf = (spec: FusedSpec): string[] => (spec.name === 'sgd' ? (spec.momentum ? ['m'] : []) : ['m', 'v']);

function fresh(spec: FusedSpec): StepArrays[] {
  return SIZES.map((n) => ({ grad: new Float32Array(n), param: values(n, 1), ...Object.fromEntries(slotsOf(spec).map((s) => [s, new Float32Array(n)])) }));
}

/** a copy of `arrays`, each kind of buffer from `alloc` (packed: the worker set in one ArrayBuffer per kind) or of its own */
function copy(arrays: StepArrays[], split: SplitOptimizer | null): StepArrays[] {
  const allocs = new Map<string, (i: number) => Float32Array>();
  return arrays.map((a, i) =>
    Object.fromEntries(
      Object.entries(a).map(([k, v]) => {
        if (!allocs.has(k)) allocs.set(k, split ? split.allocator() : (j) => new Float32Array(SIZES[j]!));
        const out = allocs.get(k)!(i);
        out.set(v as Float32Array);
        return [k, out];
      }),
    ) as unknown as StepArrays,
  );
}

describe('the fused optimizer step split over two threads', () => {
  it('gives the same bits as one thread: AdamW, Adam, SGD with and without momentum; clipping on and off; four steps', async () => {
    const split = SplitOptimizer.create(SIZES);
    try {
      assert.ok(split.onWorker.some(Boolean) && split.onWorker.some((w) => !w), 'both threads get parameters');
      const onWorker = SIZES.reduce((s, n, i) => s + (split.onWorker[i] ? n : 0), 0);
      const total = SIZES.reduce((s, n) => s + n, 0);
      assert.ok(Math.abs(2 * onWorker - total) <= 4000, `balanced: ${onWorker} of ${total} on the worker`);
      for (const spec of SPECS) {
        for (const [clipNorm, packed] of [[null, true], [0.5, true], [null, false]] as const) {
          const start = fresh(spec);
          const one = copy(start, null);
          let two = copy(start, packed ? split : null);
          for (let t = 1; t <= 4; t++) {
            const grads = SIZES.map((n) => values(n, 0.3));
            one.forEach((a, i) => a.grad.set(grads[i]!));
            two.forEach((a, i) => a.grad.set(grads[i]!));
            const s = stepScalars(t, 1e-2, { epsilon: 1e-7, kerasEpsilon: true, gradScale: 0.5 });
            const ref = fusedStepAll(spec, s, clipNorm, one);
            const before = two;
            const got = await split.step(spec, s, clipNorm, two);
            two = got.arrays;
            assert.deepEqual(got.sqs, ref.sqs, `${spec.name} clip ${clipNorm} packed ${packed} step ${t}: Σg² per parameter`);
            assert.equal(got.norm, ref.norm);
            before.forEach((a, i) => assert.equal(a.param.length, split.onWorker[i] ? 0 : SIZES[i], 'the worker set came back as new arrays (the old detached)'));
          }
          two.forEach((a, i) => {
            for (const k of ['param', 'm', 'v'] as const) assert.deepEqual(a[k], one[i]![k], `${spec.name} clip ${clipNorm} packed ${packed}: parameter ${i} ${k}`);
          });
          assert.ok(one.some((a, i) => a.param.some((x, j) => x !== start[i]!.param[j])), 'the weights moved');
        }
      }
    } finally {
      await split.dispose();
    }
  });

  it("refuses a calling-thread array in a buffer the worker's set is handed over with (it would be detached)", async () => {
    const split = SplitOptimizer.create([8, 8]);
    try {
      const whole = new Float32Array(32);
      const arrays: StepArrays[] = [0, 1].map((i) => ({ grad: whole.subarray(i * 8, i * 8 + 8), param: whole.subarray(16 + i * 8, 24 + i * 8) }));
      await assert.rejects(split.step({ name: 'sgd' }, stepScalars(1, 1e-2, { epsilon: 1e-7, kerasEpsilon: true }), null, arrays), /shares its buffer with the worker's set/);
      assert.equal(whole.length, 32, 'nothing was handed over');
    } finally {
      await split.dispose();
    }
  });
});
