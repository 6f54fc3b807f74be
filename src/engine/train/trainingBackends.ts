import type { LoadedPreset } from '../../core/presets/presetLoader';
import { createForwardRunner, type EngineBackends } from '../backend/engineBackends';
import type { TrainContext } from './trainRun';

/**
 * The backends of training and the pipeline checks: with ONNX Runtime loaded (`--backend auto|onnx`) the frozen prefix
 * runs on its inference session and gradients and optimizer steps on training graphs; otherwise everything runs on
 * the TF.js backend (`--backend tensorflow|wasm|cpu`, or ONNX Runtime unavailable).
 */
export function trainingBackends(b: EngineBackends): Pick<TrainContext, 'backend' | 'forwardRunner' | 'onnx'> {
  if (!b.onnx) return { backend: b.tfjs.name };
  return { backend: b.tfjs.name, forwardRunner: (preset: LoadedPreset) => createForwardRunner(preset, b), onnx: { ort: b.onnx.ort, threads: b.onnx.threads } };
}
