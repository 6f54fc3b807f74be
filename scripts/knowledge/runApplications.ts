import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getPythonParser } from '../../src/core/lint/pythonSource';
import type { ApplicationModelFacts, KerasApplicationsKnowledge } from '../../src/core/presets/kerasApplicationsKnowledgeTypes';
import type { KnowledgeRelease } from '../../src/core/presets/kerasHubKnowledgeTypes';
import { mergeModels, moduleOf, modelsOfRelease } from './buildApplications';
import { extractApplicationsFile, type ApplicationsFile } from './extractApplications';
import { listReleases } from './gitHistory';
import { gitTree } from './readSources';
import { renderApplications } from './renderApplications';
import { GenerateError } from './runGenerate';
import { writeOrCheck } from './writeOrCheck';

export const APPLICATIONS_USAGE = 'npm run kb:applications -- --keras-git KERAS_CLONE --tf-keras-git TF_KERAS_CLONE [--check] [--manifest FILE] [--out FILE]\n';

interface AppsRepoManifest {
  repo: string;
  /** The clone option that gives this repository (keras-git, tf-keras-git). */
  option: 'keras-git' | 'tf-keras-git';
  minRelease: string;
  lastPatchOnly?: boolean;
  releases: KnowledgeRelease[];
}

interface AppsManifest {
  about?: string;
  repos: AppsRepoManifest[];
}

/** Module files of keras.applications at a commit: keras/applications (2.x), keras/src/applications (3.x), tf_keras. */
const FILES = [/^(?:keras|tf_keras)\/(?:src\/)?applications\/(?!__init__)[a-z0-9_]+(?<!_test)(?<!_util)\.py$/];

/**
 * Generates src/core/presets/kerasApplicationsKnowledge.ts from keras and tf-keras clones (release tags re-listed into
 * the manifest; with --check a stale manifest or output is a difference). Exit codes as kb:generate: 0, 1, 2.
 */
export async function runApplications(argv: string[], log: (line: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'keras-git': { type: 'string' }, 'tf-keras-git': { type: 'string' }, check: { type: 'boolean' }, manifest: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (e) {
    throw new GenerateError(`${e instanceof Error ? e.message : String(e)}\n${APPLICATIONS_USAGE}`, 2);
  }
  if (values.help) {
    log(APPLICATIONS_USAGE);
    return 0;
  }
  const manifestPath = values.manifest ?? 'scripts/knowledge/kerasApplicationsSources.json';
  const out = values.out ?? 'src/core/presets/kerasApplicationsKnowledge.ts';
  const check = values.check ?? false;
  let manifest: AppsManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as AppsManifest;
  } catch (e) {
    throw new GenerateError(`${manifestPath}: ${e instanceof Error ? e.message : String(e)}`, 2);
  }
  const parser = await getPythonParser();
  let changed = false;
  const models: KerasApplicationsKnowledge['models'] = [];
  for (const m of manifest.repos) {
    const clone = values[m.option];
    if (!clone) throw new GenerateError(`the manifest lists ${m.repo}: give --${m.option} <clone>\n${APPLICATIONS_USAGE}`, 2);
    let releases: KnowledgeRelease[];
    try {
      releases = listReleases(clone, { minVersion: m.minRelease, ...(m.lastPatchOnly ? { lastPatchOnly: true } : {}) });
    } catch (e) {
      throw new GenerateError(`${clone}: cannot list the releases of ${m.repo} (${(e as { stderr?: string }).stderr?.toString().trim() || String(e)})`, 2);
    }
    if (JSON.stringify(releases) !== JSON.stringify(m.releases)) {
      if (check) throw new GenerateError(`the manifest's ${m.repo} releases are stale (the clone has ${releases.map((r) => r.tag).join(', ')}); run npm run kb:applications and commit the result`, 1);
      m.releases = releases;
      changed = true;
    }
    const tree = gitTree(clone);
    const cache = new Map<string, ApplicationsFile>();
    const perRelease = new Map<string, ApplicationModelFacts[]>();
    try {
      for (const r of releases) {
        const files = new Map<string, ApplicationsFile>();
        for (const { path, id } of tree.list(r.commit, FILES)) {
          let f = cache.get(id);
          if (!f) {
            try {
              f = extractApplicationsFile(parser, tree.read(r.commit, path, id));
            } catch (e) {
              throw new Error(`${m.repo} ${path}@${r.tag}: ${e instanceof Error ? e.message : String(e)}`);
            }
            cache.set(id, f);
          }
          files.set(moduleOf(path), f);
        }
        perRelease.set(r.version, modelsOfRelease(files));
      }
    } catch (e) {
      throw new GenerateError(e instanceof Error ? e.message : String(e), 2);
    }
    models.push(...mergeModels(m.repo, releases.map((r) => r.version), perRelease));
  }
  const manifestText = changed ? `${JSON.stringify(manifest, null, 2)}\n` : readFileSync(manifestPath, 'utf8');
  const knowledge: KerasApplicationsKnowledge = {
    manifestSha256: createHash('sha256').update(manifestText).digest('hex'),
    repos: manifest.repos.map((r) => ({ repo: r.repo, releases: r.releases })),
    models,
  };
  const rendered = renderApplications(knowledge);
  const summary = `${models.length} model facts (${new Set(models.map((x) => x.name)).size} models) from ${manifest.repos.map((r) => `${r.releases.length} ${r.repo} releases`).join(' and ')}`;
  return writeOrCheck({ out, rendered, summary, check, command: 'npm run kb:applications', manifest: { path: manifestPath, text: manifestText, changed: changed }, log });
}
