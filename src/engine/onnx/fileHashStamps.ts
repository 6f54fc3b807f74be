import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join, resolve } from 'node:path';

/** The SHA-256 of a file's content, read in 8 MiB chunks. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** What identifies a file's version without reading it: as build tools (git's index, make) do. */
interface Stamp {
  path: string;
  size: string;
  mtimeNs: string;
  ino: string;
  dev: string;
  sha256: string;
}

function stampOf(st: BigIntStats): Omit<Stamp, 'path' | 'sha256'> {
  return { size: String(st.size), mtimeNs: String(st.mtimeNs), ino: String(st.ino), dev: String(st.dev) };
}

function stampFile(stampDir: string, abs: string): string {
  return join(stampDir, `${createHash('sha256').update(abs).digest('hex').slice(0, 32)}.json`);
}

function sameFile(a: Omit<Stamp, 'path' | 'sha256'>, b: Omit<Stamp, 'path' | 'sha256'>): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino && a.dev === b.dev;
}

function readStamp(stampDir: string, abs: string): Stamp | null {
  try {
    const s = JSON.parse(readFileSync(stampFile(stampDir, abs), 'utf8')) as Stamp;
    return s.path === abs && typeof s.sha256 === 'string' && /^[0-9a-f]{64}$/.test(s.sha256) ? s : null;
  } catch {
    return null;
  }
}

/** Writes the stamp atomically; a stamp folder that cannot be written only costs a re-hash next time. */
function writeStamp(stampDir: string, stamp: Stamp): void {
  try {
    mkdirSync(stampDir, { recursive: true });
    const f = stampFile(stampDir, stamp.path);
    const tmp = `${f}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(stamp));
    renameSync(tmp, f);
  } catch {
    // read-only cache: hash again next run
  }
}

export interface HashedFile {
  sha256: string;
  /** false when the stamp recorded for the file's size, mtime, inode and device was trusted (nothing was read) */
  rehashed: boolean;
}

/**
 * The file's SHA-256, trusted from `stampDir` while its size, mtime (ns), inode and device are those recorded with the
 * hash; any difference (an edit, `touch`, a copy over it) hashes the file again and records the new stamp. A file that
 * changes while being hashed is not stamped.
 */
export function trustedSha256(file: string, stampDir: string): HashedFile {
  const abs = resolve(file);
  const before = stampOf(statSync(abs, { bigint: true }));
  const known = readStamp(stampDir, abs);
  if (known && sameFile(known, before)) return { sha256: known.sha256, rehashed: false };
  const sha256 = sha256File(abs);
  const after = stampOf(statSync(abs, { bigint: true }));
  if (sameFile(before, after)) writeStamp(stampDir, { path: abs, ...after, sha256 });
  return { sha256, rehashed: true };
}

/** Records a hash computed while writing the file (a fresh cache entry), so that the next lookup reads nothing. */
export function recordSha256(file: string, stampDir: string, sha256: string): void {
  try {
    const abs = resolve(file);
    writeStamp(stampDir, { path: abs, ...stampOf(statSync(abs, { bigint: true })), sha256 });
  } catch {
    // the file is gone: nothing to record
  }
}
