import { dimsOf, dy0, outDims, unbroadcast, type VjpContext, type VjpRule } from './vjpContext';

/** dL/dinput_i = unbroadcast(term_i) for the inputs that need a gradient. */
function each(c: VjpContext, term: (i: number) => string): (string | null)[] {
  return c.node.inputs.map((_, i) => (c.needs[i] ? unbroadcast(c.g, term(i), outDims(c), dimsOf(c, i)) : null));
}

/** y = a + b */
export const addVjp: VjpRule = (c) => each(c, () => dy0(c));

/** y = a − b */
export const subVjp: VjpRule = (c) => each(c, (i) => (i === 0 ? dy0(c) : c.g.op('Neg', [dy0(c)])));

/** y = a · b */
export const mulVjp: VjpRule = (c) => each(c, (i) => c.g.op('Mul', [dy0(c), c.node.inputs[1 - i] as string]));

/** y = a / b: da = g / b, db = −g · y / b */
export const divVjp: VjpRule = (c) => {
  const [, b] = c.node.inputs as [string, string];
  const y = c.node.outputs[0] as string;
  return each(c, (i) => (i === 0 ? c.g.op('Div', [dy0(c), b]) : c.g.op('Neg', [c.g.op('Mul', [dy0(c), c.g.op('Div', [y, b])])])));
};

export const identityVjp: VjpRule = (c) => [c.needs[0] ? dy0(c) : null];

export const negVjp: VjpRule = (c) => [c.needs[0] ? c.g.op('Neg', [dy0(c)]) : null];

/**
 * y = erf(x): dy/dx = 2/√π · exp(−x²) (the exact GELU's inner function), written exp(ln(2/√π) − x²): four passes over
 * the activation instead of five (the constant folded into the exponent, no Neg).
 */
export const erfVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const x = c.node.inputs[0] as string;
  const bell = c.g.op('Exp', [c.g.op('Sub', [c.g.scalar(Math.log(2 / Math.sqrt(Math.PI))), c.g.op('Mul', [x, x])])]);
  return [c.g.op('Mul', [dy0(c), bell])];
};

/** y = tanh(x): 1 − y² */
export const tanhVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const y = c.node.outputs[0] as string;
  return [c.g.op('Mul', [dy0(c), c.g.op('Sub', [c.g.scalar(1), c.g.op('Mul', [y, y])])])];
};

/** y = σ(x): y · (1 − y) */
export const sigmoidVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const y = c.node.outputs[0] as string;
  return [c.g.op('Mul', [dy0(c), c.g.op('Mul', [y, c.g.op('Sub', [c.g.scalar(1), y])])])];
};

/** y = √x: 1 / (2y) */
export const sqrtVjp: VjpRule = (c) => {
  if (!c.needs[0]) return [null];
  const y = c.node.outputs[0] as string;
  return [c.g.op('Div', [dy0(c), c.g.op('Mul', [y, c.g.scalar(2)])])];
};

/** y = exp(x): y */
export const expVjp: VjpRule = (c) => [c.needs[0] ? c.g.op('Mul', [dy0(c), c.node.outputs[0] as string]) : null];
