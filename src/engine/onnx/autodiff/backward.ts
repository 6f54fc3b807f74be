import type { OnnxGraphBuilder } from '../onnxGraphBuilder';
import { GraphShapes } from './graphShapes';
import { VJP_RULES } from './vjpRules';

export interface BackwardResult {
  /** gradient value name of each `wrt` value, in order */
  grads: string[];
  shapes: GraphShapes;
}

/**
 * Reverse-mode differentiation at graph-build time: walks the builder's nodes backwards from `seeds` (value → its
 * gradient, already in the graph) and appends the nodes that compute the gradient of every `wrt` value (trainable
 * weights fed as graph inputs). Only nodes between a `wrt` value and a seed get a rule applied; gradients that meet at
 * a value (the residual stream) are summed. Values nothing trainable depends on (frozen weights, constants) get none.
 */
export function addBackward(g: OnnxGraphBuilder, seeds: Map<string, string>, wrt: readonly string[]): BackwardResult {
  const shapes = new GraphShapes(g);
  const forward = g.nodes.slice();
  const depends = new Set<string>(wrt);
  for (const n of forward) if (n.inputs.some((i) => depends.has(i))) for (const o of n.outputs) depends.add(o);
  const grads = new Map(seeds);
  const accumulate = (value: string, grad: string): void => {
    const prev = grads.get(value);
    grads.set(value, prev ? g.op('Add', [prev, grad]) : grad);
  };
  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i]!;
    const dy = node.outputs.map((o) => grads.get(o) ?? null);
    if (dy.every((d) => d === null)) continue;
    const needs = node.inputs.map((x) => depends.has(x));
    if (!needs.some(Boolean)) continue;
    const rule = VJP_RULES[node.op];
    if (!rule) throw new Error(`no gradient rule for ONNX operator ${node.op} (node ${node.name})`);
    const dx = rule({ g, shapes, node, dy, needs });
    node.inputs.forEach((x, k) => {
      const d = dx[k];
      if (d && needs[k]) accumulate(x, d);
    });
  }
  return {
    grads: wrt.map((w) => {
      const d = grads.get(w);
      if (!d) throw new Error(`"${w}" does not reach the loss: it has no gradient`);
      return d;
    }),
    shapes,
  };
}
