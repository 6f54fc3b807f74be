import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { KnowledgeRelease } from '../../src/core/presets/kerasHubKnowledgeTypes';

export interface RepoManifest {
  repo: string;
  /** Oldest release tag read. */
  minRelease: string;
  /** Only the newest patch of each minor release (keras-cv). */
  lastPatchOnly?: boolean;
  /** Branch read as version "main"; absent: no main. */
  mainBranch?: string;
  releases: KnowledgeRelease[];
}

export interface Manifest extends RepoManifest {
  about?: string;
  /** keras_hub/src/models/<family>/ folders whose presets, converters, backbones and conversion scripts are read. */
  families: string[];
  kerasCv?: RepoManifest;
}

/** Where file versions come from: a clone (git) or a directory laid out as DIR/<commit>/<path>. */
export interface SourceTree {
  /** Files at a commit matching one of the patterns, each with a content id (blob hash) for caching. */
  list(commit: string, patterns: RegExp[]): { path: string; id: string }[];
  read(commit: string, path: string, id: string): string;
}

const git = (clone: string, args: string[]): string =>
  execFileSync('git', ['-C', clone, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });

export function gitTree(clone: string): SourceTree {
  return {
    list(commit, patterns) {
      return git(clone, ['ls-tree', '-r', commit])
        .split('\n')
        .map((line) => /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line))
        .filter((m): m is RegExpExecArray => !!m && patterns.some((re) => re.test(m[2] as string)))
        .map((m) => ({ path: m[2] as string, id: m[1] as string }));
    },
    read(commit, path, id) {
      try {
        return git(clone, ['cat-file', 'blob', id]);
      } catch (e) {
        throw new Error(`git cat-file ${commit.slice(0, 7)}:${path} failed in ${clone}: ${(e as { stderr?: string }).stderr?.trim() || String(e)}`);
      }
    },
  };
}

/** Files already laid out as `<dir>/<commit>/<path>` (for machines without a clone). */
export function dirTree(dir: string): SourceTree {
  const walk = (root: string): string[] =>
    readdirSync(root).flatMap((n) => {
      const p = join(root, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return {
    list(commit, patterns) {
      const root = join(dir, commit);
      if (!existsSync(root)) throw new Error(`${root} is missing: lay the files of ${commit} out there, or use --from-git <clone>`);
      return walk(root)
        .map((p) => relative(root, p).split('\\').join('/'))
        .filter((p) => patterns.some((re) => re.test(p)))
        .map((p) => ({ path: p, id: createHash('sha1').update(readFileSync(join(root, p))).digest('hex') }));
    },
    read(commit, path) {
      return readFileSync(join(dir, commit, path), 'utf8');
    },
  };
}
