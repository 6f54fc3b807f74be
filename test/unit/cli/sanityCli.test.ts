import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fixturesRoot, flatten, maxAbsDiff, readExpected } from '../helpers/kerasFixtures';

const CLI = resolve('dist/cli.js');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function copyPreset(name = 'vit_tiny_cls'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vtd-cli-')), 'preset');
  cpSync(join(fixturesRoot(), name, 'preset'), dir, { recursive: true });
  return dir;
}

const images = (name = 'vit_tiny_cls') => join(fixturesRoot(), name, 'inputs');

/** A user-facing error: non-zero exit, names the file, no stack trace, no HDF5 dump. */
function assertCleanError(r: { code: number | null; stderr: string; stdout: string }, ...patterns: (string | RegExp)[]): void {
  assert.equal(r.code, 2, `exit code ${r.code}, stderr: ${r.stderr}`);
  assert.match(r.stderr, /^vit-doctor: error: /);
  for (const p of patterns) assert.match(r.stderr, typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'stack trace printed');
  assert.doesNotMatch(r.stderr + r.stdout, /HDF5-DIAG/);
}

describe('vit-doctor sanity', () => {
  it('--dump-tensors reproduces the fixture tensors for the images in the order given', () => {
    const exp = readExpected('vit_tiny_cls') as { batches: { native: Record<string, { shape: number[]; data: unknown[] } | { shape: number[]; data: unknown[] }[]> & { images: { file: string }[] } } };
    const files = exp.batches.native.images.map((i) => join(fixturesRoot(), 'vit_tiny_cls', i.file));
    const out = join(mkdtempSync(join(tmpdir(), 'vtd-dump-')), 'dump.json');
    const r = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--images', ...files, '--dump-tensors', out, '--backend', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    const dump = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { shape: number[]; data: number[] } | { shape: number[]; data: number[] }[]>;
    for (const key of ['preprocessed', 'embeddings', 'backbone_output', 'pooled', 'logits', 'probabilities']) {
      const e = exp.batches.native[key] as { shape: number[]; data: unknown[] };
      const d = dump[key] as { shape: number[]; data: number[] };
      assert.deepEqual(d.shape, e.shape, key);
      assert.ok(maxAbsDiff(d.data, flatten(e.data)).max < 5e-5, key);
    }
    const blocks = dump.encoder_block_outputs as { shape: number[]; data: number[] }[];
    assert.equal(blocks.length, 2);
    assert.ok(maxAbsDiff(blocks[1]!.data, flatten((exp.batches.native.encoder_block_outputs as { data: unknown[] }[])[1]!.data)).max < 5e-5);
  });

  it('a folder with a half-written image and non-image files: they are skipped and listed, the rest runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-img-'));
    cpSync(images(), dir, { recursive: true });
    writeFileSync(join(dir, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    writeFileSync(join(dir, 'README.txt'), 'about these images');
    const r = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--images', dir, '--batch', '16', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    const skipped = new Map(rep.skipped.map((s: { file: string; reason: string }) => [s.file, s.reason]));
    assert.match(String(skipped.get(join(dir, 'broken.png'))), /cannot be decoded/);
    assert.match(String(skipped.get(join(dir, 'README.txt'))), /not an image file/);
    assert.ok(rep.images.length > 0 && rep.images.every((i: { file: string }) => !i.file.endsWith('broken.png')));
    const text = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), dir, '--batch=16']);
    assert.match(text.stdout, /Skipped files \(2\)/);
  });

  it('--json prints the documented report fields and the backend used', () => {
    const r = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_nocls', 'preset'), '--images', images('vit_tiny_nocls'), '--json', '--preprocessing', 'rescale', '--pooling', 'token']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    for (const k of ['preset', 'backend', 'images', 'stages', 'inputStats', 'findings', 'timings']) assert.ok(k in rep, k);
    assert.equal(rep.preset.useClassToken, false);
    // auto picks ONNX Runtime for forward-only work, and says so.
    assert.equal(rep.backend.name, 'onnx');
    assert.ok(rep.backend.notes.length > 0, 'the report says why this backend was used');
    const codes = rep.findings.map((f: { code: string }) => f.code);
    assert.ok(codes.includes('SAN002'), `rescale-only not found in ${codes}`);
    assert.ok(codes.includes('SAN004'), `CLS slice without class token not found in ${codes}`);
    const tokens = rep.stages.find((s: { id: string }) => s.id === 'tokens');
    assert.deepEqual(tokens.shape, [8, 16, 16]);
  });

  it('a correct pipeline has no findings; raw pixels are found with the fix', () => {
    const ok = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--images', images(), '--json']);
    assert.deepEqual(JSON.parse(ok.stdout).findings, []);
    const raw = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--images', images(), '--preprocessing', 'none']);
    assert.equal(raw.code, 0);
    assert.match(raw.stdout, /SAN001 raw-pixels/);
    assert.match(raw.stdout, /ImageConverter\.from_preset/);
  });

  it('--fail-on warning exits 1 when a warning is found', () => {
    const r = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--images', images(), '--preprocessing', 'imagenet', '--fail-on', 'warning']);
    assert.equal(r.code, 1);
  });

  describe('bad input gets a clear error', () => {
    it('missing config.json', () => {
      const d = mkdtempSync(join(tmpdir(), 'vtd-empty-'));
      assertCleanError(run(['sanity', '--preset', d, '--images', images()]), join(d, 'config.json'), 'missing');
    });
    it('malformed config.json', () => {
      const d = copyPreset();
      writeFileSync(join(d, 'config.json'), '{"class_name": "ViTBackbone", "config": {');
      assertCleanError(run(['sanity', '--preset', d, '--images', images()]), join(d, 'config.json'), 'not valid JSON');
    });
    it('unsupported backbone class', () => {
      const d = copyPreset();
      const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
      cfg.class_name = 'ResNetBackbone';
      writeFileSync(join(d, 'config.json'), JSON.stringify(cfg));
      assertCleanError(run(['sanity', '--preset', d, '--images', images()]), 'ResNetBackbone', 'not supported');
    });
    it('truncated weights file', () => {
      const d = copyPreset();
      const f = join(d, 'model.weights.h5');
      truncateSync(f, Math.floor(statSync(f).size / 2));
      assertCleanError(run(['sanity', '--preset', d, '--images', images()]), f, /truncated|cannot be opened/);
    });
    it('weights with bytes inserted inside (a damaged object header): libhdf5\'s own report is folded into the message, not printed', () => {
      for (const backend of ['auto', 'cpu']) {
        const d = copyPreset();
        const f = join(d, 'model.weights.h5');
        const b = readFileSync(f);
        const at = Math.min(94382, b.length - 16);
        writeFileSync(f, Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 23 }, (_, i) => (i * 97 + 13) % 256)), b.subarray(at)]));
        assertCleanError(run(['sanity', '--preset', d, '--images', images(), '--backend', backend]), f, /damaged|truncated|cannot be opened/);
      }
    });
    it('weights file that is not HDF5', () => {
      const d = copyPreset();
      writeFileSync(join(d, 'model.weights.h5'), 'version https://git-lfs.github.com/spec/v1\n');
      assertCleanError(run(['sanity', '--preset', d, '--images', images()]), 'not an HDF5 file');
    });
    it('weights with the wrong dataset shape', () => {
      const d = copyPreset();
      const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
      cfg.config.mlp_dim = 64;
      writeFileSync(join(d, 'config.json'), JSON.stringify(cfg));
      assertCleanError(run(['sanity', '--preset', d, '--images', images()]), 'mlp/dense_1/vars/0', 'has shape [16, 32] but config.json implies [16, 64]');
    });
    it('weights missing a variable the config needs', () => {
      const d = copyPreset('vit_tiny_nocls');
      const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
      cfg.config.use_class_token = true;
      writeFileSync(join(d, 'config.json'), JSON.stringify(cfg));
      assertCleanError(run(['sanity', '--preset', d, '--images', images()]), 'missing variable', 'class token');
    });
    it('an image that cannot be decoded, given by name', () => {
      const dir = mkdtempSync(join(tmpdir(), 'vtd-img-'));
      writeFileSync(join(dir, 'broken.png'), 'not really a png');
      assertCleanError(run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--images', join(dir, 'broken.png')]), join(dir, 'broken.png'), 'cannot be decoded');
    });
    it('an empty images folder', () => {
      const dir = mkdtempSync(join(tmpdir(), 'vtd-noimg-'));
      mkdirSync(join(dir, 'sub'));
      assertCleanError(run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--images', dir]), dir, 'contains no image files');
    });
    it('a preset name that is not in the cache', () => {
      const cache = mkdtempSync(join(tmpdir(), 'vtd-kh-'));
      assertCleanError(run(['sanity', '--preset', 'vit_base_patch16_224_imagenet', '--images', images()], { KAGGLEHUB_CACHE: cache }), 'was not found', 'Looked in', 'from_preset');
    });
    it('a labels folder that does not exist', () => {
      const r = run(['sanity', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--labels', '/no/such/labels']);
      assertCleanError(r, '/no/such/labels', 'one sub-folder per class');
    });
    it('training data with a single class', () => {
      const d = mkdtempSync(join(tmpdir(), 'vtd-one-'));
      mkdirSync(join(d, 'only'));
      cpSync(join(images(), 'native_0_random.png'), join(d, 'only', 'a.png'));
      const r = run(['train', '--preset', join(fixturesRoot(), 'vit_tiny_cls', 'preset'), '--data', d]);
      assertCleanError(r, d, 'at least two class sub-folders');
    });
    it('an unknown option', () => {
      const r = run(['sanity', '--preset', 'x', '--imgs', 'y']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Unknown option '--imgs'/);
    });
  });
});
