import * as tf from '@tensorflow/tfjs-core';
import { DINOV2_LAYER_NORM_EPSILON } from '../../core/presets/dinov2Config';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import { UserError } from '../../core/userError';
import { dinov2Block, dinov2Embed } from '../models/dinov2/dinov2Backbone';
import { disposeDINOV2Model, loadDINOV2Model } from '../models/dinov2/dinov2Model';
import { layerNorm } from '../models/vit/vitLayers';
import type { ModelRunner, RunOptions, StagedOutputs, StageTensor } from './modelRunner';

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

function read(t: tf.Tensor): StageTensor {
  return { shape: [...t.shape], data: t.dataSync() as Float32Array };
}

/** A DINOv2 preset on the active TensorFlow.js backend, block by block (cancel is seen between blocks). */
export async function createTfjsDinov2Runner(preset: LoadedPreset, opts: { notes: string[]; internals?: boolean }): Promise<ModelRunner> {
  const t0 = performance.now();
  const model = await loadDINOV2Model(preset);
  const loadTimings = { readWeightsMs: performance.now() - t0 };
  const cfg = model.config;
  return {
    backend: { name: tf.getBackend(), notes: [...opts.notes, ...model.weightNotes] },
    weightIssues: model.weightIssues,
    config: preset.backbone,
    task: null,
    parameterCount: model.parameterCount,
    loadTimings,
    async run(images: Float32Array, batch: number, runOpts: RunOptions = {}): Promise<StagedOutputs> {
      const [H, W, C] = cfg.imageShape;
      const x = tf.tensor4d(images, [batch, H, W, C]);
      let h: tf.Tensor = dinov2Embed(cfg, model.backbone, x);
      x.dispose();
      const embeddings = read(h);
      const blocks: StageTensor[] = [];
      const internals: Record<string, StageTensor> | null = opts.internals ? {} : null;
      try {
        for (let i = 0; i < model.backbone.blocks.length; i++) {
          await yieldToEvents();
          if (runOpts.signal?.aborted) throw new UserError('E_CANCELLED', 'Cancelled.');
          const inner = internals && i === 0 ? (name: string, t: tf.Tensor) => void (internals[name] = read(t)) : undefined;
          const y = dinov2Block(cfg, model.backbone.blocks[i]!, h, inner);
          h.dispose();
          h = y;
          blocks.push(read(h));
          runOpts.onProgress?.(i + 1, cfg.numLayers);
        }
        const tokens = layerNorm(h, model.backbone.lnGamma, model.backbone.lnBeta, DINOV2_LAYER_NORM_EPSILON);
        try {
          return { embeddings, blocks, backboneOutput: read(tokens), head: null, internals };
        } finally {
          tokens.dispose();
        }
      } finally {
        h.dispose();
      }
    },
    async dispose(): Promise<void> {
      disposeDINOV2Model(model);
    },
  };
}
