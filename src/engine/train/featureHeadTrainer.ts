import * as tf from '@tensorflow/tfjs-core';
import { dinov2ParameterCount } from '../../core/presets/dinov2Params';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import { tokenLayout } from '../../core/presets/tokenLayout';
import { UserError } from '../../core/userError';
import type { TrainMode, TrainPooling } from '../../protocol/trainProtocol';
import type { ViTModel } from '../models/vit/vitModel';
import type { ViTBackboneArrays, ViTHeadArrays } from '../models/vit/vitWeights';
import { FAMILY_TFJS_RUNNERS } from '../runners/familyTfjsRunners';
import type { ModelRunner } from '../runners/modelRunner';
import { poolTokens } from '../sanity/arrayMath';
import type { TrainBackend } from './createTrainer';
import { OnnxTrainer } from './onnx/onnxTrainer';
import { TfjsTrainer } from './tfjsTrainer';
import type { AppliedStep, MicroStep, PrefixCache, Trainer, TrainerOptions } from './trainer';

const configFile = (preset: LoadedPreset): string => `${preset.dir}/config.json`;

/**
 * What a family other than ViT can train, checked before any image is read: head mode only (last-k/full need a
 * trainable graph of the family's blocks, which the trainers do not have), and no `--out` (keras-hub has no task class
 * for DINOv2, so there is no classifier preset format to write). ViT presets: `pooling` is refused (they pool as their
 * config says).
 */
export function assertFamilyTrainable(preset: LoadedPreset, o: { mode: TrainMode; pooling?: TrainPooling; out?: string }): void {
  const file = configFile(preset);
  if (preset.family === 'vit') {
    if (o.pooling) {
      throw new UserError('E_USAGE', `${file}: --pooling chooses the feature of DINOv2 presets; this ${preset.backboneClass} pools as its config says (${preset.backbone.useClassToken ? 'class token' : 'mean of all tokens'}).`, {
        file, hint: 'Drop --pooling for a ViT preset.',
      });
    }
    return;
  }
  if (o.mode !== 'head') {
    throw new UserError('E_TRAIN_MODE_UNSUPPORTED', `${file}: mode "${o.mode}" is not available for ${preset.backboneClass} yet: the trainers (ONNX Runtime and TF.js) have gradients for ViT blocks only, not for DINOv2's (LayerScale, register tokens, interpolated position table).`, {
      file, hint: 'Use --mode head (a Dense head on frozen CLS or patch-mean features, --pooling token|patch_mean).',
    });
  }
  if (o.out) {
    throw new UserError('E_TRAIN_OUT_UNSUPPORTED', `${file}: --out cannot save a trained ${preset.backboneClass}: keras-hub has no DINOv2 task class (no ImageClassifier, no task.json format), so there is no preset a Keras user could load the head from.`, {
      file, hint: 'Run without --out; in Keras, put a keras.layers.Dense on the backbone\'s CLS token or patch-token mean and train it there.',
    });
  }
}

/** ViT arrays with nothing in them: the head-only trainers never touch the backbone (the features come from the family's runner). */
function emptyViTArrays(): ViTBackboneArrays {
  const none = (): { shape: number[]; data: Float32Array } => ({ shape: [0], data: new Float32Array(0) });
  return { classToken: null, patchKernel: none(), patchBias: null, positionEmbedding: none(), blocks: [], lnGamma: none(), lnBeta: none() };
}

function emptyViTModel(preset: LoadedPreset, parameterCount: number): ViTModel {
  const none = (): tf.Tensor => tf.zeros([0]);
  return {
    config: preset.backbone, backbone: { classToken: null, patchKernel: none(), patchBias: null, positionEmbedding: none(), blocks: [], lnGamma: none(), lnBeta: none() },
    task: null, head: null, parameterCount, weightIssues: [], weightNotes: [],
  };
}

