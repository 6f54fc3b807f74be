import type * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../core/userError';
import type { RunOptions, StageTensor } from './modelRunner';

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A tensor's shape and values, read back from the TF.js backend. */
export function readStage(t: tf.Tensor): StageTensor {
  return { shape: [...t.shape], data: t.dataSync() as Float32Array };
}

export interface EncoderSteps {
  numLayers: number;
  /** block i on h; `inner` records named intermediate tensors of the first block */
  block(i: number, h: tf.Tensor, inner?: (name: string, t: tf.Tensor) => void): tf.Tensor;
  /** the final LayerNorm */
  finalNorm(h: tf.Tensor): tf.Tensor;
}

/**
 * The encoder of every TF.js runner: block by block from the embeddings, yielding between blocks so that a cancel
 * arriving over IPC is seen before the next one, then the final norm handed to `useTokens`. Owns (and disposes)
 * the embeddings tensor and every intermediate.
 */
export async function runTfjsEncoder<T>(
  embeddings: tf.Tensor,
  steps: EncoderSteps,
  opts: { internals?: boolean; run: RunOptions },
  useTokens: (tokens: tf.Tensor) => T,
): Promise<{ blocks: StageTensor[]; internals: Record<string, StageTensor> | null; result: T }> {
  let h = embeddings;
  const blocks: StageTensor[] = [];
  const internals: Record<string, StageTensor> | null = opts.internals ? {} : null;
  try {
    for (let i = 0; i < steps.numLayers; i++) {
      await yieldToEvents();
      if (opts.run.signal?.aborted) throw new UserError('E_CANCELLED', 'Cancelled.');
      const inner = internals && i === 0 ? (name: string, t: tf.Tensor) => void (internals[name] = readStage(t)) : undefined;
      const y = steps.block(i, h, inner);
      h.dispose();
      h = y;
      blocks.push(readStage(h));
      opts.run.onProgress?.(i + 1, steps.numLayers);
    }
    const tokens = steps.finalNorm(h);
    try {
      return { blocks, internals, result: useTokens(tokens) };
    } finally {
      tokens.dispose();
    }
  } finally {
    h.dispose();
  }
}
