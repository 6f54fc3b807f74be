import type * as h5wasm from 'h5wasm/node';
import nodeFs from 'node:fs';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { withFsErrors } from '../../core/fsErrors';
import { loadH5wasm, type H5wasmModule } from './h5wasmModule';
import { UserError } from '../../core/userError';
import { describeH5Type, weightEncoding, widenHalf, type H5TypeInfo } from './h5Dtypes';

export interface WeightArray {
  shape: number[];
  data: Float32Array;
  /** the dtype on disk when it was not float32 (widened on read) */
  storedAs?: 'float64' | 'float16' | 'bfloat16';
}

/** Every float dataset of a weights file as float32, plus the datasets of other dtypes (named with their dtype). */
export interface H5Weights extends Map<string, WeightArray> {
  /** dataset path → dtype, for datasets that are not floating point (a weight stored as int8 is an error where used) */
  unsupported: Map<string, string>;
}

type H5Module = { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array; get_dataset_data(fileId: bigint, path: string, count: null, offset: null, strides: null, ptr: bigint): number };

/** The dataset's bytes as stored (for the 2-byte floats h5wasm will not return as a typed array). */
function rawBytes(h5: H5wasmModule, node: h5wasm.Dataset, nbytes: number): Uint8Array {
  const M = (h5 as unknown as { Module: H5Module }).Module;
  const ptr = M._malloc(Math.max(1, nbytes));
  try {
    M.get_dataset_data((node as unknown as { file_id: bigint }).file_id, node.path, null, null, null, BigInt(ptr));
    return M.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    M._free(ptr);
  }
}

function readDataset(h5lib: H5wasmModule, node: h5wasm.Dataset): { shape: number[]; data: Float32Array | null; storedAs?: WeightArray['storedAs']; unsupported?: string } {
  const meta = node.metadata as unknown as H5TypeInfo & { total_size: number; shape: number[] | null };
  const shape = [...(meta.shape ?? [])];
  const enc = weightEncoding(meta, meta.size === 2 ? node.attrs?.dtype?.value : undefined);
  if (typeof enc === 'object') return { shape, data: null, unsupported: enc.unsupported };
  if (enc === 'float16' || enc === 'bfloat16') return { shape, data: widenHalf(rawBytes(h5lib, node, meta.size * meta.total_size), enc, meta.littleEndian), storedAs: enc };
  const value = node.value;
  if (value instanceof Float32Array) return { shape, data: value };
  if (value instanceof Float64Array) return { shape, data: Float32Array.from(value), storedAs: 'float64' };
  return { shape, data: null, unsupported: describeH5Type(meta) };
}

/**
 * Runs a synchronous h5wasm call while capturing what libhdf5 prints (HDF5-DIAG) instead of letting it reach stderr.
 * The node build of h5wasm mounts the real file system (NODERAWFS), so libhdf5's stderr is `fs.writeSync(2, …)`, not
 * `process.stderr.write`: both are diverted for the call.
 */
function quietly<T>(fn: () => T): { value?: T; error?: unknown; diag: string } {
  const original = process.stderr.write.bind(process.stderr);
  const fsMod = nodeFs as unknown as { writeSync: (...args: unknown[]) => number };
  const originalWriteSync = fsMod.writeSync;
  let diag = '';
  const keep = (chunk: unknown): void => {
    diag += typeof chunk === 'string' ? chunk : ArrayBuffer.isView(chunk) ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8') : String(chunk);
  };
  (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array): boolean => {
    keep(chunk);
    return true;
  };
  fsMod.writeSync = (fd: unknown, buffer: unknown, ...rest: unknown[]): number => {
    if (fd !== 2) return originalWriteSync(fd, buffer, ...rest);
    if (typeof buffer === 'string') {
      keep(buffer);
      return Buffer.byteLength(buffer);
    }
    const view = buffer as Uint8Array;
    const offset = typeof rest[0] === 'number' ? rest[0] : 0;
    const length = typeof rest[1] === 'number' ? rest[1] : view.byteLength - offset;
    keep(view.subarray(offset, offset + length));
    return length;
  };
  try {
    return { value: fn(), diag };
  } catch (error) {
    return { error, diag };
  } finally {
    (process.stderr as { write: unknown }).write = original;
    fsMod.writeSync = originalWriteSync;
  }
}

