/**
 * Generates src/core/presets/kerasHubKnowledge.ts from the keras-hub file versions listed in
 * scripts/knowledge/kerasHubSources.json. Usage (see scripts/knowledge/README.md):
 *   npm run kb:generate -- [--from-dir DIR | --from-git CLONE | --fetch] [--check] [--out FILE]
 * Exit codes: 0 written (or --check: up to date), 1 --check found a difference, 2 bad arguments or unreadable sources.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getPythonParser } from '../../src/core/lint/pythonSource';
import type { KerasHubKnowledge, KnowledgeSource } from '../../src/core/presets/kerasHubKnowledgeTypes';
import { mergeConverters, mergeExports, mergePresets, type FileFacts } from './buildKnowledge';
import { extractConverters } from './extractConverters';
import { extractApiExports, extractDecoratorExports } from './extractExports';
import { extractPresets } from './extractPresets';
import { dirReader, fetchInto, gitReader, type Manifest, type SourceReader } from './readSources';
import { renderKnowledge } from './renderKnowledge';

const MANIFEST = 'scripts/knowledge/kerasHubSources.json';
const OUT = 'src/core/presets/kerasHubKnowledge.ts';
const CACHE = '.cache/keras-hub-sources';

function fail(message: string, code = 2): never {
  process.stderr.write(`kb:generate: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'from-dir': { type: 'string' }, 'from-git': { type: 'string' }, fetch: { type: 'boolean' }, check: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write('npm run kb:generate -- [--from-dir DIR | --from-git CLONE | --fetch] [--check] [--out FILE]\n');
    return;
  }
  const manifestText = readFileSync(MANIFEST, 'utf8');
  const manifest = JSON.parse(manifestText) as Manifest;
  const dir = values['from-dir'] ?? CACHE;
  if (values.fetch) await fetchInto(dir, manifest);
  const read: SourceReader = values['from-git'] ? gitReader(values['from-git']) : dirReader(dir);
  const parser = await getPythonParser();

  const countOf = new Map<string, number>();
  for (const f of manifest.files) countOf.set(f.path, (countOf.get(f.path) ?? 0) + 1);
  const indexOf = new Map<string, number>();
  const facts: FileFacts[] = manifest.files.map((f) => {
    const version = indexOf.get(f.path) ?? 0;
    indexOf.set(f.path, version + 1);
    const source: KnowledgeSource = { path: f.path, commit: f.commit, version, versions: countOf.get(f.path) as number, ...(f.note ? { note: f.note } : {}) };
    const text = read(f);
    const api = /^keras_hub\/api\/(models|layers)\/__init__\.py$/.exec(f.path);
    if (api) return { source, exports: extractApiExports(text, api[1] as 'models' | 'layers').exports, presets: [], converters: [] };
    if (f.path.endsWith('_presets.py')) return { source, exports: [], presets: extractPresets(parser, text), converters: [] };
    const module = f.path.replace(/\.py$/, '').replace(/\//g, '.');
    return { source, exports: extractDecoratorExports(text, module), presets: [], converters: extractConverters(parser, text) };
  });

  const knowledge: KerasHubKnowledge = {
    repo: manifest.repo,
    manifestSha256: createHash('sha256').update(manifestText).digest('hex'),
    sources: facts.map((f) => f.source),
    exports: mergeExports(facts),
    presets: mergePresets(facts),
    converters: mergeConverters(facts),
  };
  const rendered = renderKnowledge(knowledge);
  const out = values.out ?? OUT;
  if (values.check) {
    let committed = '';
    try {
      committed = readFileSync(out, 'utf8');
    } catch {
      /* missing: differs */
    }
    if (committed !== rendered) fail(`${out} is not what the sources give: run npm run kb:generate and commit the result`, 1);
    process.stdout.write(`${out} is up to date (${knowledge.exports.length} exports, ${knowledge.presets.length} presets).\n`);
    return;
  }
  writeFileSync(out, rendered);
  process.stdout.write(`wrote ${out}: ${knowledge.exports.length} exports, ${knowledge.presets.length} presets, ${knowledge.converters.length} converters from ${facts.length} file versions\n`);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
