import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { OrtModule } from '../backend/onnxBackend';
import { loadViTModel } from '../models/vit/vitModel';
import { OnnxTrainer } from './onnx/onnxTrainer';
import { TfjsTrainer } from './tfjsTrainer';
import type { Trainer, TrainerOptions } from './trainer';

/** ONNX Runtime for training when the engine loaded it (the default); absent: TF.js trains (the reference and fallback). */
export interface TrainBackend {
  onnx?: { ort: OrtModule; threads: number };
}

/** The trainer of the engine's training backend: ONNX Runtime when loaded, else TF.js on the selected backend. */
export async function createTrainer(ctx: TrainBackend, preset: LoadedPreset, o: TrainerOptions): Promise<Trainer> {
  if (ctx.onnx) return OnnxTrainer.create(preset, { ...o, ort: ctx.onnx.ort, threads: ctx.onnx.threads });
  return new TfjsTrainer(await loadViTModel(preset), o);
}
