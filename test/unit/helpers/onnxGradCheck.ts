import type * as Ort from 'onnxruntime-node';
import { seededRandom } from '../../../src/core/seededRandom';
import { loadOnnxRuntime } from '../../../src/engine/backend/onnxBackend';
import { addBackward } from '../../../src/engine/onnx/autodiff/backward';
import { OnnxGraphBuilder } from '../../../src/engine/onnx/onnxGraphBuilder';
import { encodeOnnxModel, ONNX_DOUBLE, ONNX_FLOAT } from '../../../src/engine/onnx/onnxProto';

export interface CheckInput {
  name: string;
  dims: number[];
  /** default: uniform in [-1, 1) */
  values?: number[];
  /** no gradient wanted (an index, a frozen operand) */
  frozen?: boolean;
}

export interface GradCheckResult {
  /** worst |analytic − numeric| / max(1, |numeric|) over every coordinate of every input */
  worst: number;
  where: string;
  checked: number;
}

function ort(): typeof Ort {
  const loaded = loadOnnxRuntime();
  if ('error' in loaded) throw new Error(loaded.error);
  return loaded.ort;
}

/**
 * Builds `build(g, inputs)` in float64 (or float32), differentiates L = Σ y·r (r random, so dL/dy = r seeds the
 * backward pass) with respect to every non-frozen input, runs it on ONNX Runtime, and compares each gradient
 * coordinate with the central finite difference (L(x+h) − L(x−h)) / 2h computed by running the same graph.
 */
export async function gradCheck(inputs: CheckInput[], build: (g: OnnxGraphBuilder, x: Record<string, string>) => { y: string; dims: number[] }, opts: { double?: boolean; h?: number; seed?: number; maxCoords?: number } = {}): Promise<GradCheckResult> {
  const double = opts.double ?? true;
  const g = new OnnxGraphBuilder(double ? ONNX_DOUBLE : ONNX_FLOAT);
  const x: Record<string, string> = {};
  for (const i of inputs) x[i.name] = g.input(i.name, i.dims);
  const { y, dims } = build(g, x);
  const r = g.input('__r', dims);
  g.output('loss', g.op('ReduceSum', [g.op('Mul', [y, r])], { keepdims: 0 }), []);
  const wrt = inputs.filter((i) => !i.frozen).map((i) => i.name);
  const { grads } = addBackward(g, new Map([[y, r]]), wrt);
  grads.forEach((d, k) => g.output(`grad_${wrt[k]}`, d, inputs.find((i) => i.name === wrt[k])!.dims));
  const O = ort();
  const session = await O.InferenceSession.create(encodeOnnxModel(g.model('check', 'test', 'none.bin', new Map())), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  const rand = seededRandom(opts.seed ?? 7);
  const make = (vals: number[]): Float64Array | Float32Array => (double ? Float64Array.from(vals) : Float32Array.from(vals));
  const size = (d: number[]): number => d.reduce((a, b) => a * b, 1);
  const data: Record<string, Float64Array | Float32Array> = {};
  for (const i of inputs) data[i.name] = make(i.values ?? Array.from({ length: size(i.dims) }, () => rand() * 2 - 1));
  data.__r = make(Array.from({ length: size(dims) }, () => rand() * 2 - 1));
  const type = double ? 'float64' : 'float32';
  const feeds = (): Record<string, Ort.Tensor> => Object.fromEntries([...inputs.map((i) => [i.name, i.dims] as const), ['__r', dims] as const].map(([n, d]) => [n, new O.Tensor(type, data[n]!, d)]));
  try {
    const base = await session.run(feeds());
    const lossAt = async (): Promise<number> => Number((await session.run(feeds())).loss!.data[0]);
    const h = opts.h ?? (double ? 1e-6 : 1e-2);
    let worst = 0;
    let where = '';
    let checked = 0;
    for (const name of wrt) {
      const v = data[name]!;
      const analytic = base[`grad_${name}`]!.data as Float64Array;
      const stride = Math.max(1, Math.floor(v.length / (opts.maxCoords ?? 64)));
      for (let j = 0; j < v.length; j += stride) {
        const keep = v[j]!;
        v[j] = keep + h;
        const up = await lossAt();
        v[j] = keep - h;
        const down = await lossAt();
        v[j] = keep;
        const numeric = (up - down) / (2 * h);
        const err = Math.abs(analytic[j]! - numeric) / Math.max(1, Math.abs(numeric));
        checked++;
        if (err > worst) {
          worst = err;
          where = `${name}[${j}]: analytic ${analytic[j]} vs numeric ${numeric}`;
        }
      }
    }
    return { worst, where, checked };
  } finally {
    await session.release();
  }
}
