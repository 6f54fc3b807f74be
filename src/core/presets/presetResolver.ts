import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { statOrMissing, withFsErrors } from '../fsErrors';
import { UserError } from '../userError';

export interface ResolvedPreset {
  dir: string;
  /** How the argument was understood. */
  source: 'directory' | 'kagglehub-cache';
  name: string;
  version: number | null;
}

export interface ResolveOptions {
  env?: Record<string, string | undefined>;
  home?: string;
  cwd?: string;
}

/** Root of the kagglehub cache: $KAGGLEHUB_CACHE, else ~/.cache/kagglehub (kagglehub src/kagglehub/config.py). */
export function kagglehubCacheRoot(opts: ResolveOptions = {}): string {
  const env = opts.env ?? process.env;
  return env.KAGGLEHUB_CACHE ?? join(opts.home ?? homedir(), '.cache', 'kagglehub');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function versionsIn(variationDir: string): number[] {
  if (!isDir(variationDir)) return [];
  return withFsErrors(variationDir, 'the kagglehub cache folder', () => readdirSync(variationDir), 'list')
    .filter((v) => /^\d+$/.test(v) && isDir(join(variationDir, v)))
    .map(Number)
    .sort((a, b) => b - a);
}

/** Model family folder for a preset name: "vit_base_patch16_224_imagenet" → "vit". */
function modelFamily(name: string): string {
  return name.split('_')[0] ?? name;
}

/**
 * Resolves `--preset`: a directory (or a file inside one), `kaggle://owner/model/framework/variation[/version]`,
 * or a bare preset name looked up in the kagglehub cache. Throws a UserError listing every place looked at.
 */
export function resolvePreset(arg: string, opts: ResolveOptions = {}): ResolvedPreset {
  const cwd = opts.cwd ?? process.cwd();
  const looked: string[] = [];
  const asPath = resolve(cwd, arg);
  if (!arg.includes('://')) {
    // a path that cannot be looked at (a file as a folder on the way, no permission, a link loop) is named as such
    const st = statOrMissing(asPath, 'the preset folder');
    if (st?.isDirectory()) return { dir: asPath, source: 'directory', name: asPath.split(/[\\/]/).pop() ?? arg, version: null };
    if (st && asPath.endsWith('.json')) return resolvePreset(dirname(asPath), opts);
    looked.push(asPath);
  }
  const root = join(kagglehubCacheRoot(opts), 'models');
  let candidates: { variationDir: string; name: string; version: number | null }[] = [];
  const kaggle = /^kaggle:\/\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/.exec(arg);
  if (arg.includes('://') && !kaggle) {
    throw new UserError('E_PRESET_NOT_FOUND', `Preset "${arg}": only directories, kaggle://owner/model/framework/variation[/version] handles and bare preset names are supported.`, {
      hint: 'Download the preset once in Python and pass its folder with --preset.',
    });
  }
  if (kaggle) {
    const [, owner, model, framework, variation, version] = kaggle as unknown as string[];
    candidates.push({ variationDir: join(root, owner as string, model as string, framework as string, variation as string), name: variation as string, version: version ? Number(version) : null });
  } else if (/^[A-Za-z0-9_.-]+$/.test(arg)) {
    candidates.push({ variationDir: join(root, 'keras', modelFamily(arg), 'keras', arg), name: arg, version: null });
    // unknown family spelling: scan every model folder of the keras owner
    const kerasRoot = join(root, 'keras');
    if (isDir(kerasRoot)) {
      for (const model of withFsErrors(kerasRoot, 'the kagglehub cache folder', () => readdirSync(kerasRoot), 'list')) {
        const v = join(kerasRoot, model, 'keras', arg);
        if (!candidates.some((c) => c.variationDir === v)) candidates.push({ variationDir: v, name: arg, version: null });
      }
    }
  }
  candidates = candidates.filter((c, i) => candidates.findIndex((d) => d.variationDir === c.variationDir) === i);
  for (const c of candidates) {
    const versions = c.version !== null ? [c.version] : versionsIn(c.variationDir);
    if (versions.length === 0) looked.push(c.version !== null ? join(c.variationDir, String(c.version)) : join(c.variationDir, '<version>'));
    for (const v of versions) {
      const dir = join(c.variationDir, String(v));
      if (existsSync(join(dir, 'config.json'))) return { dir, source: 'kagglehub-cache', name: c.name, version: v };
      looked.push(dir);
    }
  }
  const name = kaggle ? (kaggle[4] as string) : arg;
  throw new UserError('E_PRESET_NOT_FOUND', `Preset "${arg}" was not found. Looked in:\n${looked.map((l) => `  - ${l}`).join('\n')}`, {
    hint: `Download it once in Python: keras_hub.models.Backbone.from_preset("${name}") (it fills the kagglehub cache; set KAGGLEHUB_CACHE if yours is elsewhere), or pass the preset folder with --preset.`,
  });
}