/**
 * Head mode on a non-ViT family (DINOv2): the frozen backbone runs on the family's `ModelRunner` (the engine's forward
 * runner when given, else the family's TF.js runner), its final tokens pooled to the CLS token or the mean of the
 * patch tokens (registers excluded) and cached once; the Dense head then trains on the same ONNX/TF.js head trainer as
 * ViT head mode (the head graph only sees `(batch, hidden_dim)` features).
 */
export class FeatureHeadTrainer implements Trainer {
  readonly backend: string;
  readonly mode = 'head' as const;
  readonly firstTrainableBlock: number;
  /** the Trainer interface's ViT names: CLS → token, patch mean → gap (see `featurePooling` for the exact one) */
  readonly pooling: 'token' | 'gap';
  readonly trainableCount: number;
  private ownRunner: ModelRunner | null = null;

  private constructor(private readonly inner: Trainer, private readonly preset: LoadedPreset, readonly featurePooling: TrainPooling, readonly parameterCount: number) {
    this.backend = inner.backend;
    this.firstTrainableBlock = preset.backbone.numLayers;
    this.pooling = featurePooling === 'token' ? 'token' : 'gap';
    this.trainableCount = inner.trainableCount;
  }

  static async create(ctx: TrainBackend, preset: LoadedPreset, o: TrainerOptions & { pooling?: TrainPooling }): Promise<FeatureHeadTrainer> {
    assertFamilyTrainable(preset, { mode: o.mode });
    if (!preset.dinov2) throw new UserError('E_UNSUPPORTED_BACKBONE', `${configFile(preset)}: ${preset.backboneClass} has no feature runner for head training.`, { file: configFile(preset) });
    const count = dinov2ParameterCount(preset.dinov2);
    const head = { ...o, mode: 'head' as const, k: 0 };
    const inner = ctx.onnx
      ? await OnnxTrainer.create(preset, { ...head, ort: ctx.onnx.ort, threads: ctx.onnx.threads }, emptyViTArrays())
      : new TfjsTrainer(emptyViTModel(preset, count), head);
    return new FeatureHeadTrainer(inner, preset, o.pooling ?? 'token', count);
  }

  async prefix(pixels: Float32Array, n: number, runner: ModelRunner | null, onChunk?: () => Promise<void>): Promise<PrefixCache> {
    const r = runner ?? (this.ownRunner ??= await FAMILY_TFJS_RUNNERS[this.preset.family](this.preset, { notes: [] }));
    const [H, W, C] = this.preset.backbone.imageShape;
    const D = this.preset.backbone.hiddenDim;
    const { patchStart } = tokenLayout(this.preset);
    const data = new Float32Array(n * D);
    for (let i = 0; i < n; i += 16) {
      const m = Math.min(16, n - i);
      const out = (await r.run(pixels.subarray(i * H * W * C, (i + m) * H * W * C), m)).backboneOutput;
      const [B, T, Dd] = out.shape as [number, number, number];
      data.set(poolTokens(out.data, B, T, Dd, this.featurePooling, patchStart), i * D);
      await onChunk?.();
    }
    return { data, rowShape: [D], n };
  }

  accumulate(x: PrefixCache, idx: number[], labels: number[]): Promise<MicroStep> {
    return this.inner.accumulate(x, idx, labels);
  }

  apply(lr: number): Promise<AppliedStep> {
    return this.inner.apply(lr);
  }

  logits(x: PrefixCache): Promise<Float32Array> {
    return this.inner.logits(x);
  }

  resetHead(seed: number): Promise<void> {
    return this.inner.resetHead(seed);
  }

  async toArrays(): Promise<{ backbone: ViTBackboneArrays; head: ViTHeadArrays }> {
    assertFamilyTrainable(this.preset, { mode: 'head', out: 'out' });
    return this.inner.toArrays();
  }

  async dispose(): Promise<void> {
    await this.ownRunner?.dispose();
    await this.inner.dispose();
  }
}
