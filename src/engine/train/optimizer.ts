import * as tf from '@tensorflow/tfjs-core';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';

export interface OptimizerConfig {
  name: OptimizerName;
  /** AdamW decoupled weight decay (keras default 0.004); ignored by adam and sgd. */
  weightDecay?: number;
  momentum?: number;
}

/**
 * Adam / AdamW (decoupled weight decay, as keras.optimizers.AdamW) / SGD with momentum, written with plain ops so the
 * learning rate can change every step (warm-up + cosine) and gradients can be accumulated. Keras defaults:
 * beta1 0.9, beta2 0.999, epsilon 1e-7.
 */
export class Optimizer {
  private step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(readonly config: OptimizerConfig) {}

  apply(vars: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number): void {
    this.step++;
    const t = this.step;
    const { name } = this.config;
    tf.tidy(() => {
      for (const [key, variable] of vars) {
        const g = grads.get(key);
        if (!g) continue;
        if (name === 'sgd') {
          const mom = this.config.momentum ?? 0;
          if (mom > 0) {
            const m = this.slot(this.m, key, variable);
            m.assign(tf.sub(tf.mul(m, mom), tf.mul(g, lr)));
            variable.assign(tf.add(variable, m));
          } else variable.assign(tf.sub(variable, tf.mul(g, lr)));
          continue;
        }
        const b1 = 0.9;
        const b2 = 0.999;
        const m = this.slot(this.m, key, variable);
        const v = this.slot(this.v, key, variable);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        let next = tf.sub(variable, tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(v), 1e-7)));
        if (name === 'adamw') next = tf.sub(next, tf.mul(variable, lr * (this.config.weightDecay ?? 0.004)));
        variable.assign(next);
      }
    });
  }

  private slot(map: Map<string, tf.Variable>, key: string, like: tf.Variable): tf.Variable {
    let s = map.get(key);
    if (!s) {
      const z = tf.zerosLike(like);
      s = tf.variable(z, false);
      z.dispose();
      map.set(key, s);
    }
    return s;
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Linear warm-up then cosine decay to 0 over the remaining steps. */
export function learningRateAt(step: number, total: number, base: number, warmupSteps: number): number {
  if (step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  const p = Math.min(1, (step - warmupSteps) / Math.max(1, total - warmupSteps));
  return base * 0.5 * (1 + Math.cos(Math.PI * p));
}
