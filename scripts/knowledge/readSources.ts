import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ManifestFile {
  path: string;
  commit: string;
  note?: string;
}

export interface Manifest {
  repo: string;
  files: ManifestFile[];
}

export type SourceReader = (file: ManifestFile) => string;

/** Reads `<dir>/<commit>/<path>` (the layout `--fetch` writes). */
export function dirReader(dir: string): SourceReader {
  return (f) => {
    const p = join(dir, f.commit, f.path);
    if (!existsSync(p)) throw new Error(`${p} is missing: run with --fetch (needs github.com) or --from-git <keras-hub clone>`);
    return readFileSync(p, 'utf8');
  };
}

/** Reads `git show <commit>:<path>` from a keras-hub clone (any commit it holds, branches included). */
export function gitReader(clone: string): SourceReader {
  return (f) => {
    try {
      return execFileSync('git', ['-C', clone, 'show', `${f.commit}:${f.path}`], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`git show ${f.commit}:${f.path} failed in ${clone}: ${(e as { stderr?: string }).stderr?.trim() || String(e)}`);
    }
  };
}

/** Downloads every listed file version from raw.githubusercontent.com into `<dir>/<commit>/<path>`. */
export async function fetchInto(dir: string, manifest: Manifest): Promise<void> {
  for (const f of manifest.files) {
    const dest = join(dir, f.commit, f.path);
    if (existsSync(dest)) continue;
    const url = `https://raw.githubusercontent.com/${manifest.repo}/${f.commit}/${f.path}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, await res.text());
  }
}
