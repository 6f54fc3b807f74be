import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { BackendChoice } from '../../protocol/engineProtocol';
import type { ModelRunner } from '../runners/modelRunner';
import { createOnnxViTRunner } from '../runners/onnxViTRunner';
import { FAMILY_TFJS_RUNNERS } from '../runners/familyTfjsRunners';
import { loadOnnxRuntime, physicalCores, type OrtModule } from './onnxBackend';
import { selectBackend, type BackendInfo } from './selectBackend';

/** What the engine runs on: ONNX Runtime for forward-only work when chosen and loadable, TF.js for gradients. */
export interface EngineBackends {
  /** the TF.js backend: training (gradients), and forward passes when `onnx` is null */
  tfjs: BackendInfo;
  onnx: { ort: OrtModule; version: string; threads: number } | null;
  /** the backend of forward-only work and why, as the report shows it */
  forward: BackendInfo;
  cacheDir: string;
  /** the worker-thread script that prepares ONNX models (dist/onnxBuild.js), when the engine runs from its bundle */
  buildWorker?: string;
}

/**
 * `auto` and `onnx`: forward-only work (sanity batch, head-only features, the A/B check) on ONNX Runtime, falling back
 * to TF.js with a note when the binding cannot load; gradients on TF.js (tfjs-node, else wasm, else cpu).
 * `tensorflow`, `wasm`, `cpu`: everything on that TF.js backend.
 */
export async function selectEngineBackends(choice: BackendChoice, opts: { threads?: number; cacheDir: string; buildWorker?: string }): Promise<EngineBackends> {
  const useOnnx = choice === 'auto' || choice === 'onnx';
  const tfjs = await selectBackend(useOnnx ? 'auto' : choice);
  if (!useOnnx) {
    return { tfjs, onnx: null, forward: { name: tfjs.name, notes: [...tfjs.notes, `--backend ${choice}: forward passes and training on ${tfjs.name}`] }, cacheDir: opts.cacheDir };
  }
  const loaded = loadOnnxRuntime();
  if ('error' in loaded) {
    const notes = [`onnx: onnxruntime-node cannot be loaded (${loaded.error}); forward passes fall back to ${tfjs.name}`, ...tfjs.notes];
    return { tfjs, onnx: null, forward: { name: tfjs.name, notes }, cacheDir: opts.cacheDir };
  }
  const threads = opts.threads && opts.threads > 0 ? Math.floor(opts.threads) : physicalCores();
  const notes = [
    `using onnx: ONNX Runtime ${loaded.version} (CPU, ${threads} thread${threads === 1 ? '' : 's'}${opts.threads ? '' : ' = physical cores'}) for forward-only work`,
    `gradients (last-k/full training) on TF.js ${tfjs.name}`,
  ];
  return { tfjs, onnx: { ...loaded, threads }, forward: { name: 'onnx', notes }, cacheDir: opts.cacheDir, ...(opts.buildWorker ? { buildWorker: opts.buildWorker } : {}) };
}

/** A runner for forward-only work on the engine's forward backend. */
export async function createForwardRunner(preset: LoadedPreset, b: EngineBackends, opts: { internals?: boolean } = {}): Promise<ModelRunner> {
  if (b.onnx) {
    return createOnnxViTRunner(preset, { ort: b.onnx.ort, cacheDir: b.cacheDir, threads: b.onnx.threads, notes: b.forward.notes, ...(b.buildWorker ? { buildWorker: b.buildWorker } : {}), ...opts });
  }
  return FAMILY_TFJS_RUNNERS[preset.family](preset, { notes: b.forward.notes, ...opts });
}
