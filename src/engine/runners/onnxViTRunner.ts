import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import { UserError } from '../../core/userError';
import { ENGINE_VERSION } from '../engineVersion';
import { buildViTGraph, VIT_BLOCK1_INTERNALS } from '../models/vit/vitOnnxGraph';
import { mapViTBackboneWeights, mapViTHeadWeights } from '../models/vit/vitWeights';
import { cachedOnnxModel, cacheKey, type CachedModel } from '../onnx/onnxModelCache';
import { readH5Weights } from '../weights/h5Reader';
import type { LoadTimings, ModelRunner, RunOptions, StagedOutputs, StageTensor } from './modelRunner';

export interface OnnxRunnerOptions {
  ort: typeof Ort;
  cacheDir: string;
  /** intra-op threads (default: physical cores) */
  threads: number;
  /** block-1 internals as extra outputs (fixture tests) */
  internals?: boolean;
  /** ORT graph optimisation level (default "all"; the fixture tests check parity at this level) */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** notes of the backend choice, copied into the report */
  notes: string[];
}

/** What the graph depends on besides the weights: the parsed config.json and task.json. */
function presetTexts(preset: LoadedPreset): string[] {
  return [JSON.stringify(preset.raw['config.json'] ?? null), JSON.stringify(preset.raw['task.json'] ?? null)];
}

async function buildGraph(preset: LoadedPreset, withHead: boolean, internals: boolean, timings: LoadTimings) {
  const t0 = performance.now();
  const weights = await readH5Weights(preset.weightsFile);
  const backbone = mapViTBackboneWeights(preset.backbone, weights, preset.weightsFile);
  const head = withHead && preset.task && preset.taskWeightsFile
    ? { task: preset.task, arrays: mapViTHeadWeights(preset.task, preset.backbone.hiddenDim, await readH5Weights(preset.taskWeightsFile), preset.taskWeightsFile) }
    : null;
  timings.readWeightsMs = performance.now() - t0;
  const t1 = performance.now();
  const graph = buildViTGraph(preset.backbone, backbone, head, { internals });
  timings.buildGraphMs = performance.now() - t1;
  // the backbone's parameters, as count_params() of the ViTBackbone (the head is not counted)
  const parameterCount = graph.weights.filter((w) => !/^(pre_logits|predictions)\./.test(w.name)).reduce((n, w) => n + w.data.length, 0);
  return { graph, parameterCount };
}

/** Finds a writable cache folder: the configured one, else the system temp folder. */
async function cachedModel(preset: LoadedPreset, opts: OnnxRunnerOptions, withHead: boolean, timings: LoadTimings, notes: string[]): Promise<CachedModel> {
  const t0 = performance.now();
  const weightFiles = [preset.weightsFile, ...(withHead && preset.taskWeightsFile ? [preset.taskWeightsFile] : [])];
  const key = cacheKey({ weightFiles, texts: presetTexts(preset), engineVersion: ENGINE_VERSION, options: JSON.stringify({ withHead, internals: !!opts.internals }) });
  timings.hashWeightsMs = performance.now() - t0;
  const build = () => buildGraph(preset, withHead, !!opts.internals, timings);
  const t1 = performance.now();
  try {
    const got = await cachedOnnxModel(opts.cacheDir, key, ENGINE_VERSION, build);
    if (got.rebuiltBecause) notes.push(`onnx model cache: ${got.rebuiltBecause}; rebuilt`);
    notes.push(got.built ? `onnx graph built from the preset and cached in ${opts.cacheDir}` : `onnx graph loaded from the cache (${opts.cacheDir})`);
    if (!got.built) timings.loadCachedGraphMs = performance.now() - t1;
    return got;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const fallback = join(tmpdir(), 'vit-doctor-cache');
    notes.push(`onnx model cache: ${opts.cacheDir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); using ${fallback}`);
    return cachedOnnxModel(fallback, key, ENGINE_VERSION, build);
  }
}

/** Loads a preset as an ONNX Runtime session (graph built in-process, cached by content hash). */
export async function createOnnxViTRunner(preset: LoadedPreset, opts: OnnxRunnerOptions): Promise<ModelRunner> {
  const { ort } = opts;
  const timings: LoadTimings = {};
  const notes = [...opts.notes];
  const withHead = !!(preset.task && preset.taskWeightsFile);
  const cached = await cachedModel(preset, opts, withHead, timings, notes);
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(cached.modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opts.optimization ?? 'all',
    logSeverityLevel: 3,
  });
  timings.createSessionMs = performance.now() - t0;
  const cfg = preset.backbone;
  const [H, W, C] = cfg.imageShape;
  const outputs = new Set(session.outputNames);
  return {
    backend: { name: 'onnx', notes },
    config: cfg,
    task: withHead ? preset.task : null,
    parameterCount: cached.manifest.parameterCount,
    loadTimings: timings,
    async run(images: Float32Array, batch: number, runOpts: RunOptions = {}): Promise<StagedOutputs> {
      if (runOpts.signal?.aborted) throw new UserError('E_CANCELLED', 'Cancelled.');
      const input = new ort.Tensor('float32', images, [batch, H, W, C]);
      const res = await session.run({ images: input });
      input.dispose();
      if (runOpts.signal?.aborted) throw new UserError('E_CANCELLED', 'Cancelled.');
      runOpts.onProgress?.(cfg.numLayers, cfg.numLayers);
      const take = (name: string): StageTensor => {
        const t = res[name];
        if (!t) throw new Error(`onnx graph has no output "${name}"`);
        return { shape: t.dims.map(Number), data: t.data as Float32Array };
      };
      const opt = (name: string): StageTensor | null => (outputs.has(name) ? take(name) : null);
      const internals = opts.internals ? Object.fromEntries(VIT_BLOCK1_INTERNALS.map((n) => [n, take(`block_1.${n}`)])) : null;
      return {
        embeddings: take('embeddings'),
        blocks: Array.from({ length: cfg.numLayers }, (_, i) => take(`block_${i + 1}`)),
        backboneOutput: take('backbone_output'),
        head: withHead
          ? { pooled: take('pooled'), preLogits: opt('pre_logits'), logits: take('logits'), probabilities: take('probabilities'), taskOutput: take('task_output') }
          : null,
        internals,
      };
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
