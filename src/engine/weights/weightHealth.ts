import { basename } from 'node:path';
import type { WeightArray } from './h5Reader';

/** A weight variable holding NaN or ±Inf values. */
export interface WeightIssue {
  file: string;
  variable: string;
  nan: number;
  inf: number;
  total: number;
}

/** Every variable of a weights file with non-finite values (counted, so the report can say how many). */
export function scanNonFinite(weights: Map<string, WeightArray>, file: string): WeightIssue[] {
  const out: WeightIssue[] = [];
  for (const [variable, w] of weights) {
    let nan = 0;
    let inf = 0;
    const d = w.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i] as number;
      if (v - v !== 0) {
        if (v !== v) nan++;
        else inf++;
      }
    }
    if (nan || inf) out.push({ file, variable, nan, inf, total: d.length });
  }
  return out;
}

/** "model.weights.h5: 152 of 152 variables stored as float16, widened to float32", or null when all were float32. */
export function storedDtypeNote(weights: Map<string, WeightArray>, file: string): string | null {
  const counts = new Map<string, number>();
  for (const w of weights.values()) if (w.storedAs) counts.set(w.storedAs, (counts.get(w.storedAs) ?? 0) + 1);
  if (counts.size === 0) return null;
  const parts = [...counts].map(([dt, n]) => `${n} of ${weights.size} variables stored as ${dt}`);
  return `${basename(file)}: ${parts.join(', ')}, widened to float32 (the engine computes in float32)`;
}
