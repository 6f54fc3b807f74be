import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { BackendChoice } from '../../protocol/engineProtocol';
import type { ModelRunner } from '../runners/modelRunner';
import { createOnnxViTRunner } from '../runners/onnxViTRunner';
import { loadOnnxRuntime, physicalCores, type OrtModule } from './onnxBackend';
import type { BackendInfo } from './selectBackend';

// TF.js (tfjs-core, its backends, the bundled gradients) is imported only where it is used: `import()` keeps it out of
// the engine's start-up, so a sanity batch on ONNX Runtime never loads it (esbuild turns these into lazy module inits).
const loadSelectBackend = async () => (await import('./selectBackend')).selectBackend;

/** What the engine runs on: ONNX Runtime for forward passes and training when chosen and loadable, TF.js as the reference and fallback. */
export interface EngineBackends {
  /** the TF.js backend: training (gradients), and forward passes when `onnx` is null; a placeholder while `loadTfjs` is set */
  tfjs: BackendInfo;
  /** set when TF.js was not loaded at start (`lazyTfjs` and ONNX Runtime serves forward passes): `ensureTfjs` calls it once */
  loadTfjs?: () => Promise<BackendInfo>;
  onnx: { ort: OrtModule; version: string; threads: number } | null;
  /** the backend of forward-only work and why, as the report shows it */
  forward: BackendInfo;
  cacheDir: string;
  /** the worker-thread script that prepares ONNX models (dist/onnxBuild.js), when the engine runs from its bundle */
  buildWorker?: string;
}

/**
 * `auto` and `onnx`: forward passes and training (gradients and the optimizer as ONNX graphs) on ONNX Runtime, falling
 * back to TF.js (tfjs-node, else wasm, else cpu) with a note when the binding cannot load.
 * `tensorflow`, `wasm`, `cpu`: everything on that TF.js backend.
 */
export async function selectEngineBackends(choice: BackendChoice, opts: { threads?: number; cacheDir: string; buildWorker?: string; lazyTfjs?: boolean }): Promise<EngineBackends> {
  const useOnnx = choice === 'auto' || choice === 'onnx';
  if (!useOnnx) {
    const tfjs = await (await loadSelectBackend())(choice);
    return { tfjs, onnx: null, forward: { name: tfjs.name, notes: [...tfjs.notes, `--backend ${choice}: forward passes and training on ${tfjs.name}`] }, cacheDir: opts.cacheDir };
  }
  const loaded = loadOnnxRuntime();
  if ('error' in loaded) {
    const tfjs = await (await loadSelectBackend())('auto');
    const notes = [`onnx: onnxruntime-node cannot be loaded (${loaded.error}); forward passes fall back to ${tfjs.name}`, ...tfjs.notes];
    return { tfjs, onnx: null, forward: { name: tfjs.name, notes }, cacheDir: opts.cacheDir };
  }
  const threads = opts.threads && opts.threads > 0 ? Math.floor(opts.threads) : physicalCores();
  const onnx = { ...loaded, threads };
  const worker = opts.buildWorker ? { buildWorker: opts.buildWorker } : {};
  const using = `using onnx: ONNX Runtime ${loaded.version} (CPU, ${threads} thread${threads === 1 ? '' : 's'}${opts.threads ? '' : ' = physical cores'}) for forward passes and training (gradients and the optimizer as ONNX graphs)`;
  if (opts.lazyTfjs) {
    const tfjs = { name: 'tfjs', notes: ['TF.js not loaded: ONNX Runtime serves forward passes; TF.js loads on first use (training, gradients)'] };
    return { tfjs, loadTfjs: async () => (await loadSelectBackend())('auto'), onnx, forward: { name: 'onnx', notes: [using, 'TF.js (the reference and fallback backend) is loaded only on the first training or check request'] }, cacheDir: opts.cacheDir, ...worker };
  }
  const tfjs = await (await loadSelectBackend())('auto');
  return { tfjs, onnx, forward: { name: 'onnx', notes: [using, `TF.js ${tfjs.name} is the reference and fallback backend`] }, cacheDir: opts.cacheDir, ...worker };
}

const tfjsLoading = new WeakMap<EngineBackends, Promise<BackendInfo>>();

/** The TF.js backend, loaded now if it was deferred (once, however many requests ask at the same time). */
export function ensureTfjs(b: EngineBackends): Promise<BackendInfo> {
  const load = b.loadTfjs;
  if (!load) return Promise.resolve(b.tfjs);
  let p = tfjsLoading.get(b);
  if (!p) {
    p = load().then((info) => {
      b.tfjs = info;
      delete b.loadTfjs;
      return info;
    });
    tfjsLoading.set(b, p);
  }
  return p;
}

/** A runner for forward-only work on the engine's forward backend. */
export async function createForwardRunner(preset: LoadedPreset, b: EngineBackends, opts: { internals?: boolean } = {}): Promise<ModelRunner> {
  if (b.onnx) {
    return createOnnxViTRunner(preset, { ort: b.onnx.ort, cacheDir: b.cacheDir, threads: b.onnx.threads, notes: b.forward.notes, ...(b.buildWorker ? { buildWorker: b.buildWorker } : {}), ...opts });
  }
  await ensureTfjs(b);
  const { FAMILY_TFJS_RUNNERS } = await import('../runners/familyTfjsRunners');
  return FAMILY_TFJS_RUNNERS[preset.family](preset, { notes: b.forward.notes, ...opts });
}
