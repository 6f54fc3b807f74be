import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { TrainPooling } from '../../protocol/trainProtocol';
import type { OrtModule } from '../backend/onnxBackend';
import { loadViTModel } from '../models/vit/vitModel';
import { FeatureHeadTrainer } from './featureHeadTrainer';
import { OnnxTrainer } from './onnx/onnxTrainer';
import { TfjsTrainer } from './tfjsTrainer';
import type { Trainer, TrainerOptions } from './trainer';

/** ONNX Runtime for training when the engine loaded it (the default); absent: TF.js trains (the reference and fallback). */
export interface TrainBackend {
  onnx?: { ort: OrtModule; threads: number };
}

/** The trainer of the engine's training backend: ONNX Runtime when loaded, else TF.js on the selected backend. */
export async function createTrainer(ctx: TrainBackend, preset: LoadedPreset, o: TrainerOptions & { pooling?: TrainPooling }): Promise<Trainer> {
  // other families: head mode on features from their runner (last-k/full refused there with a UserError)
  if (preset.family !== 'vit') return FeatureHeadTrainer.create(ctx, preset, o);
  if (ctx.onnx) return OnnxTrainer.create(preset, { ...o, ort: ctx.onnx.ort, threads: ctx.onnx.threads });
  return new TfjsTrainer(await loadViTModel(preset), o);
}
