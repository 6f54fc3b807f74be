import type { ApplicationModelFact, ApplicationModelFacts, InsideLayer, LayerGuard } from '../../src/core/presets/kerasApplicationsKnowledgeTypes';
import type { ApplicationsFile, BodyEvent } from './extractApplications';
import { releasesOf } from './releaseRanges';

/** The module stem of an applications file path (keras/src/applications/efficientnet_v2.py → efficientnet_v2). */
export const moduleOf = (path: string): string => /([a-z0-9_]+)\.py$/.exec(path)?.[1] ?? path;

const MODEL_EXPORT = /^keras\.applications\.(?:[a-z0-9_]+\.)?[A-Z]\w*$/;

/**
 * The inside layers a function applies, in order, following the functions it calls in the same release (`EfficientNet`
 * in the same file, `resnet.ResNet` in another module, `PreStem` ...); the `if`s around a call guard what it reaches.
 */
function insideLayers(files: Map<string, ApplicationsFile>, module: string, fnName: string, guards: LayerGuard[], seen: Set<string>): InsideLayer[] {
  const key = `${module}.${fnName}`;
  const fn = files.get(module)?.functions[fnName];
  if (!fn || seen.has(key) || seen.size > 12) return [];
  seen.add(key);
  const out: InsideLayer[] = [];
  for (const e of fn.events as BodyEvent[]) {
    if (e.kind === 'layer') {
      out.push({ layer: e.layer, guards: [...new Set([...guards, ...e.guards])], scale: e.scale, offset: e.offset, mean: e.mean });
      continue;
    }
    const dot = e.callee.indexOf('.');
    const [mod, name] = dot < 0 ? [module, e.callee] : [e.callee.slice(0, dot), e.callee.slice(dot + 1)];
    // only functions of the applications package itself (not layers.*, backend.*, ops.*)
    if (!files.has(mod)) continue;
    out.push(...insideLayers(files, mod, name, [...new Set([...guards, ...e.guards])], seen));
  }
  return out;
}

/** The first inside layer takes 0–255 pixels: it scales by about 1/255 or 1/128, or subtracts a mean above 1. */
function takes0to255(layers: InsideLayer[]): boolean {
  const first = layers[0];
  if (!first) return false;
  if (first.scale !== null) return first.scale > 0 && first.scale < 0.01;
  return first.mean !== null && first.mean > 1;
}

/** Every model function a release's applications files export, with what it does with its input. */
export function modelsOfRelease(files: Map<string, ApplicationsFile>): ApplicationModelFacts[] {
  const out: ApplicationModelFacts[] = [];
  for (const [module, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [name, fn] of Object.entries(file.functions)) {
      const exports = fn.exports.filter((e) => MODEL_EXPORT.test(e)).sort();
      if (exports.length === 0) continue;
      const layers = insideLayers(files, module, name, [], new Set());
      out.push({
        name,
        module,
        exports,
        preprocessInput: file.preprocessInput,
        weightsDefault: /^["'](\w+)["']$/.exec(fn.defaults['weights'] ?? '')?.[1] ?? null,
        includePreprocessingDefault: fn.defaults['include_preprocessing'] === undefined ? null : fn.defaults['include_preprocessing'] === 'True',
        insideLayers: layers,
        insideTakes0to255: takes0to255(layers),
      });
    }
  }
  return out;
}

/** One fact per distinct model description, with the releases of its repository that hold it. */
export function mergeModels(repo: string, order: string[], perRelease: Map<string, ApplicationModelFacts[]>): ApplicationModelFact[] {
  const byKey = new Map<string, { facts: ApplicationModelFacts; present: Set<string> }>();
  for (const version of order) {
    for (const facts of perRelease.get(version) ?? []) {
      const key = JSON.stringify(facts);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { facts, present: new Set() }));
      entry.present.add(version);
    }
  }
  const newest = order[order.length - 1] ?? '';
  return [...byKey.values()]
    .map(({ facts, present }) => ({ repo, ...facts, releases: releasesOf(order, present), current: present.has(newest) }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.releases.since.localeCompare(b.releases.since, undefined, { numeric: true }));
}
