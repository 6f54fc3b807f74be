import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradCheck, type CheckInput } from '../../../helpers/onnxGradCheck';
import type { OnnxGraphBuilder } from '../../../../../src/engine/onnx/onnxGraphBuilder';

/**
 * Every vector-Jacobian rule against float64 central finite differences (h = 1e-6) on ONNX Runtime. In float64 the
 * difference quotient's error is ~h² · |f'''| + ε/h ≈ 1e-10, so 1e-6 relative leaves room without hiding a wrong rule
 * (a wrong rule is off by O(1)).
 */
const TOL = 1e-6;

/**
 * ONNX Runtime's CPU Erf kernel is float32 only: Erf is checked in float32 with h = 1e-2, where the quotient's error
 * is ~h²·|f'''|/6 ≈ 2e-5 plus rounding ε·|L|/h ≈ 1e-5, hence 1e-3.
 */
const ERF_TYPE = { double: false, tol: 1e-3 };

type Build = (g: OnnxGraphBuilder, x: Record<string, string>) => { y: string; dims: number[] };

const CASES: { name: string; inputs: CheckInput[]; build: Build; double?: boolean; tol?: number }[] = [
  { name: 'Add (bias broadcast over batch and tokens)', inputs: [{ name: 'a', dims: [2, 3, 4] }, { name: 'b', dims: [4] }], build: (g, x) => ({ y: g.op('Add', [x.a!, x.b!]), dims: [2, 3, 4] }) },
  { name: 'Add (position table [1,T,D])', inputs: [{ name: 'a', dims: [2, 3, 4] }, { name: 'b', dims: [1, 3, 4] }], build: (g, x) => ({ y: g.op('Add', [x.a!, x.b!]), dims: [2, 3, 4] }) },
  { name: 'Sub', inputs: [{ name: 'a', dims: [2, 3] }, { name: 'b', dims: [2, 1] }], build: (g, x) => ({ y: g.op('Sub', [x.a!, x.b!]), dims: [2, 3] }) },
  { name: 'Mul (LayerScale [D])', inputs: [{ name: 'a', dims: [2, 3, 4] }, { name: 'b', dims: [4] }], build: (g, x) => ({ y: g.op('Mul', [x.a!, x.b!]), dims: [2, 3, 4] }) },
  { name: 'Mul by a constant', inputs: [{ name: 'a', dims: [2, 3] }], build: (g, x) => ({ y: g.op('Mul', [x.a!, g.scalar(0.125)]), dims: [2, 3] }) },
  { name: 'Div', inputs: [{ name: 'a', dims: [2, 3] }, { name: 'b', dims: [3], values: [1.5, -2, 0.7] }], build: (g, x) => ({ y: g.op('Div', [x.a!, x.b!]), dims: [2, 3] }) },
  { name: 'MatMul with a 2-D kernel (dense)', inputs: [{ name: 'a', dims: [2, 3, 4] }, { name: 'w', dims: [4, 5] }], build: (g, x) => ({ y: g.op('MatMul', [x.a!, x.w!]), dims: [2, 3, 5] }) },
  { name: 'MatMul batched (attention scores)', inputs: [{ name: 'q', dims: [2, 2, 3, 4] }, { name: 'k', dims: [2, 2, 4, 3] }], build: (g, x) => ({ y: g.op('MatMul', [x.q!, x.k!]), dims: [2, 2, 3, 3] }) },
  { name: 'MatMul 2-D', inputs: [{ name: 'a', dims: [3, 4] }, { name: 'w', dims: [4, 2] }], build: (g, x) => ({ y: g.op('MatMul', [x.a!, x.w!]), dims: [3, 2] }) },
  { name: 'Gemm (transB, bias)', inputs: [{ name: 'a', dims: [3, 4] }, { name: 'w', dims: [2, 4] }, { name: 'c', dims: [2] }], build: (g, x) => ({ y: g.op('Gemm', [x.a!, x.w!, x.c!], { transB: 1 }), dims: [3, 2] }) },
  { name: 'Reshape', inputs: [{ name: 'a', dims: [2, 6] }], build: (g, x) => ({ y: g.op('Reshape', [x.a!, g.ints([0, 3, 2])]), dims: [2, 3, 2] }) },
  { name: 'Transpose', inputs: [{ name: 'a', dims: [2, 3, 4] }], build: (g, x) => ({ y: g.op('Transpose', [x.a!], { perm: [2, 0, 1] }), dims: [4, 2, 3] }) },
  { name: 'Concat (class token + patches)', inputs: [{ name: 'a', dims: [2, 1, 3] }, { name: 'b', dims: [2, 4, 3] }], build: (g, x) => ({ y: g.op('Concat', [x.a!, x.b!], { axis: 1 }), dims: [2, 5, 3] }) },
  { name: 'Expand (class token over the batch)', inputs: [{ name: 'a', dims: [1, 1, 3] }], build: (g, x) => ({ y: g.op('Expand', [x.a!, g.ints([2, 1, 3])]), dims: [2, 1, 3] }) },
  { name: 'Gather (token pooling)', inputs: [{ name: 'a', dims: [2, 4, 3] }], build: (g, x) => ({ y: g.op('Gather', [x.a!, g.ints([0], [])], { axis: 1 }), dims: [2, 3] }) },
  { name: 'Slice (register tokens dropped)', inputs: [{ name: 'a', dims: [2, 5, 3] }], build: (g, x) => ({ y: g.op('Slice', [x.a!, g.ints([1]), g.ints([3]), g.ints([1])]), dims: [2, 2, 3] }) },
  { name: 'ReduceMean (gap pooling)', inputs: [{ name: 'a', dims: [2, 4, 3] }], build: (g, x) => ({ y: g.op('ReduceMean', [x.a!], { axes: [1], keepdims: 0 }), dims: [2, 3] }) },
  { name: 'ReduceSum', inputs: [{ name: 'a', dims: [2, 4, 3] }], build: (g, x) => ({ y: g.op('ReduceSum', [x.a!, g.ints([-1])], { keepdims: 1 }), dims: [2, 4, 1] }) },
  { name: 'Softmax', inputs: [{ name: 'a', dims: [2, 3, 5] }], build: (g, x) => ({ y: g.op('Softmax', [x.a!], { axis: -1 }), dims: [2, 3, 5] }) },
  { name: 'LogSoftmax', inputs: [{ name: 'a', dims: [3, 5] }], build: (g, x) => ({ y: g.op('LogSoftmax', [x.a!], { axis: -1 }), dims: [3, 5] }) },
  { name: 'LayerNormalization (x, γ, β)', inputs: [{ name: 'a', dims: [2, 3, 6] }, { name: 'gamma', dims: [6] }, { name: 'beta', dims: [6] }], build: (g, x) => ({ y: g.op('LayerNormalization', [x.a!, x.gamma!, x.beta!], { axis: -1, epsilon: { float: 1e-6 } }), dims: [2, 3, 6] }) },
  { name: 'Erf', inputs: [{ name: 'a', dims: [2, 5] }], build: (g, x) => ({ y: g.op('Erf', [x.a!]), dims: [2, 5] }), ...ERF_TYPE },
  {
    name: 'exact GELU as the ViT graph writes it: 0.5·x·(1 + erf(x/√2))',
    inputs: [{ name: 'a', dims: [2, 5] }],
    build: (g, x) => ({ y: g.op('Mul', [g.op('Mul', [x.a!, g.op('Add', [g.op('Erf', [g.op('Div', [x.a!, g.scalar(Math.SQRT2)])]), g.scalar(1)])]), g.scalar(0.5)]), dims: [2, 5] }),
    ...ERF_TYPE,
  },
  { name: 'Tanh', inputs: [{ name: 'a', dims: [2, 5] }], build: (g, x) => ({ y: g.op('Tanh', [x.a!]), dims: [2, 5] }) },
  { name: 'Sigmoid', inputs: [{ name: 'a', dims: [2, 5] }], build: (g, x) => ({ y: g.op('Sigmoid', [x.a!]), dims: [2, 5] }) },
  { name: 'Sqrt', inputs: [{ name: 'a', dims: [4], values: [0.5, 1, 2, 3] }], build: (g, x) => ({ y: g.op('Sqrt', [x.a!]), dims: [4] }) },
  { name: 'Exp', inputs: [{ name: 'a', dims: [2, 3] }], build: (g, x) => ({ y: g.op('Exp', [x.a!]), dims: [2, 3] }) },
  { name: 'Neg and Identity', inputs: [{ name: 'a', dims: [2, 3] }], build: (g, x) => ({ y: g.op('Identity', [g.op('Neg', [x.a!])]), dims: [2, 3] }) },
  { name: 'Unsqueeze then Squeeze', inputs: [{ name: 'a', dims: [2, 3] }], build: (g, x) => ({ y: g.op('Mul', [g.op('Squeeze', [g.op('Unsqueeze', [x.a!, g.ints([1])]), g.ints([1])]), x.a!]), dims: [2, 3] }) },
];

describe('vector-Jacobian rules vs float64 central finite differences (ONNX Runtime)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const r = await gradCheck(c.inputs, c.build, { double: c.double ?? true });
      assert.ok(r.checked > 0);
      assert.ok(r.worst <= (c.tol ?? TOL), `${c.name}: worst relative error ${r.worst.toExponential(2)} at ${r.where}`);
    });
  }
});
