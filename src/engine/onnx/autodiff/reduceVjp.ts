import { ONNX_FLOAT } from '../onnxProto';
import type { Dim } from './graphShapes';
import { dimsOf, dy0, outDims, unbroadcast, type VjpContext, type VjpRule } from './vjpContext';

const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

function reduceAxes(c: VjpContext, fromInput: boolean): number[] {
  const rank = dimsOf(c, 0).length;
  const raw = fromInput ? (c.node.inputs[1] ? (c.shapes.ints(c.node.inputs[1]) as number[]) : undefined) : (c.node.attributes?.axes as number[] | undefined);
  return (raw ?? Array.from({ length: rank }, (_, i) => i)).map((a) => norm(a, rank));
}

/** Broadcasts a reduced gradient back over the reduced axes (times `scale`). */
function spread(c: VjpContext, axes: number[], scale: number | null): string {
  const keep = (c.node.attributes?.keepdims ?? 1) === 1;
  let gy = dy0(c);
  if (!keep) gy = c.g.op('Unsqueeze', [gy, c.g.ints(axes)]);
  if (scale !== null) gy = c.g.op('Mul', [gy, c.g.scalar(scale)]);
  return c.g.op('Expand', [gy, c.g.op('Shape', [c.node.inputs[0] as string])]);
}

function count(dims: Dim[], axes: number[], where: string): number {
  return axes.reduce((n, a) => {
    const d = dims[a];
    if (typeof d !== 'number') throw new Error(`${where}: mean over a symbolic axis`);
    return n * d;
  }, 1);
}

/** y = mean(x, axes): g / n spread over the reduced axes */
export const reduceMeanVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const axes = reduceAxes(c, false);
  return [spread(c, axes, 1 / count(dimsOf(c, 0), axes, `ReduceMean node ${c.node.name}`))];
};

/** y = sum(x, axes): g spread over the reduced axes */
export const reduceSumVjp: VjpRule = (c) => [c.needs[0] ? spread(c, reduceAxes(c, true), null) : null, null];

/** y = softmax(x, axis): y · (g − Σ g·y) */
export const softmaxVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const y = c.node.outputs[0] as string;
  const axis = norm((c.node.attributes?.axis as number | undefined) ?? -1, outDims(c).length);
  const gy = dy0(c);
  const dot = c.g.op('ReduceSum', [c.g.op('Mul', [gy, y]), c.g.ints([axis])], { keepdims: 1 });
  return [c.g.op('Mul', [y, c.g.op('Sub', [gy, dot])])];
};

/** y = log_softmax(x, axis): g − softmax(x) · Σ g */
export const logSoftmaxVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const y = c.node.outputs[0] as string;
  const axis = norm((c.node.attributes?.axis as number | undefined) ?? -1, outDims(c).length);
  const gy = dy0(c);
  return [c.g.op('Sub', [gy, c.g.op('Mul', [c.g.op('Exp', [y]), c.g.op('ReduceSum', [gy, c.g.ints([axis])], { keepdims: 1 })])])];
};

/**
 * y = γ · x̂ + β with x̂ = (x − μ) · σ⁻¹ over the trailing axes. The forward node is asked for its Mean and InvStdDev
 * outputs (optional outputs of LayerNormalization) so nothing is recomputed:
 * dx = σ⁻¹ · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) with ĝ = g · γ; dγ = Σ g · x̂; dβ = Σ g.
 */
export const layerNormVjp: VjpRule = (c) => {
  const n = c.node;
  const [x, gamma, beta] = n.inputs as [string, string, string | undefined];
  const xd = dimsOf(c, 0);
  const axis = norm((n.attributes?.axis as number | undefined) ?? -1, xd.length);
  const y = n.outputs[0] as string;
  if (n.outputs.length < 3) n.outputs.splice(1, 2, n.outputs[1] || `${y}__mean`, n.outputs[2] || `${y}__invstd`);
  const g = c.g;
  // Mean and InvStdDev come in the stash type (float32) whatever the input type: cast for float64 graphs
  const stash = (v: string): string => (g.elemType === ONNX_FLOAT ? v : g.op('Cast', [v], { to: g.elemType }));
  const mean = stash(n.outputs[1] as string);
  const inv = stash(n.outputs[2] as string);
  const gy = dy0(c);
  const xhat = g.op('Mul', [g.op('Sub', [x, mean]), inv]);
  const axes = Array.from({ length: xd.length - axis }, (_, i) => axis + i);
  let dx: string | null = null;
  if (c.needs[0]) {
    const gh = g.op('Mul', [gy, gamma]);
    const m1 = g.op('ReduceMean', [gh], { axes, keepdims: 1 });
    const m2 = g.op('ReduceMean', [g.op('Mul', [gh, xhat])], { axes, keepdims: 1 });
    dx = g.op('Mul', [inv, g.op('Sub', [g.op('Sub', [gh, m1]), g.op('Mul', [xhat, m2])])]);
  }
  const dGamma = c.needs[1] ? unbroadcast(g, g.op('Mul', [gy, xhat]), xd, dimsOf(c, 1)) : null;
  const dBeta = beta && c.needs[2] ? unbroadcast(g, gy, xd, dimsOf(c, 2)) : null;
  return beta ? [dx, dGamma, dBeta] : [dx, dGamma];
};
