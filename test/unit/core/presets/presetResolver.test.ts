import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolvePreset } from '../../../../src/core/presets/presetResolver';

function cacheWith(versions: number[]): string {
  const root = mkdtempSync(join(tmpdir(), 'vtd-cache-'));
  for (const v of versions) {
    const d = join(root, 'models', 'keras', 'vit', 'keras', 'vit_base_patch16_224_imagenet', String(v));
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'config.json'), '{}');
  }
  return root;
}

describe('resolvePreset', () => {
  it('a bare name resolves to the newest version in $KAGGLEHUB_CACHE', () => {
    const root = cacheWith([2, 4, 3]);
    const r = resolvePreset('vit_base_patch16_224_imagenet', { env: { KAGGLEHUB_CACHE: root } });
    assert.equal(r.source, 'kagglehub-cache');
    assert.equal(r.version, 4);
    assert.ok(r.dir.endsWith(join('vit_base_patch16_224_imagenet', '4')));
  });
  it('a kaggle:// handle with a version picks that version', () => {
    const root = cacheWith([2, 4]);
    const r = resolvePreset('kaggle://keras/vit/keras/vit_base_patch16_224_imagenet/2', { env: { KAGGLEHUB_CACHE: root } });
    assert.equal(r.version, 2);
  });
  it('defaults to ~/.cache/kagglehub', () => {
    const home = mkdtempSync(join(tmpdir(), 'vtd-home-'));
    const d = join(home, '.cache', 'kagglehub', 'models', 'keras', 'vit', 'keras', 'vit_base_patch16_224_imagenet', '4');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'config.json'), '{}');
    assert.equal(resolvePreset('vit_base_patch16_224_imagenet', { env: {}, home }).dir, d);
  });
  it('a directory is used as is', () => {
    const d = mkdtempSync(join(tmpdir(), 'vtd-dir-'));
    assert.equal(resolvePreset(d).source, 'directory');
  });
  it('not found: lists every place looked at and how to download', () => {
    const root = cacheWith([]);
    assert.throws(
      () => resolvePreset('vit_large_patch16_224_imagenet21k', { env: { KAGGLEHUB_CACHE: root }, cwd: root }),
      (e: Error & { wire?: { hint?: string } }) => {
        assert.match(e.message, /was not found\. Looked in:/);
        assert.match(e.message, /vit_large_patch16_224_imagenet21k/);
        assert.match(e.message, new RegExp(join('models', 'keras', 'vit', 'keras').replace(/\\/g, '\\\\')));
        assert.match(e.wire!.hint!, /keras_hub\.models\.Backbone\.from_preset\("vit_large_patch16_224_imagenet21k"\)/);
        return true;
      },
    );
  });
  it('rejects other schemes clearly', () => {
    assert.throws(() => resolvePreset('hf://keras/vit'), /only directories, kaggle:\/\//);
  });
});
