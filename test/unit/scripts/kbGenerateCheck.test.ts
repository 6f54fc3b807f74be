import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GenerateError, runGenerate } from '../../../scripts/knowledge/runGenerate';

// A hand-written keras-hub history in a throw-away git repository: two releases, then a third tag appears.
const root = mkdtempSync(join(tmpdir(), 'vtd-kb-'));
const repo = join(root, 'hub');
const git = (...args: string[]): string => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const write = (path: string, text: string): void => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const presets = (names: string[]): string =>
  `backbone_presets = {\n${names.map((n) => `    "${n}": {"metadata": {"description": "toy", "params": 7, "path": "toy"}, "kaggle_handle": "kaggle://keras/toy/keras/${n}/1"},\n`).join('')}}\n`;
const api = (names: string[]): string => names.map((n) => `from keras_hub.src.models.toy.toy_backbone import ${n} as ${n}\n`).join('');
const commitTag = (tag: string | null, files: Record<string, string>): void => {
  for (const [p, t] of Object.entries(files)) write(p, t);
  git('add', '-A');
  git('commit', '-q', '-m', tag ?? 'work');
  if (tag) git('tag', tag);
};

mkdirSync(repo, { recursive: true });
git('init', '-q');
git('symbolic-ref', 'HEAD', 'refs/heads/master');
commitTag('v0.17.0', { 'keras_hub/api/models/__init__.py': api(['ToyBackbone']), 'keras_hub/api/layers/__init__.py': '', 'keras_hub/src/models/toy/toy_presets.py': presets(['toy-old']) });
commitTag('v0.18.0', { 'keras_hub/src/models/toy/toy_presets.py': presets(['toy-old']) + '# 0.18\n' });
commitTag('v0.18.1.dev0', { 'keras_hub/api/models/__init__.py': api(['ToyBackbone', 'ToyImageConverterX']) });
commitTag('v0.19.0', { 'keras_hub/src/models/toy/toy_presets.py': presets(['toy_new']), 'keras_hub/api/models/__init__.py': api(['ToyBackbone', 'ToyClassifier']) });

const manifestPath = join(root, 'manifest.json');
const reviewedPath = join(root, 'reviewed.json');
const out = join(root, 'knowledge.ts');
writeFileSync(manifestPath, `${JSON.stringify({ repo: 'toy/hub', minRelease: '0.18.0', mainBranch: 'master', families: ['toy'], releases: [] }, null, 2)}\n`);
writeFileSync(reviewedPath, '{"rows": []}\n');
const args = (...extra: string[]): string[] => ['--from-git', repo, '--manifest', manifestPath, '--reviewed', reviewedPath, '--out', out, ...extra];
const run = async (...extra: string[]): Promise<{ code: number; lines: string[] }> => {
  const lines: string[] = [];
  try {
    return { code: await runGenerate(args(...extra), (l) => lines.push(l)), lines };
  } catch (e) {
    if (e instanceof GenerateError) return { code: e.code, lines: [e.message] };
    throw e;
  }
};

after(() => rmSync(root, { recursive: true, force: true }));

describe('kb:generate from a clone: tag enumeration and --check', () => {
  it('lists the release tags from the minimum (no dev tags) plus main, writes them to the manifest and generates', async () => {
    assert.equal((await run('--check')).code, 1, 'an empty release list is stale');
    const first = await run();
    assert.equal(first.code, 0, first.lines.join('\n'));
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { releases: { version: string; tag: string }[] };
    assert.deepEqual(manifest.releases.map((r) => `${r.version}=${r.tag}`), ['0.18.0=v0.18.0', '0.19.0=v0.19.0', 'main=master']);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /"name":"toy-old".*"history":"0\.18\.0; removed in 0\.19\.0".*"renamedTo":"toy_new","renamedIn":"0\.19\.0"/);
    assert.match(text, /"name":"ToyClassifier".*"history":"since 0\.19\.0"/);
    assert.doesNotMatch(text, /ToyImageConverterX/, 'a dev tag is not a release');
  });

  it('--check passes when nothing changed, fails on a new release tag or an edited output, and never writes', async () => {
    assert.equal((await run('--check')).code, 0);
    commitTag('v0.20.0', { 'keras_hub/src/models/toy/toy_presets.py': presets(['toy_new', 'toy_more']) });
    const stale = await run('--check');
    assert.equal(stale.code, 1);
    assert.match(stale.lines[0] ?? '', /stale: the clone has v0\.20\.0@/);
    assert.doesNotMatch(readFileSync(out, 'utf8'), /toy_more/);
    assert.equal((await run()).code, 0);
    assert.match(readFileSync(out, 'utf8'), /"name":"toy_more"/);
    writeFileSync(out, readFileSync(out, 'utf8').replace('toy_more', 'toy_moar'));
    const edited = await run('--check');
    assert.deepEqual([edited.code, /is not what the sources give/.test(edited.lines[0] ?? '')], [1, true]);
  });

  it('--from-dir (files laid out as DIR/<commit>/<path>) gives the same file as the clone', async () => {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { releases: { commit: string }[] };
    const dir = join(root, 'layout');
    for (const { commit } of manifest.releases) {
      mkdirSync(join(dir, commit), { recursive: true });
      execFileSync('sh', ['-c', `git -C "${repo}" archive ${commit} | tar -x -C "${join(dir, commit)}"`]);
    }
    const fromDirOut = join(root, 'fromDir.ts');
    const code = await runGenerate(['--from-dir', dir, '--manifest', manifestPath, '--reviewed', reviewedPath, '--out', fromDirOut], () => undefined);
    assert.equal(code, 0);
    assert.equal(readFileSync(fromDirOut, 'utf8'), readFileSync(out, 'utf8').replace('toy_moar', 'toy_more'));
  });

  it('bad arguments and unreadable clones are exit code 2', async () => {
    assert.equal((await run('--bogus')).code, 2);
    const lines: string[] = [];
    await assert.rejects(runGenerate(['--from-git', join(root, 'nope'), '--manifest', manifestPath, '--reviewed', reviewedPath, '--out', out], (l) => lines.push(l)), (e: unknown) => e instanceof GenerateError && e.code === 2);
  });
});
