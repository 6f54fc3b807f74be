import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Parser } from 'web-tree-sitter';
import { getPythonParser } from '../../src/core/lint/pythonSource';
import type { KerasHubKnowledge, KnowledgeRelease } from '../../src/core/presets/kerasHubKnowledgeTypes';
import { mergeClasses, mergeConversions, mergeExports, mergeKerasCvPresets, mergePresets, reviewedKey, type FileFacts, type ReviewedRow } from './buildKnowledge';
import { extractBackbones, extractConverters } from './extractConverters';
import { extractConversion } from './extractConversion';
import { extractApiExports, extractKerasCvModelExports } from './extractExports';
import { extractKerasCvPresets } from './extractKerasCvPresets';
import { extractPresets } from './extractPresets';
import { listReleases } from './gitHistory';
import { dirTree, gitTree, type Manifest, type RepoManifest, type SourceTree } from './readSources';
import { renderKnowledge } from './renderKnowledge';
import { writeOrCheck } from './writeOrCheck';

export const USAGE = 'npm run kb:generate -- (--from-git KERAS_HUB_CLONE [--keras-cv-git KERAS_CV_CLONE] | --from-dir DIR) [--check] [--manifest FILE] [--reviewed FILE] [--out FILE]\n';

/** Exit codes: 0 written / up to date, 1 --check found a difference, 2 bad arguments or unreadable sources. */
export class GenerateError extends Error {
  constructor(message: string, readonly code: 1 | 2) {
    super(message);
  }
}

const hubPatterns = (families: string[]): RegExp[] => {
  const fam = `(?:${families.join('|')})`;
  return [
    /^keras_hub\/api\/(?:models|layers)\/__init__\.py$/,
    new RegExp(`^keras_hub/src/models/${fam}/\\w+_presets\\.py$`),
    new RegExp(`^keras_hub/src/models/${fam}/\\w+_image_converter\\.py$`),
    new RegExp(`^keras_hub/src/models/${fam}/\\w+_backbone\\.py$`),
    new RegExp(`^tools/checkpoint_conversion/convert_${fam}\\w*_checkpoints\\.py$`),
  ];
};
// keras_cv/models/legacy/__init__.py (0.5–0.8; not public from 0.9): its names are kept as `legacy.X`
const CV_PATTERNS = [/^keras_cv\/(?:src\/)?models\/backbones\/\w+\/\w+_backbone_presets\.py$/, /^keras_cv\/(?:api\/)?models\/__init__\.py$/, /^keras_cv\/models\/legacy\/__init__\.py$/];

/** Reads every listed release's matching files (each distinct blob parsed once) into per-file facts. */
function readReleases(tree: SourceTree, releases: KnowledgeRelease[], patterns: RegExp[], extract: (path: string, text: string) => Omit<FileFacts, 'version' | 'path'>): FileFacts[] {
  const cache = new Map<string, Omit<FileFacts, 'version' | 'path'>>();
  const out: FileFacts[] = [];
  for (const r of releases) {
    for (const { path, id } of tree.list(r.commit, patterns)) {
      let facts = cache.get(`${path}\u0000${id}`);
      if (!facts) {
        const text = tree.read(r.commit, path, id);
        try {
          facts = extract(path, text);
        } catch (e) {
          throw new Error(`${path}@${r.tag}: ${e instanceof Error ? e.message : String(e)}`);
        }
        cache.set(`${path}\u0000${id}`, facts);
      }
      out.push({ version: r.version, path, ...facts });
    }
  }
  return out;
}

function extractHub(parser: Parser, path: string, text: string): Omit<FileFacts, 'version' | 'path'> {
  const api = /^keras_hub\/api\/(models|layers)\/__init__\.py$/.exec(path);
  if (api) return { exports: extractApiExports(text, api[1] as 'models' | 'layers').exports };
  if (path.endsWith('_presets.py')) return { presets: extractPresets(parser, text) };
  if (path.endsWith('_image_converter.py')) return { converters: extractConverters(parser, text) };
  if (path.endsWith('_backbone.py')) return { backbones: extractBackbones(parser, text) };
  return { conversion: extractConversion(parser, text) };
}

const sameReleases = (a: KnowledgeRelease[], b: KnowledgeRelease[]): boolean => JSON.stringify(a) === JSON.stringify(b);
const describe = (rs: KnowledgeRelease[]): string => rs.map((r) => `${r.tag}@${r.commit.slice(0, 7)}`).join(', ');

/** The releases a clone holds now, compared with the manifest's: a stale manifest is a difference for --check. */
function enumerate(clone: string, m: RepoManifest, check: boolean): { releases: KnowledgeRelease[]; changed: boolean } {
  let found: KnowledgeRelease[];
  try {
    found = listReleases(clone, { minVersion: m.minRelease, ...(m.mainBranch ? { mainBranch: m.mainBranch } : {}), ...(m.lastPatchOnly ? { lastPatchOnly: true } : {}) });
  } catch (e) {
    throw new GenerateError(`${clone}: cannot list the releases of ${m.repo} (${(e as { stderr?: string }).stderr?.toString().trim() || String(e)})`, 2);
  }
  const changed = !sameReleases(found, m.releases);
  if (changed && check) throw new GenerateError(`the manifest's ${m.repo} releases are stale: the clone has ${describe(found.filter((r) => !m.releases.some((q) => JSON.stringify(q) === JSON.stringify(r)))) || 'fewer releases'}; run npm run kb:generate -- --from-git <clone> and commit the result`, 1);
  return { releases: found, changed };
}

