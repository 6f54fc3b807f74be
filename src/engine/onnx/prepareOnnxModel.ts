import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPresetDir, type LoadedPreset } from '../../core/presets/presetLoader';
import { fsProblem } from '../../core/fsErrors';
import { UserError } from '../../core/userError';
import { ENGINE_VERSION } from '../engineVersion';
import { FAMILY_GRAPHS } from '../models/familyGraphs';
import type { LoadTimings } from '../runners/modelRunner';
import { readH5Weights } from '../weights/h5Reader';
import { scanNonFinite, storedDtypeNote } from '../weights/weightHealth';
import { cachedOnnxModel, cacheKey, findCachedModel, hashStampDir, type CacheManifest } from './onnxModelCache';

/** What to prepare: plain data, so that it can cross to a worker thread. */
export interface OnnxModelRequest {
  presetDir: string;
  withHead: boolean;
  internals: boolean;
  cacheDir: string;
  /** the cache key when the caller already computed it (the worker is only started after a cache miss) */
  key?: string;
}

export interface PreparedOnnxModel {
  modelPath: string;
  manifest: CacheManifest;
  timings: LoadTimings;
  notes: string[];
}

/** What the graph depends on besides the weights: the parsed config.json and task.json. */
function presetTexts(preset: LoadedPreset): string[] {
  return [JSON.stringify(preset.raw['config.json'] ?? null), JSON.stringify(preset.raw['task.json'] ?? null)];
}

async function buildGraph(preset: LoadedPreset, req: OnnxModelRequest, timings: LoadTimings) {
  const t0 = performance.now();
  const weights = await readH5Weights(preset.weightsFile);
  const weightIssues = scanNonFinite(weights, preset.weightsFile);
  const weightNotes = [storedDtypeNote(weights, preset.weightsFile)];
  timings.readWeightsMs = performance.now() - t0;
  const t1 = performance.now();
  const built = await FAMILY_GRAPHS[preset.family].build(preset, weights, req);
  timings.buildGraphMs = performance.now() - t1;
  weightIssues.push(...built.weightIssues);
  return { graph: built.graph, parameterCount: built.parameterCount, weightIssues, weightNotes: [...weightNotes.filter((n): n is string => n !== null), ...built.weightNotes] };
}

function presetCacheKey(preset: LoadedPreset, req: OnnxModelRequest): string {
  const weightFiles = [preset.weightsFile, ...(req.withHead && preset.taskWeightsFile ? [preset.taskWeightsFile] : [])];
  return cacheKey({ weightFiles, texts: presetTexts(preset), engineVersion: ENGINE_VERSION, options: JSON.stringify({ withHead: req.withHead, internals: req.internals }), stampDir: hashStampDir(req.cacheDir) });
}

/**
 * The cache lookup alone (hash + verify, no weights read): the prepared model on a hit, else the key and why, so that a
 * build (in a worker thread) need not hash again.
 */
export function lookupOnnxModel(req: OnnxModelRequest): { hit: PreparedOnnxModel } | { key: string; timings: LoadTimings; rebuiltBecause: string | null } {
  const preset = loadPresetDir(req.presetDir);
  const t0 = performance.now();
  const key = presetCacheKey(preset, req);
  const timings: LoadTimings = { hashWeightsMs: performance.now() - t0 };
  const t1 = performance.now();
  const found = findCachedModel(req.cacheDir, key, ENGINE_VERSION);
  if (!('modelPath' in found)) return { key, timings, rebuiltBecause: found.rebuiltBecause };
  timings.loadCachedGraphMs = performance.now() - t1;
  return { hit: { modelPath: found.modelPath, manifest: found.manifest, timings, notes: [`onnx graph loaded from the cache (${req.cacheDir})`] } };
}

/**
 * Finds the preset's ONNX model in the cache (keyed by the weights' content hash) or builds it from config.json +
 * model.weights.h5 (+ the task head). A cache folder that cannot be written falls back to the temp folder, with a note.
 */
export async function prepareOnnxModel(req: OnnxModelRequest): Promise<PreparedOnnxModel> {
  const preset = loadPresetDir(req.presetDir);
  const timings: LoadTimings = {};
  const notes: string[] = [];
  const t0 = performance.now();
  const key = req.key ?? presetCacheKey(preset, req);
  if (!req.key) timings.hashWeightsMs = performance.now() - t0;
  const build = () => buildGraph(preset, req, timings);
  const t1 = performance.now();
  let cacheDir = req.cacheDir;
  let got;
  try {
    got = await cachedOnnxModel(cacheDir, key, ENGINE_VERSION, build);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const fallback = join(tmpdir(), 'vit-doctor-cache');
    notes.push(`onnx model cache: ${cacheDir} is not writable (${fsProblem(e, cacheDir, 'write')}); using ${fallback}`);
    cacheDir = fallback;
    got = await cachedOnnxModel(cacheDir, key, ENGINE_VERSION, build);
  }
  if (got.rebuiltBecause) notes.push(`onnx model cache: ${got.rebuiltBecause}; rebuilt`);
  notes.push(got.built ? `onnx graph built from the preset and cached in ${cacheDir}` : `onnx graph loaded from the cache (${cacheDir})`);
  if (!got.built) timings.loadCachedGraphMs = performance.now() - t1;
  else timings.writeCacheMs = got.writeMs;
  return { modelPath: got.modelPath, manifest: got.manifest, timings, notes };
}
