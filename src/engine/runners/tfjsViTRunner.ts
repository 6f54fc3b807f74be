import * as tf from '@tensorflow/tfjs-core';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import { vitEmbed, vitEncoderBlock } from '../models/vit/vitBackbone';
import { vitHeadForward } from '../models/vit/vitImageClassifier';
import { layerNorm } from '../models/vit/vitLayers';
import { disposeViTModel, loadViTModel } from '../models/vit/vitModel';
import type { HeadStages, ModelRunner, RunOptions, StagedOutputs, StageTensor } from './modelRunner';
import { readStage, runTfjsEncoder } from './tfjsEncoderLoop';

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
      const h = vitEmbed(cfg, model.backbone, x);
      x.dispose();
      const embeddings = readStage(h);
      const steps = {
        numLayers: model.backbone.blocks.length,
        block: (i: number, t: tf.Tensor, inner?: (name: string, u: tf.Tensor) => void) => vitEncoderBlock(cfg, model.backbone.blocks[i]!, t, inner),
        finalNorm: (t: tf.Tensor) => layerNorm(t, model.backbone.lnGamma, model.backbone.lnBeta, cfg.layerNormEpsilon),
      };
      const withHead = (tokens: tf.Tensor): { backboneOutput: StageTensor; head: HeadStages | null } => {
        let head: HeadStages | null = null;
        if (model.head && model.task) {
          const o = vitHeadForward(model.task, model.head, tokens as tf.Tensor3D);
          head = { pooled: readStage(o.pooled), preLogits: null, logits: readStage(o.logits), probabilities: readStage(o.probabilities), taskOutput: readStage(o.output) };
          tf.dispose([o.pooled, o.logits, o.probabilities, o.output]);
        }
        return { backboneOutput: readStage(tokens), head };
      };
      const { blocks, internals, result } = await runTfjsEncoder(h, steps, { internals: opts.internals, run: runOpts }, withHead);
      return { embeddings, blocks, ...result, internals };
    },
    async dispose(): Promise<void> {
      disposeViTModel(model);
    },
  };
}
