import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fixturesRoot } from '../helpers/kerasFixtures';

const CLI = resolve('dist/cli.js');
const PRESET = join(fixturesRoot(), 'vit_tiny_cls', 'preset');
const IMAGES = join(fixturesRoot(), 'vit_tiny_cls', 'inputs');
const cache = mkdtempSync(join(tmpdir(), 'vtd-fsn-cache-'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, VIT_DOCTOR_CACHE_DIR: cache }, timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Exit 2, "vit-doctor: error: <path>: <problem>", a hint, and no raw Node error code or stack trace. */
function assertNamed(r: { code: number | null; stderr: string }, path: string, problem: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^vit-doctor: error: ${esc(path)}: `));
  assert.match(r.stderr, problem);
  assert.match(r.stderr, /\n {2}hint: /);
  assert.doesNotMatch(r.stderr, /\b(EISDIR|ENOENT|EACCES|ENOTDIR|ELOOP|EMFILE)\b/);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
}

function presetCopy(): string {
  const d = join(mkdtempSync(join(tmpdir(), 'vtd-fsn-')), 'preset');
  cpSync(PRESET, d, { recursive: true });
  return d;
}

describe('file-system errors name the path and the problem (CLI, exit 2)', () => {
  const root = mkdtempSync(join(tmpdir(), 'vtd-fsn-root-'));
  const aFile = join(root, 'a-file');
  writeFileSync(aFile, 'x');

  it('model.weights.h5 that is a folder', () => {
    const d = presetCopy();
    const w = join(d, 'model.weights.h5');
    rmSync(w);
    mkdirSync(w);
    assertNamed(run(['sanity', '--preset', d, IMAGES]), w, /cannot read the weights file: it is a folder, not a file/);
  });
  it('model.weights.h5 behind a broken path component (a link into a file)', () => {
    const d = presetCopy();
    const w = join(d, 'model.weights.h5');
    rmSync(w);
    symlinkSync(join(aFile, 'model.weights.h5'), w);
    assertNamed(run(['sanity', '--preset', d, IMAGES]), w, new RegExp(`${esc(aFile)} is a file, not a folder`));
  });
  it('a preset path through a file', () => {
    const p = join(aFile, 'preset');
    assertNamed(run(['sanity', '--preset', p, IMAGES]), p, new RegExp(`cannot read the preset folder: ${esc(aFile)} is a file, not a folder`));
  });
  it('a preset folder that is a symbolic link loop', () => {
    const a = join(root, 'loop-a');
    symlinkSync(join(root, 'loop-b'), a);
    symlinkSync(a, join(root, 'loop-b'));
    assertNamed(run(['sanity', '--preset', a, IMAGES]), a, /link loop/);
  });
  it('an image path through a file, and --labels that is a file', () => {
    const img = join(aFile, 'x.png');
    assertNamed(run(['sanity', '--preset', PRESET, img]), img, /is a file, not a folder/);
    assertNamed(run(['sanity', '--preset', PRESET, IMAGES, '--labels', aFile]), aFile, /cannot list the class folders: it is a file, not a folder/);
  });
  it('an image that is a folder named like an image, among good ones, is searched as a folder (no error)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-fsn-img-'));
    cpSync(IMAGES, dir, { recursive: true });
    mkdirSync(join(dir, 'folder.png'));
    assert.equal(run(['sanity', '--preset', PRESET, dir]).code, 0);
  });
  it('--dump-tensors into a path through a file', () => {
    const out = join(aFile, 'dump.json');
    assertNamed(run(['sanity', '--preset', PRESET, IMAGES, '--dump-tensors', out]), out, /cannot write the tensor dump \(--dump-tensors\): .* is a file, not a folder/);
  });
  it('train --out into a path through a file', () => {
    const data = mkdtempSync(join(tmpdir(), 'vtd-fsn-data-'));
    for (const c of ['a', 'b']) cpSync(IMAGES, join(data, c), { recursive: true });
    const out = join(aFile, 'trained');
    assertNamed(run(['train', '--preset', PRESET, '--data', data, '--epochs', '1', '--out', out]), out, /cannot (create|list) the output folder: .*is a file, not a folder/);
  });
  it('lint: a path through a file, and a dangling link inside a folder is skipped', () => {
    const p = join(aFile, 'train.py');
    assertNamed(run(['lint', p]), p, /is a file, not a folder/);
    const dir = mkdtempSync(join(tmpdir(), 'vtd-fsn-py-'));
    writeFileSync(join(dir, 'ok.py'), 'x = 1\n');
    symlinkSync(join(dir, 'gone.py'), join(dir, 'dangling.py'));
    const r = run(['lint', dir]);
    assert.equal(r.code, 0, r.stderr);
  });
});
