import { OnnxGraphBuilder } from '../../onnx/onnxGraphBuilder';
import type { OptimizerName } from '../optimizer';

export interface OptimizerGraphSpec {
  name: OptimizerName;
  /** trainable parameters, in the order the trainer keeps them */
  params: { name: string; dims: number[] }[];
  beta1?: number;
  beta2?: number;
  /** decoupled weight decay (adamw only) */
  weightDecay?: number;
  /** sgd momentum (0: plain sgd, no slot) */
  momentum?: number;
  /** global-norm clipping threshold (null: no clipping) */
  clipNorm?: number | null;
}

/** Per-step scalar inputs: learning rate, bias corrections and epsilon computed in TypeScript (schedules stay there). */
export const STEP_SCALARS = ['lr', 'c1', 'c2', 'eps', 'grad_scale'] as const;
export type StepScalars = Record<(typeof STEP_SCALARS)[number], number>;

/** Slot names of an optimizer: Adam(W) keeps m and v, SGD with momentum keeps m, plain SGD none. */
export function optimizerSlots(spec: Pick<OptimizerGraphSpec, 'name' | 'momentum'>): ('m' | 'v')[] {
  if (spec.name === 'sgd') return (spec.momentum ?? 0) > 0 ? ['m'] : [];
  return ['m', 'v'];
}

/**
 * Scalars of step t (1-based) for Adam/AdamW: c1 = 1/(1 − β1ᵗ), c2 = 1/√(1 − β2ᵗ). The graph computes
 * p − lr·c1·m / (c2·√v + eps): PyTorch's formula with eps as given; Keras's (lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε)) is the
 * same with eps = c2·ε, which `kerasEpsilon` selects.
 */
export function stepScalars(t: number, lr: number, opts: { beta1?: number; beta2?: number; epsilon: number; kerasEpsilon: boolean; gradScale?: number }): StepScalars {
  const c1 = 1 / (1 - (opts.beta1 ?? 0.9) ** t);
  const c2 = 1 / Math.sqrt(1 - (opts.beta2 ?? 0.999) ** t);
  return { lr, c1, c2, eps: opts.kerasEpsilon ? opts.epsilon * c2 : opts.epsilon, grad_scale: opts.gradScale ?? 1 };
}

/**
 * The optimizer step as an ONNX graph (float32): inputs `param.<p>`, `grad.<p>`, `<slot>.<p>` and the step scalars;
 * outputs `new_param.<p>`, `new_<slot>.<p>`, `grad_sq.<p>` (Σ g² of the averaged gradient, before clipping: the health
 * statistics) and `grad_norm`. Gradients are first scaled by grad_scale (1/accumulated micro-batches), then clipped to
 * a global norm. AdamW decays the weights decoupled from the gradient (p·lr·wd, on the weights before the step), as
 * torch.optim.AdamW and keras.optimizers.AdamW do. SGD with momentum is Keras's m ← μ·m − lr·g, p ← p + m.
 */
export function buildOptimizerGraph(spec: OptimizerGraphSpec): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder();
  const s = Object.fromEntries(STEP_SCALARS.map((n) => [n, g.input(n, [])])) as Record<(typeof STEP_SCALARS)[number], string>;
  const slots = optimizerSlots(spec);
  const grads = spec.params.map((p) => g.op('Mul', [g.input(`grad.${p.name}`, p.dims), s.grad_scale]));
  const sq = grads.map((d, i) => {
    const v = g.op('ReduceSum', [g.op('Mul', [d, d])], { keepdims: 0 });
    g.output(`grad_sq.${spec.params[i]!.name}`, v, []);
    return v;
  });
  const norm = g.op('Sqrt', [sq.reduce((a, b) => g.op('Add', [a, b]))]);
  g.output('grad_norm', norm, []);
  let clipped = grads;
  if (spec.clipNorm) {
    const factor = g.op('Min', [g.scalar(1), g.op('Div', [g.scalar(spec.clipNorm), g.op('Add', [norm, g.scalar(1e-6)])])]);
    clipped = grads.map((d) => g.op('Mul', [d, factor]));
  }
  const b1 = spec.beta1 ?? 0.9;
  const b2 = spec.beta2 ?? 0.999;
  spec.params.forEach((p, i) => {
    const param = g.input(`param.${p.name}`, p.dims);
    const slot = Object.fromEntries(slots.map((k) => [k, g.input(`${k}.${p.name}`, p.dims)])) as Record<'m' | 'v', string>;
    const d = clipped[i]!;
    let next: string;
    if (spec.name === 'sgd') {
      const step = g.op('Mul', [d, s.lr]);
      if (slots.length) {
        const m = g.op('Sub', [g.op('Mul', [slot.m, g.scalar(spec.momentum ?? 0)]), step]);
        g.output(`new_m.${p.name}`, m, p.dims);
        next = g.op('Add', [param, m]);
      } else next = g.op('Sub', [param, step]);
    } else {
      const m = g.op('Add', [g.op('Mul', [slot.m, g.scalar(b1)]), g.op('Mul', [d, g.scalar(1 - b1)])]);
      const v = g.op('Add', [g.op('Mul', [slot.v, g.scalar(b2)]), g.op('Mul', [g.op('Mul', [d, d]), g.scalar(1 - b2)])]);
      g.output(`new_m.${p.name}`, m, p.dims);
      g.output(`new_v.${p.name}`, v, p.dims);
      const denom = g.op('Add', [g.op('Mul', [g.op('Sqrt', [v]), s.c2]), s.eps]);
      const update = g.op('Div', [g.op('Mul', [m, g.op('Mul', [s.lr, s.c1])]), denom]);
      next = g.op('Sub', [param, update]);
      if (spec.name === 'adamw' && spec.weightDecay) next = g.op('Sub', [next, g.op('Mul', [param, g.op('Mul', [s.lr, g.scalar(spec.weightDecay)])])]);
    }
    g.output(`new_param.${p.name}`, next, p.dims);
  });
  return g;
}
