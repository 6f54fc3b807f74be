import type * as Ort from 'onnxruntime-node';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import { UserError } from '../../core/userError';
import { FAMILY_GRAPHS } from '../models/familyGraphs';
import { prepareInWorker } from '../onnx/prepareInWorker';
import { lookupOnnxModel, prepareOnnxModel, type OnnxModelRequest, type PreparedOnnxModel } from '../onnx/prepareOnnxModel';
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
  /** dist/onnxBuild.js: prepare the model in a worker thread (its memory is freed before the session runs) */
  buildWorker?: string;
}

/**
 * The ONNX model for the preset: a cache hit is found on this thread (hash + verify, no weights read); a build runs in
 * the worker thread when there is one (its copy of the weights is freed before the session is created).
 */
async function prepare(req: OnnxModelRequest, buildWorker: string | undefined): Promise<PreparedOnnxModel> {
  if (!buildWorker) return prepareOnnxModel(req);
  const found = lookupOnnxModel(req);
  if ('hit' in found) return found.hit;
  const tp = performance.now();
  const built = await prepareInWorker(buildWorker, { ...req, key: found.key });
  const inner = Object.values(built.timings).reduce((a, b) => a + b, 0);
  return {
    ...built,
    // the worker thread's start and exit, outside the phases it timed itself
    timings: { ...found.timings, ...built.timings, workerMs: Math.max(0, performance.now() - tp - inner) },
    notes: [...(found.rebuiltBecause ? [`onnx model cache: ${found.rebuiltBecause}; rebuilt`] : []), ...built.notes],
  };
}

/** Loads a preset of any family as an ONNX Runtime session (graph built in-process by its family, cached by content hash). */
export async function createOnnxViTRunner(preset: LoadedPreset, opts: OnnxRunnerOptions): Promise<ModelRunner> {
  const { ort } = opts;
  const withHead = !!(preset.task && preset.taskWeightsFile);
  const req = { presetDir: preset.dir, withHead, internals: !!opts.internals, cacheDir: opts.cacheDir };
  const prepared = await prepare(req, opts.buildWorker);
  const timings: LoadTimings = { ...prepared.timings };
  const notes = [...opts.notes, ...prepared.notes, ...(prepared.manifest.weightNotes ?? [])];
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(prepared.modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opts.optimization ?? 'all',
    logSeverityLevel: 3,
    // Memory over the last few percent of speed (measured on ViT-B/16, batch 8: about 5% slower, peak RSS 926 → 740 MB,
    // session creation 300 → 60 ms): no pre-packed weight copies, so the weights stay mapped from the cache file, and
    // activations are freed as they die instead of being held by an arena.
    enableCpuMemArena: false,
    enableMemPattern: false,
    extra: { session: { disable_prepacking: '1' } },
  });
  timings.createSessionMs = performance.now() - t0;
  const cfg = preset.backbone;
  const [H, W, C] = cfg.imageShape;
  const outputs = new Set(session.outputNames);
  return {
    backend: { name: 'onnx', notes },
    config: cfg,
    task: withHead ? preset.task : null,
    parameterCount: prepared.manifest.parameterCount,
    weightIssues: prepared.manifest.weightIssues ?? [],
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
      const names = FAMILY_GRAPHS[preset.family].block1Internals.filter((n) => outputs.has(`block_1.${n}`));
      const internals = opts.internals ? Object.fromEntries(names.map((n) => [n, take(`block_1.${n}`)])) : null;
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
