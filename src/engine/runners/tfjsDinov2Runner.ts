import * as tf from '@tensorflow/tfjs-core';
import { DINOV2_LAYER_NORM_EPSILON } from '../../core/presets/dinov2Config';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import { dinov2Block, dinov2Embed } from '../models/dinov2/dinov2Backbone';
import { disposeDINOV2Model, loadDINOV2Model } from '../models/dinov2/dinov2Model';
import { layerNorm } from '../models/vit/vitLayers';
import type { ModelRunner, RunOptions, StagedOutputs } from './modelRunner';
import { readStage, runTfjsEncoder } from './tfjsEncoderLoop';

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
      const h = dinov2Embed(cfg, model.backbone, x);
      x.dispose();
      const embeddings = readStage(h);
      const steps = {
        numLayers: model.backbone.blocks.length,
        block: (i: number, t: tf.Tensor, inner?: (name: string, u: tf.Tensor) => void) => dinov2Block(cfg, model.backbone.blocks[i]!, t, inner),
        finalNorm: (t: tf.Tensor) => layerNorm(t, model.backbone.lnGamma, model.backbone.lnBeta, DINOV2_LAYER_NORM_EPSILON),
      };
      const { blocks, internals, result } = await runTfjsEncoder(h, steps, { internals: opts.internals, run: runOpts }, readStage);
      return { embeddings, blocks, backboneOutput: result, head: null, internals };
    },
    async dispose(): Promise<void> {
      disposeDINOV2Model(model);
    },
  };
}
