import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFsErrors } from '../../core/fsErrors';
import { recordSha256, sha256File, trustedSha256 } from './fileHashStamps';
import type { OnnxGraphBuilder } from './onnxGraphBuilder';
import { encodeOnnxModel } from './onnxProto';
import type { WeightIssue } from '../weights/weightHealth';

const MODEL_FILE = 'model.onnx';
const DATA_FILE = 'weights.bin';
const MANIFEST_FILE = 'manifest.json';
/** Weights start on 64 KiB boundaries so that ONNX Runtime can map them from the file on every OS. */
const ALIGN = 65536;

export interface CacheManifest {
  key: string;
  engineVersion: string;
  modelSha256: string;
  dataSha256: string;
  dataBytes: number;
  parameterCount: number;
  /** what reading the weights found, kept so that a cache hit reports it without reading them again */
  weightIssues: WeightIssue[];
  weightNotes: string[];
}

/** The cache folder: $VIT_DOCTOR_CACHE_DIR (the extension sets its global storage), else $XDG_CACHE_HOME/vit-doctor, else ~/.cache/vit-doctor. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIT_DOCTOR_CACHE_DIR) return env.VIT_DOCTOR_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir() || tmpdir(), '.cache');
  return join(base, 'vit-doctor');
}

/** Where the hash stamps of weights files and cache entries live (see fileHashStamps.ts). */
export function hashStampDir(cacheDir: string): string {
  return join(cacheDir, 'hashes');
}

/**
 * The cache key: the weight files' content, the config texts, the engine version and the build options. With a
 * `stampDir`, a weights file's hash is trusted while its size, mtime and inode are unchanged (re-hashed otherwise).
 */
export function cacheKey(parts: { weightFiles: string[]; texts: string[]; engineVersion: string; options: string; stampDir?: string }): string {
  const h = createHash('sha256');
  h.update(`vit-doctor-onnx\0${parts.engineVersion}\0${parts.options}\0`);
  for (const t of parts.texts) h.update(`${t.length}\0${t}`);
  for (const f of parts.weightFiles) {
    h.update(withFsErrors(f, 'the weights file', () => (parts.stampDir ? trustedSha256(f, parts.stampDir).sha256 : sha256File(f))));
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * A cache entry that is complete and whose files hash to what its manifest says; anything else is null. The hashes
 * are trusted from the stamps while the files' size, mtime and inode are those recorded (a changed file is hashed).
 */
function validEntry(dir: string, key: string, engineVersion: string, stampDir: string): CacheManifest | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as CacheManifest;
    if (m.key !== key || m.engineVersion !== engineVersion) return null;
    if (statSync(join(dir, DATA_FILE)).size !== m.dataBytes) return null;
    if (trustedSha256(join(dir, MODEL_FILE), stampDir).sha256 !== m.modelSha256) return null;
    if (trustedSha256(join(dir, DATA_FILE), stampDir).sha256 !== m.dataSha256) return null;
    return m;
  } catch {
    return null;
  }
}

/** Writes the graph's weights to one data file (aligned, in graph order) and the graph with external references. */
function writeEntry(dir: string, g: OnnxGraphBuilder, engineVersion: string): { modelSha256: string; dataSha256: string; dataBytes: number } {
  const offsets = new Map<string, { offset: number; length: number }>();
  const dataHash = createHash('sha256');
  const fd = openSync(join(dir, DATA_FILE), 'w');
  let pos = 0;
  try {
    for (const w of g.weights) {
      const start = Math.ceil(pos / ALIGN) * ALIGN;
      if (start > pos) {
        const pad = Buffer.alloc(start - pos);
        writeSync(fd, pad, 0, pad.length, pos);
        dataHash.update(pad);
      }
      const bytes = Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength);
      writeSync(fd, bytes, 0, bytes.length, start);
      dataHash.update(bytes);
      offsets.set(w.name, { offset: start, length: bytes.length });
      pos = start + bytes.length;
    }
  } finally {
    closeSync(fd);
  }
  const model = encodeOnnxModel(g.model('vit', engineVersion, DATA_FILE, offsets));
  writeFileSync(join(dir, MODEL_FILE), model);
  return { modelSha256: createHash('sha256').update(model).digest('hex'), dataSha256: dataHash.digest('hex'), dataBytes: pos };
}

export interface CachedModel {
  modelPath: string;
  manifest: CacheManifest;
  /** true when this call built the entry, false when a valid one was found */
  built: boolean;
  /** why an existing entry was not used, when one was there */
  rebuiltBecause: string | null;
  /** milliseconds spent writing the entry (0 when found) */
  writeMs: number;
}

/** A valid entry for `key`, or why there is none (a corrupt entry is removed, never trusted). */
export function findCachedModel(cacheDir: string, key: string, engineVersion: string): CachedModel | { rebuiltBecause: string | null } {
  const dir = join(cacheDir, 'onnx', key);
  if (!existsSync(dir)) return { rebuiltBecause: null };
  const m = validEntry(dir, key, engineVersion, hashStampDir(cacheDir));
  if (m) return { modelPath: join(dir, MODEL_FILE), manifest: m, built: false, rebuiltBecause: null, writeMs: 0 };
  rmSync(dir, { recursive: true, force: true });
  return { rebuiltBecause: 'the cached entry was incomplete or corrupt' };
}

/**
 * Returns the model file for `key`, building it with `build()` when no valid entry exists. Entries are written to a
 * temporary folder and renamed into place, so a crash leaves no half entry; a corrupt entry is removed and rebuilt.
 */
export async function cachedOnnxModel(
  cacheDir: string,
  key: string,
  engineVersion: string,
  build: () => Promise<{ graph: OnnxGraphBuilder; parameterCount: number; weightIssues: WeightIssue[]; weightNotes: string[] }>,
): Promise<CachedModel> {
  const dir = join(cacheDir, 'onnx', key);
  const found = findCachedModel(cacheDir, key, engineVersion);
  if ('modelPath' in found) return found;
  const { rebuiltBecause } = found;
  const { graph, parameterCount, weightIssues, weightNotes } = await build();
  mkdirSync(join(cacheDir, 'onnx'), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp);
  const t0 = performance.now();
  try {
    const written = writeEntry(tmp, graph, engineVersion);
    const manifest: CacheManifest = { key, engineVersion, parameterCount, weightIssues, weightNotes, ...written };
    writeFileSync(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    try {
      renameSync(tmp, dir);
    } catch {
      // another process won the race: its entry is as good as ours
      rmSync(tmp, { recursive: true, force: true });
      const m = validEntry(dir, key, engineVersion, hashStampDir(cacheDir));
      if (!m) throw new Error(`cannot write the model cache at ${dir}`);
      return { modelPath: join(dir, MODEL_FILE), manifest: m, built: true, rebuiltBecause, writeMs: performance.now() - t0 };
    }
    // hashed while writing: stamp the files in place, so that the next lookup reads neither
    recordSha256(join(dir, MODEL_FILE), hashStampDir(cacheDir), manifest.modelSha256);
    recordSha256(join(dir, DATA_FILE), hashStampDir(cacheDir), manifest.dataSha256);
    return { modelPath: join(dir, MODEL_FILE), manifest, built: true, rebuiltBecause, writeMs: performance.now() - t0 };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