function diagSummary(diag: string): string {
  const lines = diag.split('\n').map((l) => l.trim());
  const last = [...lines].reverse().find((l) => /^#\d+:/.test(l));
  const msg = last ? last.replace(/^#\d+:.*? in [^(]+\(\): /, '') : '';
  return msg || 'not a readable HDF5 file';
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(128);
    const n = readSync(fd, buf, 0, 128, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** End-of-file address recorded in the HDF5 superblock (versions 0–3), or null when it cannot be read. */
export function superblockEof(head: Buffer): number | null {
  const version = head[8];
  const readAddr = (at: number, size: number): number | null => {
    if (at + size > head.length) return null;
    if (size === 8) return Number(head.readBigUInt64LE(at));
    if (size === 4) return head.readUInt32LE(at);
    return null;
  };
  if (version === 0 || version === 1) {
    const sizeOfOffsets = head[13] as number;
    const start = 24 + (version === 1 ? 4 : 0);
    return readAddr(start + 2 * sizeOfOffsets, sizeOfOffsets);
  }
  if (version === 2 || version === 3) {
    const sizeOfOffsets = head[9] as number;
    return readAddr(12 + 2 * sizeOfOffsets, sizeOfOffsets);
  }
  return null;
}

/**
 * Reads every float dataset of a Keras `.weights.h5` file (or of the group `under`) into memory, keyed by its path
 * (e.g. `layers/vi_t_encoder/layer_norm/vars/0`). Corrupt or truncated files raise a UserError naming the file.
 */
export async function readH5Weights(file: string, opts: { under?: string } = {}): Promise<H5Weights> {
  const h5wasm = await loadH5wasm();
  const bytes = withFsErrors(file, 'the weights file', () => readHead(file));
  const signature = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(signature)) {
    throw new UserError('E_WEIGHTS_CORRUPT', `${file}: is not an HDF5 file (bad signature${bytes.length === 0 ? ', empty file' : ''}).`, {
      file,
      hint: 'Download the preset again; a Git LFS pointer or an HTML error page saved as .h5 looks like this.',
    });
  }
  const eof = superblockEof(bytes);
  const size = withFsErrors(file, 'the weights file', () => statSync(file).size);
  if (eof !== null && eof > size) {
    throw new UserError('E_WEIGHTS_CORRUPT', `${file}: is truncated (${size} bytes on disk, the HDF5 header says ${eof}).`, {
      file,
      hint: 'The download or copy was interrupted: download the preset again.',
    });
  }
  // The node build of h5wasm reads the real file system; mode 'r' never writes to the user's file.
  const opened = quietly(() => new h5wasm.File(file, 'r'));
  if (opened.error || !opened.value) {
    throw new UserError('E_WEIGHTS_CORRUPT', `${file}: cannot be opened as HDF5 (${diagSummary(opened.diag)}).`, {
      file,
      hint: 'The file is truncated or damaged: download the preset again.',
    });
  }
  const h5 = opened.value;
  const out = Object.assign(new Map<string, WeightArray>(), { unsupported: new Map<string, string>() }) as H5Weights;
  try {
    const walk = (path: string): void => {
      const got = quietly(() => h5.get(path));
      const node = got.value;
      if (got.error || !node) throw new UserError('E_WEIGHTS_CORRUPT', `${file}: is damaged or truncated: object "${path}" cannot be read (${diagSummary(got.diag)}).`, { file, hint: 'Download the preset again.' });
      if (node instanceof h5wasm.Group) {
        const keys = quietly(() => node.keys());
        if (keys.error || !keys.value) throw new UserError('E_WEIGHTS_CORRUPT', `${file}: is damaged or truncated: group "${path}" cannot be listed (${diagSummary(keys.diag)}).`, { file, hint: 'Download the preset again.' });
        for (const key of keys.value) walk(path === '/' ? key : `${path}/${key}`);
      } else if (node instanceof h5wasm.Dataset) {
        const read = quietly(() => readDataset(h5wasm, node));
        if (read.error || !read.value) throw new UserError('E_WEIGHTS_CORRUPT', `${file}: is damaged or truncated: dataset "${path}" cannot be read (${diagSummary(read.diag)}).`, { file, hint: 'Download the preset again.' });
        const { shape, data, storedAs, unsupported } = read.value;
        if (data) out.set(path, { shape, data, ...(storedAs ? { storedAs } : {}) });
        // not floating point: an optimizer iteration counter is fine; a weight the model needs is an error where it is used
        else out.unsupported.set(path, unsupported ?? 'unknown');
      }
    };
    const walked = quietly(() => walk(opts.under ?? '/'));
    if (walked.error) {
      if (walked.error instanceof UserError) throw walked.error;
      // h5wasm throws plain strings from libhdf5 ("error - name not defined!") on damaged object headers
      throw new UserError('E_WEIGHTS_CORRUPT', `${file}: is damaged: ${String((walked.error as Error)?.message ?? walked.error)} (${diagSummary(walked.diag)}).`, { file, hint: 'The file is damaged: download the preset again.' });
    }
  } finally {
    quietly(() => h5.close());
  }
  return out;
}