/**
 * Generates the knowledge base (see scripts/knowledge/README.md). With --from-git the release tags are enumerated
 * from the clone and written back to the manifest (with --check, a manifest missing a release is a difference).
 */
export async function runGenerate(argv: string[], log: (line: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'from-dir': { type: 'string' }, 'from-git': { type: 'string' }, 'keras-cv-git': { type: 'string' }, check: { type: 'boolean' },
        manifest: { type: 'string' }, reviewed: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    throw new GenerateError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`, 2);
  }
  if (values.help) {
    log(USAGE);
    return 0;
  }
  if (!values['from-git'] && !values['from-dir']) throw new GenerateError(`give --from-git <keras-hub clone> or --from-dir <dir>\n${USAGE}`, 2);
  const manifestPath = values.manifest ?? 'scripts/knowledge/kerasHubSources.json';
  const reviewedPath = values.reviewed ?? 'scripts/knowledge/reviewedFacts.json';
  const out = values.out ?? 'src/core/presets/kerasHubKnowledge.ts';
  const check = values.check ?? false;
  let manifest: Manifest;
  let reviewedText: string;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    reviewedText = readFileSync(reviewedPath, 'utf8');
  } catch (e) {
    throw new GenerateError(`${e instanceof Error ? e.message : String(e)}`, 2);
  }
  const reviewed = (JSON.parse(reviewedText) as { rows: ReviewedRow[] }).rows;

  let hubTree: SourceTree;
  let cvTree: SourceTree | null = null;
  let manifestChanged = false;
  if (values['from-git']) {
    const hub = enumerate(values['from-git'], manifest, check);
    manifest.releases = hub.releases;
    manifestChanged ||= hub.changed;
    hubTree = gitTree(values['from-git']);
    if (manifest.kerasCv) {
      if (!values['keras-cv-git']) throw new GenerateError(`the manifest lists ${manifest.kerasCv.repo} releases: give --keras-cv-git <clone> too`, 2);
      const cv = enumerate(values['keras-cv-git'], manifest.kerasCv, check);
      manifest.kerasCv.releases = cv.releases;
      manifestChanged ||= cv.changed;
      cvTree = gitTree(values['keras-cv-git']);
    }
  } else {
    hubTree = dirTree(values['from-dir'] as string);
    if (manifest.kerasCv) cvTree = hubTree;
  }
  const manifestText = manifestChanged ? `${JSON.stringify(manifest, null, 2)}\n` : readFileSync(manifestPath, 'utf8');

  const parser = await getPythonParser();
  let hubFacts: FileFacts[];
  let cvFacts: FileFacts[] = [];
  try {
    hubFacts = readReleases(hubTree, manifest.releases, hubPatterns(manifest.families), (p, t) => extractHub(parser, p, t));
    if (manifest.kerasCv && cvTree) cvFacts = readReleases(cvTree, manifest.kerasCv.releases, CV_PATTERNS, (p, t) => (p.endsWith('__init__.py') ? { exports: extractKerasCvModelExports(t, p.includes('/legacy/') ? 'legacy.' : '') } : { cvPresets: extractKerasCvPresets(parser, t) }));
  } catch (e) {
    throw new GenerateError(e instanceof Error ? e.message : String(e), 2);
  }
  const order = manifest.releases.map((r) => r.version);
  const cvOrder = (manifest.kerasCv?.releases ?? []).map((r) => r.version);
  const conversions = mergeConversions(order, hubFacts);
  const knowledge: KerasHubKnowledge = {
    repo: manifest.repo,
    manifestSha256: createHash('sha256').update(manifestText).digest('hex'),
    reviewedSha256: createHash('sha256').update(reviewedText).digest('hex'),
    reviewedSources: Object.fromEntries(reviewed.map((r) => [reviewedKey(r), r.source])),
    releases: manifest.releases,
    exports: mergeExports(order, hubFacts),
    presets: mergePresets(order, hubFacts, conversions, reviewed),
    converters: mergeClasses(order, hubFacts, 'converters'),
    backbones: mergeClasses(order, hubFacts, 'backbones'),
    conversions,
    kerasCv: { repo: manifest.kerasCv?.repo ?? '', releases: manifest.kerasCv?.releases ?? [], exports: mergeExports(cvOrder, cvFacts), presets: mergeKerasCvPresets(cvOrder, cvFacts) },
  };
  const rendered = renderKnowledge(knowledge);
  const summary = `${knowledge.exports.length} exports, ${knowledge.presets.length} presets, ${knowledge.converters.length} converters, ${knowledge.backbones.length} backbones, ${knowledge.conversions.length} conversion scripts, ${knowledge.kerasCv.exports.length} keras-cv exports, ${knowledge.kerasCv.presets.length} keras-cv presets from ${knowledge.releases.length} keras-hub and ${knowledge.kerasCv.releases.length} keras-cv versions`;
  return writeOrCheck({ out, rendered, summary, check, command: 'npm run kb:generate', manifest: { path: manifestPath, text: manifestText, changed: manifestChanged }, log });
}
