import type { ArchitectureFacts, FactReleases, KerasCvPreset, KnownClass, KnownConversion, KnownExport, KnownPreset, PresetInput } from '../../src/core/presets/kerasHubKnowledgeTypes';
import type { ExtractedClass } from './extractConverters';
import type { ExtractedConversion } from './extractConversion';
import type { ExtractedExport } from './extractExports';
import type { ExtractedCvPreset } from './extractKerasCvPresets';
import type { ExtractedPreset } from './extractPresets';
import { releasesOf } from './releaseRanges';

/** What one source file yielded at one version read ("0.22.0", "main"). */
export interface FileFacts {
  version: string;
  path: string;
  exports?: ExtractedExport[];
  presets?: ExtractedPreset[];
  converters?: ExtractedClass[];
  backbones?: ExtractedClass[];
  conversion?: ExtractedConversion;
  cvPresets?: ExtractedCvPreset[];
}

/** One row of scripts/knowledge/reviewedFacts.json. */
export interface ReviewedRow {
  upstream?: string;
  preset?: string;
  imageSize?: number;
  patchSize?: number;
  mean?: number[];
  std?: number[];
  interpolation?: string;
  architecture?: ArchitectureFacts;
  source: string;
}

/**
 * Image side and patch stated by a preset's name (`_patch16_384`, `_r240_`) or description (`224x224`,
 * `image size of 336`, `patch size of 14`); null when it states none.
 */
export function statedSizes(name: string, description: string): { imageSize: number | null; patchSize: number | null; imageSizeSource?: string } {
  const fromName = /patch\d+_(\d+)/.exec(name)?.[1] ?? /_r(\d{2,4})(?:_|$)/.exec(name)?.[1];
  const fromDescription = /image size of (\d+)/i.exec(description)?.[1] ?? /(\d{2,4})\s*x\s*\d{2,4}/.exec(description)?.[1];
  const image = fromName ?? fromDescription;
  const patch = /patch(\d+)/.exec(name)?.[1] ?? /patch size of (\d+)/i.exec(description)?.[1];
  return { imageSize: image ? Number(image) : null, patchSize: patch ? Number(patch) : null, ...(image ? { imageSizeSource: fromName ? 'name' : 'description' } : {}) };
}

/**
 * Patch size stated by an upstream checkpoint's name: timm/HF `..._patch16_...`, `vit-base-patch16-224`, or DINOv3's
 * `facebook/dinov3-vits16-...` / `vit7b16` / `vith16plus`; null when the name states none.
 */
export function patchOfUpstream(upstream: string): number | null {
  const base = upstream.split('/').pop() ?? '';
  const m = /patch(\d{1,2})(?:\D|$)/.exec(base) ?? /(?:^|-)vit(?:\d+b|[a-z])(\d{1,2})(?:plus)?(?:-|$)/.exec(base);
  return m ? Number(m[1]) : null;
}

/** Whether a fact found in these versions still holds in the newest release or on main. */
const isCurrent = (order: readonly string[], present: ReadonlySet<string>): boolean => {
  const newestRelease = [...order].reverse().find((v) => v !== 'main');
  return (newestRelease !== undefined && present.has(newestRelease)) || present.has('main');
};

/** Groups facts by key, collecting the versions each key was found in and its newest value. */
function collect<T>(order: readonly string[], items: Iterable<{ key: string; version: string; value: T }>): Map<string, { versions: Set<string>; newest: T; newestVersion: string }> {
  const rank = new Map(order.map((v, i) => [v, i]));
  const out = new Map<string, { versions: Set<string>; newest: T; newestVersion: string }>();
  for (const it of items) {
    const known = out.get(it.key);
    if (!known) {
      out.set(it.key, { versions: new Set([it.version]), newest: it.value, newestVersion: it.version });
      continue;
    }
    known.versions.add(it.version);
    if ((rank.get(it.version) ?? -1) >= (rank.get(known.newestVersion) ?? -1)) {
      known.newest = it.value;
      known.newestVersion = it.version;
    }
  }
  return out;
}

