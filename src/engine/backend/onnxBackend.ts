import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;

/** Loads the onnxruntime-node binding; a missing or broken binary gives the reason instead of throwing. */
export function loadOnnxRuntime(): { ort: OrtModule; version: string } | { error: string } {
  try {
    const ort = require('onnxruntime-node') as OrtModule;
    return { ort, version: ort.env.versions.node ?? 'unknown' };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] ?? 'cannot be loaded' };
  }
}

/** Physical cores (Linux: distinct physical id/core id pairs of /proc/cpuinfo), else the logical count. */
export function physicalCores(): number {
  try {
    const pairs = new Set<string>();
    let phys = '0';
    for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const m = /^(physical id|core id)\s*:\s*(\d+)/.exec(line);
      if (m?.[1] === 'physical id') phys = m[2]!;
      else if (m) pairs.add(`${phys}:${m[2]}`);
    }
    if (pairs.size > 0) return pairs.size;
  } catch {
    // not Linux
  }
  return Math.max(1, availableParallelism());
}
