import type { OnnxGraphBuilder } from '../onnxGraphBuilder';
import type { OnnxNode } from '../onnxProto';
import type { Dim, GraphShapes } from './graphShapes';

/** What a vector-Jacobian rule sees: the forward node, the gradients of its outputs, and which inputs need one. */
export interface VjpContext {
  g: OnnxGraphBuilder;
  shapes: GraphShapes;
  node: OnnxNode;
  /** gradient of each output (null: that output does not reach the loss) */
  dy: (string | null)[];
  /** whether each input needs a gradient (a trainable value depends on it) */
  needs: boolean[];
}

/** Returns the gradient of each input (null where not needed), emitting the ONNX nodes that compute them. */
export type VjpRule = (c: VjpContext) => (string | null)[];

export const dimsOf = (c: VjpContext, i: number): Dim[] => c.shapes.dims(c.node.inputs[i] as string);
export const outDims = (c: VjpContext, i = 0): Dim[] => c.shapes.dims(c.node.outputs[i] as string);
export const sameDims = (a: Dim[], b: Dim[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The output gradient, which a rule needs to exist (rules run only when at least one output has a gradient). */
export function dy0(c: VjpContext): string {
  const d = c.dy[0];
  if (!d) throw new Error(`${c.node.op} node ${c.node.name}: no gradient for its output`);
  return d;
}

/**
 * Sums a gradient of shape `from` down to `to` (numpy broadcasting undone): leading axes dropped, axes where `to` has 1
 * summed with keepdims. Static: both shapes are known when the graph is built.
 */
export function unbroadcast(g: OnnxGraphBuilder, grad: string, from: Dim[], to: Dim[]): string {
  if (sameDims(from, to)) return grad;
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead) axes.push(i);
    else if (to[i - lead] === 1 && from[i] !== 1) axes.push(i);
  }
  let out = axes.length ? g.op('ReduceSum', [grad, g.ints(axes)], { keepdims: 1 }) : grad;
  if (lead > 0) out = g.op('Squeeze', [out, g.ints(axes.filter((a) => a < lead))]);
  return out;
}
