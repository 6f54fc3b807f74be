import { reshapeTo } from './matmulVjp';
import { dimsOf, dy0, outDims, unbroadcast, type VjpContext, type VjpRule } from './vjpContext';

const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
const axisAttr = (c: VjpContext, fallback: number): number => {
  const a = c.node.attributes?.axis;
  return typeof a === 'number' ? a : fallback;
};

/** Zero-pads `grad` back to `dims`: `before[i]` zeros ahead of axis i and `after[i]` behind it. */
function padBack(c: VjpContext, grad: string, before: number[], after: number[]): string {
  if (before.every((v) => v === 0) && after.every((v) => v === 0)) return grad;
  return c.g.op('Pad', [grad, c.g.ints([...before, ...after])], { mode: 'constant' });
}

/** y = reshape(x): the gradient takes x's shape back */
export const reshapeVjp: VjpRule = (c) => [c.needs[0] ? reshapeTo(c.g, dy0(c), dimsOf(c, 0), c.node.inputs[0] as string) : null, null];

/** y = transpose(x, perm): transpose back by the inverse permutation */
export const transposeVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const rank = dimsOf(c, 0).length;
  const perm = (c.node.attributes?.perm as number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [c.g.op('Transpose', [dy0(c)], { perm: inverse })];
};

/** y = concat(x_1..x_n, axis): each input's slice of the gradient */
export const concatVjp: VjpRule = (c) => {
  const rank = outDims(c).length;
  const axis = norm(axisAttr(c, 0), rank);
  let offset = 0;
  return c.node.inputs.map((_, i) => {
    const size = dimsOf(c, i)[axis];
    if (typeof size !== 'number') throw new Error(`Concat node ${c.node.name}: symbolic size along the concatenated axis`);
    const start = offset;
    offset += size;
    return c.needs[i] ? c.g.op('Slice', [dy0(c), c.g.ints([start]), c.g.ints([start + size]), c.g.ints([axis])]) : null;
  });
};

/** y = expand(x, shape): the broadcast copies summed back */
export const expandVjp: VjpRule = (c) => [c.needs[0] ? unbroadcast(c.g, dy0(c), outDims(c), dimsOf(c, 0)) : null, null];

/** y = gather(x, i, axis) with a constant scalar index (token pooling): the gradient lands at that index, zeros elsewhere */
export const gatherVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null, null];
  const xd = dimsOf(c, 0);
  const axis = norm(axisAttr(c, 0), xd.length);
  const idxDims = dimsOf(c, 1);
  const size = xd[axis];
  if (idxDims.length !== 0 || typeof size !== 'number') throw new Error(`Gather node ${c.node.name}: only a constant scalar index on a static axis is differentiated`);
  const raw = c.shapes.ints(c.node.inputs[1] as string)[0] as number;
  const at = raw < 0 ? raw + size : raw;
  const before = xd.map((_, i) => (i === axis ? at : 0));
  const after = xd.map((_, i) => (i === axis ? size - 1 - at : 0));
  return [padBack(c, c.g.op('Unsqueeze', [dy0(c), c.g.ints([axis])]), before, after), null];
};

/** y = x[starts:ends] along axes (step 1): the gradient zero-padded back */
export const sliceVjp: VjpRule = (c) => {
  if (!c.needs[0]) return c.node.inputs.map(() => null);
  const xd = dimsOf(c, 0);
  const starts = c.shapes.ints(c.node.inputs[1] as string) as number[];
  const ends = c.shapes.ints(c.node.inputs[2] as string) as number[];
  const axes = c.node.inputs[3] ? (c.shapes.ints(c.node.inputs[3]) as number[]) : starts.map((_, i) => i);
  if (c.node.inputs[4] && (c.shapes.ints(c.node.inputs[4]) as number[]).some((s) => s !== 1)) throw new Error(`Slice node ${c.node.name}: only step 1 is differentiated`);
  const before = xd.map(() => 0);
  const after = xd.map(() => 0);
  axes.forEach((a, i) => {
    const ax = norm(a, xd.length);
    const size = xd[ax] as number;
    const clamp = (v: number): number => Math.max(0, Math.min(size, v < 0 ? v + size : v));
    before[ax] = clamp(starts[i] as number);
    after[ax] = size - clamp(ends[i] as number);
  });
  return [padBack(c, dy0(c), before, after), ...c.node.inputs.slice(1).map(() => null)];
};

export const unsqueezeVjp: VjpRule = (c) => [c.needs[0] ? c.g.op('Squeeze', [dy0(c), c.node.inputs[1] as string]) : null, null];

export const squeezeVjp: VjpRule = (c) => [c.needs[0] ? c.g.op('Unsqueeze', [dy0(c), c.node.inputs[1] as string]) : null, null];
