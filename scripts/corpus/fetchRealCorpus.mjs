#!/usr/bin/env node
// Fetches the real lint corpus (test/corpus-real/labels.json, and projectFiles.json) into .cache/corpus-real/files/<owner>/<name>/<path>, each
// file from raw.githubusercontent.com at its labelled commit, and keeps it only when its sha256 matches the label file.
// The texts are public but of unknown licence, so they stay out of the repo. `--verify` only checks what is cached.
// Usage: node scripts/corpus/fetchRealCorpus.mjs [--verify]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const labels = JSON.parse(readFileSync(join(root, 'test/corpus-real/labels.json'), 'utf8'));
// files of a corpus file's repository that tell the linter about its project (a fork's own keras_cv/ package)
const projectFiles = JSON.parse(readFileSync(join(root, 'test/corpus-real/projectFiles.json'), 'utf8')).files;
const cache = join(root, '.cache/corpus-real/files');
const verifyOnly = process.argv.includes('--verify');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

let ok = 0;
let fetched = 0;
const failed = [];
for (const f of [...labels.files, ...projectFiles]) {
  const dest = join(cache, f.repo, f.path);
  if (existsSync(dest) && sha256(readFileSync(dest)) === f.sha256) {
    ok++;
    continue;
  }
  if (verifyOnly) {
    failed.push(`${f.repo}/${f.path}: ${existsSync(dest) ? 'sha256 differs' : 'not cached'}`);
    continue;
  }
  const url = `https://raw.githubusercontent.com/${f.repo}/${f.commit}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const buf = Buffer.from(await res.arrayBuffer());
    if (sha256(buf) !== f.sha256) throw new Error('sha256 differs from the label file');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, buf);
    fetched++;
    ok++;
  } catch (e) {
    failed.push(`${f.repo}/${f.path}: ${e.message} (${url})`);
  }
}
process.stdout.write(`${ok} of ${labels.files.length + projectFiles.length} corpus and project files in ${cache} (${fetched} fetched now)\n`);
for (const x of failed) process.stdout.write(`  missing: ${x}\n`);
process.exitCode = failed.length ? 1 : 0;