const ROLES = ['ImageClassifierPreprocessor', 'ImageClassifier', 'ImageConverter', 'Backbone', 'Preprocessor', 'Tokenizer'];
const roleOf = (name: string): { role: string; stem: string } | null => {
  const role = ROLES.find((r) => name.endsWith(r) && name.length > r.length);
  return role ? { role, stem: name.slice(0, -role.length).toLowerCase() } : null;
};

export function mergeExports(order: readonly string[], files: FileFacts[]): KnownExport[] {
  const merged = collect(order, files.flatMap((f) => (f.exports ?? []).map((e) => ({ key: `${e.namespace}.${e.name}`, version: f.version, value: e }))));
  const out = [...merged.values()]
    .map(({ versions, newest: e }): KnownExport => ({ namespace: e.namespace, name: e.name, module: e.module, className: e.className, releases: releasesOf(order, versions), current: isCurrent(order, versions) }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  // a removed name and the one current name of the same role whose stem shares its first three letters, new in that release
  for (const gone of out) {
    const r = gone.current ? null : roleOf(gone.name);
    if (!r || !gone.releases.removedIn) continue;
    const successors = out.filter((e) => e.current && e.namespace === gone.namespace && e.releases.since === gone.releases.removedIn && roleOf(e.name)?.role === r.role && roleOf(e.name)?.stem.slice(0, 3) === r.stem.slice(0, 3));
    if (successors.length !== 1) continue;
    gone.renamedTo = (successors[0] as KnownExport).name;
    gone.renamedIn = gone.releases.removedIn;
  }
  return out;
}

/**
 * Preset histories per presets file across the versions read. A name that is not current gets, when a current preset
 * of the same family and parameter count first appeared in the version that dropped it, `renamedTo`/`renamedIn`.
 * Upstream checkpoints come from the conversion scripts' PRESET_MAP; sizes and statistics a source does not state
 * from the reviewed table.
 */
export function mergePresets(order: readonly string[], files: FileFacts[], conversions: KnownConversion[] = [], reviewed: ReviewedRow[] = []): KnownPreset[] {
  const out: KnownPreset[] = [];
  const byPath = new Map<string, FileFacts[]>();
  for (const f of files) if (f.presets) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
  for (const versions of byPath.values()) {
    const merged = collect(order, versions.flatMap((f) => (f.presets ?? []).map((p) => ({ key: p.name, version: f.version, value: p }))));
    const namesAt = (v: string): Set<string> => new Set(versions.filter((f) => f.version === v).flatMap((f) => (f.presets ?? []).map((p) => p.name)));
    for (const [name, { versions: present, newest: p }] of merged) {
      const releases = releasesOf(order, present);
      const current = isCurrent(order, present);
      const script = conversions.find((c) => c.presetMap[name]);
      const upstream = script?.presetMap[name];
      const row = reviewed.find((r) => (r.preset && r.preset === name) || (upstream && r.upstream === upstream));
      const stated = statedSizes(name, p.description);
      const upstreamPatch = upstream ? patchOfUpstream(upstream) : null;
      const imageSize = stated.imageSize ?? row?.imageSize ?? null;
      const preset: KnownPreset = {
        name,
        family: p.family,
        params: p.params,
        description: p.description,
        kaggleHandle: p.kaggleHandle,
        imageSize,
        patchSize: stated.patchSize ?? upstreamPatch ?? row?.patchSize ?? null,
        ...(stated.imageSizeSource ? { imageSizeSource: stated.imageSizeSource } : imageSize !== null && row ? { imageSizeSource: `reviewed table (${reviewedKey(row)})` } : {}),
        ...(upstream ? { upstream } : {}),
        ...inputOf(row, script),
        ...(row?.architecture ? { architecture: row.architecture } : {}),
        releases,
        current,
      };
      if (!current && releases.removedIn) {
        const dropped = releases.removedIn;
        const livedWith = new Set([...present].flatMap((v) => [...namesAt(v)]));
        const successor = [...merged.entries()].find(([n, q]) => n !== name && isCurrent(order, q.versions) && q.newest.family === p.family && p.params !== null && q.newest.params === p.params && q.versions.has(dropped) && !livedWith.has(n));
        if (successor) {
          preset.renamedTo = successor[0];
          preset.renamedIn = dropped;
        }
      }
      out.push(preset);
    }
  }
  return out.sort((a, b) => a.family.localeCompare(b.family) || a.name.localeCompare(b.name));
}

/** The key a reviewed row is cited by in the generated facts (its source text is in `reviewedSources` once). */
export const reviewedKey = (row: ReviewedRow): string => row.upstream ?? row.preset ?? '';

/** Statistics from the reviewed row, interpolation from the conversion script's converter when it states a literal. */
function inputOf(row: ReviewedRow | undefined, script: KnownConversion | undefined): { input?: PresetInput } {
  const input: PresetInput = { sources: [] };
  const literal = /^["'](\w+)["']$/.exec(script?.converterArgs.interpolation ?? '')?.[1];
  if (literal && script) {
    input.interpolation = literal;
    input.sources.push(`interpolation: ${script.path}@${script.releases.held[script.releases.held.length - 1]?.[1]}`);
  }
  if (row && (row.mean || row.std || row.interpolation)) {
    if (row.mean) input.mean = row.mean;
    if (row.std) input.std = row.std;
    if (row.interpolation && !literal) input.interpolation = row.interpolation;
    input.sources.push(`reviewed table (${reviewedKey(row)})`);
  }
  return input.sources.length ? { input } : {};
}

/** Exported classes (converters or backbones) keyed by exported name and defaults: a change of default is a new fact. */
export function mergeClasses(order: readonly string[], files: FileFacts[], which: 'converters' | 'backbones'): KnownClass[] {
  const merged = collect(order, files.flatMap((f) => (f[which] ?? []).map((c) => ({ key: `${c.exportedAs}\u0000${c.className}\u0000${JSON.stringify(c.defaults)}\u0000${c.backboneClass}`, version: f.version, value: { ...c, path: f.path } }))));
  return [...merged.values()]
    .map(({ versions, newest }): KnownClass => ({ exportedAs: newest.exportedAs, className: newest.className, backboneClass: newest.backboneClass, defaults: newest.defaults, path: newest.path, releases: releasesOf(order, versions) }))
    .sort((a, b) => a.exportedAs.localeCompare(b.exportedAs) || a.releases.since.localeCompare(b.releases.since));
}

/** Conversion scripts as of the newest version that has each. */
export function mergeConversions(order: readonly string[], files: FileFacts[]): KnownConversion[] {
  const merged = collect(order, files.flatMap((f) => (f.conversion ? [{ key: f.path, version: f.version, value: f.conversion }] : [])));
  return [...merged.entries()]
    .map(([path, { versions, newest }]): KnownConversion => ({ path, presetMap: newest.presetMap, converterArgs: newest.converterArgs, ...(newest.cropPct ? { cropPct: newest.cropPct } : {}), releases: releasesOf(order, versions) }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** keras-cv presets by name; include_rescaling from the newest version that states it. */
export function mergeKerasCvPresets(order: readonly string[], files: FileFacts[]): KerasCvPreset[] {
  const merged = collect(order, files.flatMap((f) => (f.cvPresets ?? []).map((p) => ({ key: p.name, version: f.version, value: p }))));
  const rank = new Map(order.map((v, i) => [v, i]));
  return [...merged.entries()]
    .map(([name, { versions, newest }]): KerasCvPreset => {
      const stating = files
        .filter((f) => f.cvPresets?.some((p) => p.name === name && p.includeRescaling !== null))
        .sort((a, b) => (rank.get(b.version) ?? 0) - (rank.get(a.version) ?? 0))[0];
      const ir = stating?.cvPresets?.find((p) => p.name === name)?.includeRescaling ?? null;
      const releases: FactReleases = releasesOf(order, versions);
      return { name, family: newest.family, params: newest.params, includeRescaling: ir, ...(stating ? { includeRescalingSource: `${stating.path}@v${stating.version}` } : {}), releases };
    })
    .sort((a, b) => a.family.localeCompare(b.family) || a.name.localeCompare(b.name));
}
