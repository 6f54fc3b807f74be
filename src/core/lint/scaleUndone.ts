import type { SyntaxNode as Node } from './syntaxNode';
import type { PythonModel } from './pythonModel';
import type { ModelFlow } from './modelFlow';
import { mergeRanges, rangesContain, type RangeSet } from './rangeSet';

/** `tf.multiply(x, 255)`, `tf.math.multiply`, `np.multiply`: a multiplication written as a call. */
const MULTIPLY = /(^|\.)multiply$/;

/** A step that takes [0, 1] pixels back to 0–255, with the operand it scales and how it is written. */
export interface Restore {
  node: Node;
  operand: Node;
  /** `x * 255`, `x *= 255`, or `tf.multiply(x, 255)` */
  form: 'operator' | 'augmented' | 'call';
}

const cache = new WeakMap<ModelFlow, { restores: Restore[]; slices: Map<number, RangeSet> }>();

const is255 = (model: PythonModel, n: Node | null): boolean => {
  const v = model.numberValue(n);
  return v !== null && Math.abs(v - 255) < 1;
};

/** Every `x * 255` / `255.0 * x`, `x *= 255`, `tf.multiply(x, 255)` of the file, with the value it multiplies. */
export function restoresOf(model: PythonModel): Restore[] {
  const out: Restore[] = [];
  for (const b of model.nodesOfType('binary_operator')) {
    if (b.childForFieldName('operator')?.text !== '*') continue;
    const l = b.childForFieldName('left');
    const r = b.childForFieldName('right');
    if (l && r && is255(model, r)) out.push({ node: b, operand: l, form: 'operator' });
    else if (l && r && is255(model, l)) out.push({ node: b, operand: r, form: 'operator' });
  }
  for (const a of model.nodesOfType('augmented_assignment')) {
    const l = a.childForFieldName('left');
    if (l && a.childForFieldName('operator')?.text === '*=' && is255(model, a.childForFieldName('right'))) out.push({ node: a, operand: l, form: 'augmented' });
  }
  for (const c of model.calls) {
    if (!MULTIPLY.test(c.fnText) || c.args.length < 2) continue;
    const [x, y] = c.args;
    if (x && y && is255(model, y)) out.push({ node: c.node, operand: x, form: 'call' });
    else if (x && y && is255(model, x)) out.push({ node: c.node, operand: y, form: 'call' });
  }
  return out;
}

/** Whether the restored value is kept: assigned (`x = ...`, `x *= 255`) or returned, not only passed to a call statement (`plt.imshow(x * 255)`). */
function kept(n: Node): boolean {
  for (let p: Node | null = n; p; p = p.parent) {
    if (p.type === 'assignment' || p.type === 'augmented_assignment' || p.type === 'return_statement') return true;
    if (p.type === 'expression_statement' || p.type === 'block' || p.type === 'module' || p.type === 'lambda') return p.type === 'lambda';
  }
  return false;
}

/**
 * Whether a scaling to [0, 1] is undone before the model: a `* 255` on the model's path (`onPath`) whose operand is
 * computed from the scaling (the same value chain). A `* 255` elsewhere (for display) changes nothing.
 */
export function scalingUndone(flow: ModelFlow, step: Node, onPath: (n: Node) => boolean): boolean {
  let c = cache.get(flow);
  if (!c) cache.set(flow, (c = { restores: restoresOf(flow.model), slices: new Map() }));
  for (const r of c.restores) {
    if (!kept(r.node) || !onPath(r.node)) continue;
    let s = c.slices.get(r.node.id);
    if (!s) c.slices.set(r.node.id, (s = mergeRanges(flow.slice([r.operand]).ranges)));
    if (rangesContain(s, step.startIndex, step.endIndex)) return true;
  }
  return false;
}

/** Whether a kept `* 255` (any of the forms above) lies in the given code (the slice between two steps). */
export function restoresWithin(flow: ModelFlow, code: RangeSet): boolean {
  let c = cache.get(flow);
  if (!c) cache.set(flow, (c = { restores: restoresOf(flow.model), slices: new Map() }));
  return c.restores.some((r) => kept(r.node) && rangesContain(code, r.node.startIndex, r.node.endIndex));
}
