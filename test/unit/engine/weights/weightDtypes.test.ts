import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../../../src/core/userError';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { halfToFloat } from '../../../../src/engine/weights/h5Dtypes';
import { readH5Weights } from '../../../../src/engine/weights/h5Reader';
import { mapViTBackboneWeights } from '../../../../src/engine/models/vit/vitWeights';
import { fixturesRoot } from '../../helpers/kerasFixtures';

const DTYPES = resolve('test', 'fixtures', 'weights-dtypes');
const PRESET = join(fixturesRoot(), 'vit_tiny_cls', 'preset');
const IMAGES = join(fixturesRoot(), 'vit_tiny_cls', 'inputs');
const CLI = resolve('dist/cli.js');

function presetWith(weights: string): string {
  const d = join(mkdtempSync(join(tmpdir(), 'vtd-dt-')), 'preset');
  cpSync(PRESET, d, { recursive: true });
  copyFileSync(join(DTYPES, weights), join(d, 'model.weights.h5'));
  return d;
}

const cli = (args: string[], cache: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, VIT_DOCTOR_CACHE_DIR: cache } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('weights stored in other dtypes', () => {
  it('IEEE half decoding: normals, subnormals, infinities, NaN', () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0xfc00), -Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  });
  for (const [kind, rel] of [['float16', 2 ** -11], ['bfloat16', 2 ** -8]] as const) {
    it(`${kind} (as Keras saves it) is widened to float32: every value within the format's rounding of the original`, async () => {
      const orig = await readH5Weights(join(PRESET, 'model.weights.h5'));
      const half = await readH5Weights(join(DTYPES, `${kind}.weights.h5`));
      assert.deepEqual([...half.keys()].sort(), [...orig.keys()].sort());
      for (const [k, w] of orig) {
        const h = half.get(k)!;
        assert.equal(h.storedAs, kind, k);
        assert.deepEqual(h.shape, w.shape, k);
        for (let i = 0; i < w.data.length; i++) {
          const a = w.data[i] as number;
          const b = h.data[i] as number;
          assert.ok(Math.abs(a - b) <= rel * Math.abs(a) + 6e-8, `${k}[${i}]: ${b} vs ${a}`);
        }
      }
    });
  }
  it('a weight stored as int8 is an error naming the dataset and its dtype', async () => {
    const d = presetWith('int8.weights.h5');
    const p = loadPresetDir(d);
    const w = await readH5Weights(p.weightsFile);
    assert.throws(() => mapViTBackboneWeights(p.backbone, w, p.weightsFile), (e: unknown) =>
      e instanceof UserError && e.wire.code === 'E_WEIGHTS_DTYPE' && e.message.includes('vi_t_encoder_block/mha/query_dense/vars/0') && e.message.includes('int8') && e.message.includes(p.weightsFile));
  });
  it('CLI: a float16 preset runs on onnx, says it widened the weights, and stays close to the float32 logits', () => {
    const cache = mkdtempSync(join(tmpdir(), 'vtd-dtc-'));
    const ref = JSON.parse(cli(['sanity', '--preset', PRESET, IMAGES, '--json'], cache).stdout);
    const r = cli(['sanity', '--preset', presetWith('float16.weights.h5'), IMAGES, '--json'], cache);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.backend.name, 'onnx');
    assert.ok(rep.backend.notes.some((n: string) => /stored as float16, widened to float32/.test(n)), rep.backend.notes.join(' | '));
    const mean = (x: { stages: { id: string; mean: number }[] }) => x.stages.find((s) => s.id === 'logits')!.mean;
    assert.ok(Math.abs(mean(rep) - mean(ref)) < 1e-2, `${mean(rep)} vs ${mean(ref)}`);
  });
  it('CLI: NaN/Inf weights are a finding naming the variables and counts, on a cache hit too; an error, so the run exits 1', () => {
    const cache = mkdtempSync(join(tmpdir(), 'vtd-dtc-'));
    const d = presetWith('nan.weights.h5');
    for (const pass of ['build', 'cache hit']) {
      const r = cli(['sanity', '--preset', d, IMAGES, '--json'], cache);
      assert.equal(r.code, 1, r.stderr);
      const f = JSON.parse(r.stdout).findings.find((x: { code: string }) => x.code === 'SAN011');
      assert.ok(f, `${pass}: no SAN011`);
      assert.equal(f.severity, 'error');
      assert.match(f.title, /2 weight variables hold 5 NaN\/Inf values/);
      assert.match(f.detail, /query_dense\/vars\/0 in model\.weights\.h5 \(3 NaN, 1 Inf of 256\)/);
      assert.match(f.detail, /layer_norm\/vars\/0 in model\.weights\.h5 \(1 NaN of 16\)/);
    }
    assert.equal(cli(['sanity', '--preset', d, IMAGES, '--fail-on', 'warning'], cache).code, 1);
    assert.equal(cli(['sanity', '--preset', d, IMAGES, '--backend', 'cpu', '--fail-on=error'], cache).code, 1);
  });
});
