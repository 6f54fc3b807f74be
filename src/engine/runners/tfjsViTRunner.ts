import * as tf from '@tensorflow/tfjs-core';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import { UserError } from '../../core/userError';
import { vitEmbed, vitEncoderBlock } from '../models/vit/vitBackbone';
import { vitHeadForward } from '../models/vit/vitImageClassifier';
import { layerNorm } from '../models/vit/vitLayers';
import { disposeViTModel, loadViTModel } from '../models/vit/vitModel';
import type { HeadStages, ModelRunner, RunOptions, StagedOutputs, StageTensor } from './modelRunner';

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

function read(t: tf.Tensor): StageTensor {
  return { shape: [...t.shape], data: t.dataSync() as Float32Array };
}

/**
 * The preset on the active TensorFlow.js backend (tfjs-node, wasm or cpu). Runs block by block and yields between
 * blocks, so that a cancel arriving over IPC is seen before the next block.
 */
export async function createTfjsViTRunner(preset: LoadedPreset, opts: { notes: string[]; internals?: boolean }): Promise<ModelRunner> {
  const t0 = performance.now();
  const model = await loadViTModel(preset);
  const loadTimings = { readWeightsMs: performance.now() - t0 };
  const cfg = model.config;
  return {
    backend: { name: tf.getBackend(), notes: [...opts.notes, ...model.weightNotes] },
    weightIssues: model.weightIssues,
    config: cfg,
    task: model.task,
    parameterCount: model.parameterCount,
    loadTimings,
    async run(images: Float32Array, batch: number, runOpts: RunOptions = {}): Promise<StagedOutputs> {
      const [H, W, C] = cfg.imageShape;
      const x = tf.tensor4d(images, [batch, H, W, C]);
      let h: tf.Tensor = vitEmbed(cfg, model.backbone, x);
      x.dispose();
      const embeddings = read(h);
      const blocks: StageTensor[] = [];
      const internals: Record<string, StageTensor> | null = opts.internals ? {} : null;
      try {
        for (let i = 0; i < model.backbone.blocks.length; i++) {
          await yieldToEvents();
          if (runOpts.signal?.aborted) throw new UserError('E_CANCELLED', 'Cancelled.');
          const inner = internals && i === 0 ? (name: string, t: tf.Tensor) => void (internals[name] = read(t)) : undefined;
          const y = vitEncoderBlock(cfg, model.backbone.blocks[i]!, h, inner);
          h.dispose();
          h = y;
          blocks.push(read(h));
          runOpts.onProgress?.(i + 1, cfg.numLayers);
        }
        const tokens = layerNorm(h, model.backbone.lnGamma, model.backbone.lnBeta, cfg.layerNormEpsilon) as tf.Tensor3D;
        let head: HeadStages | null = null;
        try {
          if (model.head && model.task) {
            const o = vitHeadForward(model.task, model.head, tokens);
            head = { pooled: read(o.pooled), preLogits: null, logits: read(o.logits), probabilities: read(o.probabilities), taskOutput: read(o.output) };
            tf.dispose([o.pooled, o.logits, o.probabilities, o.output]);
          }
          return { embeddings, blocks, backboneOutput: read(tokens), head, internals };
        } finally {
          tokens.dispose();
        }
      } finally {
        h.dispose();
      }
    },
    async dispose(): Promise<void> {
      disposeViTModel(model);
    },
  };
}
