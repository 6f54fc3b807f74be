import type { KnowledgeSource, KnownConverter, KnownExport, KnownPreset } from '../../src/core/presets/kerasHubKnowledgeTypes';
import type { ExtractedConverter } from './extractConverters';
import type { ExtractedExport } from './extractExports';
import type { ExtractedPreset } from './extractPresets';

export const short = (commit: string): string => commit.slice(0, 7);

/** What one source file version yielded. */
export interface FileFacts {
  source: KnowledgeSource;
  exports: ExtractedExport[];
  presets: ExtractedPreset[];
  converters: ExtractedConverter[];
}

/**
 * Image side and patch stated by a preset's name (`_patch16_384`, `_r240_`) or description (`224x224`,
 * `image size of 336`, `patch size of 14`); null when it states none.
 */
export function statedSizes(name: string, description: string): { imageSize: number | null; patchSize: number | null } {
  const image =
    /patch\d+_(\d+)/.exec(name)?.[1] ?? /_r(\d{2,4})(?:_|$)/.exec(name)?.[1] ?? /image size of (\d+)/i.exec(description)?.[1] ?? /(\d{2,4})\s*x\s*\d{2,4}/.exec(description)?.[1];
  const patch = /patch(\d+)/.exec(name)?.[1] ?? /patch size of (\d+)/i.exec(description)?.[1];
  return { imageSize: image ? Number(image) : null, patchSize: patch ? Number(patch) : null };
}

export function mergeExports(files: FileFacts[]): KnownExport[] {
  const byKey = new Map<string, KnownExport>();
  const newestApi = new Set(
    files.filter((f) => /^keras_hub\/api\/(models|layers)\/__init__\.py$/.test(f.source.path) && f.source.version === f.source.versions - 1).flatMap((f) => f.exports.map((e) => `${e.namespace}.${e.name}`)),
  );
  for (const f of files) {
    for (const e of f.exports) {
      const key = `${e.namespace}.${e.name}`;
      const known = byKey.get(key);
      if (!known) {
        byKey.set(key, { namespace: e.namespace, name: e.name, module: e.module, className: e.className, seenIn: [short(f.source.commit)], current: newestApi.has(key), ...(e.conflictSide ? { conflictSide: e.conflictSide } : {}) });
        continue;
      }
      if (!known.seenIn.includes(short(f.source.commit))) known.seenIn.push(short(f.source.commit));
      if (!e.conflictSide) delete known.conflictSide;
    }
  }
  return [...byKey.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * Preset histories per presets file: seen in which versions, current in the newest, and for a name the newest
 * version dropped, the current preset of the same family and parameter count that was absent where it lived (a rename).
 */
export function mergePresets(files: FileFacts[]): KnownPreset[] {
  const byPath = new Map<string, FileFacts[]>();
  for (const f of files) if (f.source.path.endsWith('_presets.py')) byPath.set(f.source.path, [...(byPath.get(f.source.path) ?? []), f]);
  const out: KnownPreset[] = [];
  for (const versions of byPath.values()) {
    versions.sort((a, b) => a.source.version - b.source.version);
    const newest = versions[versions.length - 1] as FileFacts;
    const currentNames = new Set(newest.presets.map((p) => p.name));
    const latestEntry = new Map<string, ExtractedPreset>();
    const seen = new Map<string, string[]>();
    for (const v of versions) {
      for (const p of v.presets) {
        latestEntry.set(p.name, p);
        seen.set(p.name, [...(seen.get(p.name) ?? []), short(v.source.commit)]);
      }
    }
    for (const [name, p] of latestEntry) {
      const seenIn = seen.get(name) as string[];
      const current = currentNames.has(name);
      const preset: KnownPreset = { name, family: p.family, params: p.params, description: p.description, kaggleHandle: p.kaggleHandle, ...statedSizes(name, p.description), seenIn, current };
      if (!current) {
        const lastIdx = Math.max(...versions.map((v, i) => (v.presets.some((q) => q.name === name) ? i : -1)));
        const gone = versions[lastIdx + 1] as FileFacts;
        preset.goneIn = short(gone.source.commit);
        const livedWith = new Set(versions.filter((v) => v.presets.some((q) => q.name === name)).flatMap((v) => v.presets.map((q) => q.name)));
        const successor = newest.presets.find((q) => q.family === p.family && q.params !== null && q.params === p.params && !livedWith.has(q.name));
        if (successor) preset.renamedTo = successor.name;
      }
      out.push(preset);
    }
  }
  return out.sort((a, b) => a.family.localeCompare(b.family) || a.name.localeCompare(b.name));
}

export function mergeConverters(files: FileFacts[]): KnownConverter[] {
  return files.flatMap((f) => f.converters.map((c) => ({ ...c, path: f.source.path, commit: short(f.source.commit) })));
}
