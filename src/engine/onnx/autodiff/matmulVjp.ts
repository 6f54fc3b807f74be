import type { OnnxGraphBuilder } from '../onnxGraphBuilder';
import type { Dim } from './graphShapes';
import { dimsOf, dy0, outDims, unbroadcast, type VjpRule } from './vjpContext';

/** Reshapes `x` to static `dims` (one symbolic dim becomes −1), or to the runtime shape of `like`. */
export function reshapeTo(g: OnnxGraphBuilder, x: string, dims: Dim[], like: string): string {
  const symbolic = dims.filter((d) => typeof d !== 'number').length;
  if (symbolic <= 1) return g.op('Reshape', [x, g.ints(dims.map((d) => (typeof d === 'number' ? d : -1)))]);
  return g.op('Reshape', [x, g.op('Shape', [like])]);
}

const swapLast = (rank: number): number[] => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];

/**
 * y = a @ b. A 2-D b (a dense kernel) takes the fast path: every leading axis of a is folded into the rows, so the
 * kernel's gradient is one GEMM aᵀ·g (no batched product then sum). Batched products of equal rank (attention) use
 * transposed batched MatMuls and sum any broadcast batch axes away.
 */
export const matMulVjp: VjpRule = (c) => {
  const [a, b] = c.node.inputs as [string, string];
  const ad = dimsOf(c, 0);
  const bd = dimsOf(c, 1);
  const yd = outDims(c);
  const gy = dy0(c);
  const g = c.g;
  if (bd.length === 2) {
    const [k, n] = bd as [Dim, Dim];
    if (typeof k !== 'number' || typeof n !== 'number') throw new Error(`MatMul node ${c.node.name}: symbolic kernel shape`);
    const gy2 = yd.length === 2 ? gy : g.op('Reshape', [gy, g.ints([-1, n])]);
    const da = c.needs[0] ? (ad.length === 2 ? g.op('Gemm', [gy2, b], { transB: 1 }) : reshapeTo(g, g.op('Gemm', [gy2, b], { transB: 1 }), ad, a)) : null;
    const a2 = ad.length === 2 ? a : g.op('Reshape', [a, g.ints([-1, k])]);
    const db = c.needs[1] ? g.op('Gemm', [a2, gy2], { transA: 1 }) : null;
    return [da, db];
  }
  const da = c.needs[0] ? unbroadcast(g, g.op('MatMul', [gy, g.op('Transpose', [b], { perm: swapLast(bd.length) })]), [...yd.slice(0, -2), ad[ad.length - 2] as Dim, ad[ad.length - 1] as Dim], ad) : null;
  const db = c.needs[1] ? unbroadcast(g, g.op('MatMul', [g.op('Transpose', [a], { perm: swapLast(ad.length) }), gy]), [...yd.slice(0, -2), bd[bd.length - 2] as Dim, bd[bd.length - 1] as Dim], bd) : null;
  return [da, db];
};

/** y = a' @ b' + c (alpha = beta = 1; a not transposed) */
export const gemmVjp: VjpRule = (c) => {
  const { transA = 0, transB = 0, alpha = undefined, beta = undefined } = (c.node.attributes ?? {}) as Record<string, unknown>;
  if (transA || alpha !== undefined || beta !== undefined) throw new Error(`Gemm node ${c.node.name}: only transA=0, alpha=beta=1 are differentiated`);
  const [a, b] = c.node.inputs as [string, string];
  const gy = dy0(c);
  const g = c.g;
  const da = c.needs[0] ? g.op('Gemm', [gy, b], transB ? {} : { transB: 1 }) : null;
  const db = c.needs[1] ? (transB ? g.op('Gemm', [gy, a], { transA: 1 }) : g.op('Gemm', [a, gy], { transA: 1 })) : null;
  const dc = c.node.inputs[2] && c.needs[2] ? unbroadcast(g, gy, outDims(c), dimsOf(c, 2)) : null;
  return c.node.inputs.length > 2 ? [da, db, dc] : [da, db];
};
