import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import * as h5wasm from 'h5wasm/node';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { UserError } from '../../../../src/core/userError';
import { mapViTBackboneWeights } from '../../../../src/engine/models/vit/vitWeights';
import { readH5Weights } from '../../../../src/engine/weights/h5Reader';
import { fixturesRoot } from '../../helpers/kerasFixtures';

const PRESET = join(fixturesRoot(), 'vit_tiny_cls', 'preset');
const IMAGES = join(fixturesRoot(), 'vit_tiny_cls', 'inputs');
const CLI = resolve('dist/cli.js');
const PATCH = 'layers/vi_t_patching_and_embedding/patch_embedding/vars/0';
const QUERY = 'layers/vi_t_encoder/encoder_layers/vi_t_encoder_block/mha/query_dense/vars/0';

type Replacement = { dtype: string; data: (n: number) => unknown };
const AS: Record<string, Replacement> = {
  int8: { dtype: '|b', data: (n) => new Int8Array(n).fill(3) },
  int32: { dtype: '<i', data: (n) => new Int32Array(n).fill(7) },
  string: { dtype: 'S8', data: (n) => Array.from({ length: n }, () => 'weight') },
};

/** The tiny preset with one dataset of model.weights.h5 rewritten in another dtype (the rest float32, same layout). */
async function presetWithDataset(path: string, as: Replacement): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'vtd-udt-')), 'preset');
  cpSync(PRESET, dir, { recursive: true });
  const weights = await readH5Weights(join(PRESET, 'model.weights.h5'));
  const file = join(dir, 'model.weights.h5');
  const out = new h5wasm.File(file, 'w');
  try {
    for (const [key, w] of weights) {
      const parts = key.split('/');
      for (let i = 1; i < parts.length; i++) {
        const g = parts.slice(0, i).join('/');
        if (!out.get(g)) out.create_group(g);
      }
      const n = w.data.length;
      if (key === path) out.create_dataset({ name: key, data: as.data(n) as Int8Array, shape: w.shape, dtype: as.dtype });
      else out.create_dataset({ name: key, data: w.data, shape: w.shape, dtype: '<f' });
    }
  } finally {
    out.close();
  }
  return dir;
}

describe('weights of an unsupported dtype name the dataset and its dtype', () => {
  for (const [name, as] of Object.entries(AS)) {
    it(`a query kernel stored as ${name}`, async () => {
      await h5wasm.ready;
      const dir = await presetWithDataset(QUERY, as);
      const p = loadPresetDir(dir);
      const w = await readH5Weights(p.weightsFile);
      assert.throws(() => mapViTBackboneWeights(p.backbone, w, p.weightsFile), (e: unknown) =>
        e instanceof UserError && e.wire.code === 'E_WEIGHTS_DTYPE' && e.message.startsWith(`${p.weightsFile}: `) && e.message.includes(QUERY) && e.message.includes(`stored as ${name === 'string' ? 'string' : name}`));
    });
  }
  it('the patch-embedding kernel stored as int8 is an int8 error, not "no patch-embedding kernel found: the file is damaged"', async () => {
    await h5wasm.ready;
    const dir = await presetWithDataset(PATCH, AS.int8!);
    const p = loadPresetDir(dir);
    const w = await readH5Weights(p.weightsFile);
    assert.throws(() => mapViTBackboneWeights(p.backbone, w, p.weightsFile), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.wire.code, 'E_WEIGHTS_DTYPE', e.message);
      assert.match(e.message, /patch_embedding\/vars\/0.*stored as int8/);
      assert.doesNotMatch(e.message, /damaged/);
      return true;
    });
  });
  it('CLI: the int32 patch kernel exits 2 with the dataset, the dtype and a hint', async () => {
    await h5wasm.ready;
    const dir = await presetWithDataset(PATCH, AS.int32!);
    const r = spawnSync(process.execPath, [CLI, 'sanity', '--preset', dir, IMAGES], { encoding: 'utf8', env: { ...process.env, VIT_DOCTOR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'vtd-udc-')) } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^vit-doctor: error: .*model\.weights\.h5: dataset ".*patch_embedding\/vars\/0" .* is stored as int32/);
    assert.match(r.stderr, /hint: /);
  });
});
