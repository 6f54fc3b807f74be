import { execFileSync } from 'node:child_process';

/** One release of a repository: its version (from the tag, or "main" for the main branch) and commit. */
export interface Release {
  version: string;
  tag: string;
  commit: string;
}

const git = (clone: string, args: string[]): string =>
  execFileSync('git', ['-C', clone, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });

/** Numeric compare of dotted versions ("0.9.0" < "0.18.0"); "main" sorts after every release. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'main') return 1;
  if (b === 'main') return -1;
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Release tags (`vX.Y.Z`, no `.devN`/`rcN`) at or after `minVersion`, oldest first; with `lastPatchOnly`, only the
 * newest patch of each minor version. Pure: the tag names come from `git tag`.
 */
export function selectReleaseTags(tags: string[], minVersion: string, lastPatchOnly = false): string[] {
  const releases = tags
    .map((t) => t.trim())
    .filter((t) => /^v\d+\.\d+\.\d+$/.test(t))
    .filter((t) => compareVersions(t.slice(1), minVersion) >= 0)
    .sort((a, b) => compareVersions(a.slice(1), b.slice(1)));
  if (!lastPatchOnly) return releases;
  const minor = (t: string): string => t.split('.').slice(0, 2).join('.');
  return releases.filter((t, i) => minor(releases[i + 1] ?? '') !== minor(t));
}

/** The releases a clone holds (tags from `minVersion`, oldest first), then its main branch as version "main". */
export function listReleases(clone: string, opts: { minVersion: string; mainBranch?: string; lastPatchOnly?: boolean }): Release[] {
  const tags = selectReleaseTags(git(clone, ['tag', '--list']).split('\n'), opts.minVersion, opts.lastPatchOnly);
  const out: Release[] = tags.map((tag) => ({ version: tag.slice(1), tag, commit: git(clone, ['rev-parse', `${tag}^{commit}`]).trim() }));
  if (opts.mainBranch) out.push({ version: 'main', tag: opts.mainBranch, commit: git(clone, ['rev-parse', `${opts.mainBranch}^{commit}`]).trim() });
  return out;
}
