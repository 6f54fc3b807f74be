import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { writeDINOV2Preset } from '../../../src/engine/models/dinov2/dinov2PresetWriter';
import { flatten, maxAbsDiff } from '../helpers/kerasFixtures';

const CLI = resolve('dist/cli.js');
const ROOT = resolve('test', 'fixtures', 'keras-dinov2');

type T = { shape: number[]; data: unknown[] };

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expected(fixture: string): { batches: Record<string, Record<string, unknown> & { images: { file: string }[] }>; position_embeddings_interpolated: T } {
  return JSON.parse(readFileSync(join(ROOT, fixture, 'expected.json'), 'utf8'));
}

function sanityJson(fixture: string, extra: string[]): { findings: { code: string }[]; stages: { id: string; detail: string }[]; preset: Record<string, unknown> } {
  const e = expected(fixture);
  const files = e.batches.native!.images.map((i) => join(ROOT, fixture, i.file));
  const r = run(['sanity', '--preset', join(ROOT, fixture, 'preset'), '--images', ...files, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('vit-doctor sanity on DINOv2 presets', () => {
  for (const [fixture, batch, backend] of [['dinov2_tiny_registers', 'resized', 'onnx'], ['dinov2_tiny', 'native', 'cpu'], ['dinov2_tiny_registers', 'native', 'wasm']] as const) {
    it(`${fixture}, ${batch} batch on ${backend}: --dump-tensors holds the fixture tensors under the fixture names`, () => {
      const e = expected(fixture);
      const b = e.batches[batch]!;
      const out = join(mkdtempSync(join(tmpdir(), 'vtd-dump-')), 'dump.json');
      const r = run(['sanity', '--preset', join(ROOT, fixture, 'preset'), '--images', ...b.images.map((i) => join(ROOT, fixture, i.file)), '--dump-tensors', out, '--backend', backend]);
      assert.equal(r.code, 0, r.stderr);
      const dump = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { shape: number[]; data: number[] } | { shape: number[]; data: number[] }[]>;
      // the model runs on the engine's own converter output here: end-to-end tolerances (1e-4 with a resize)
      const tol: Record<string, number> = { preprocessed: batch === 'resized' ? 1e-4 : 1e-6, embeddings: 2e-5, backbone_output: 1e-4, pooled: 1e-4, patch_tokens_mean: 1e-4 };
      for (const key of Object.keys(tol)) {
        const d = dump[key] as { shape: number[]; data: number[] };
        const want = b[key] as T;
        assert.deepEqual(d.shape, want.shape, key);
        const { max } = maxAbsDiff(d.data, flatten(want.data));
        assert.ok(max <= tol[key]!, `${key}: ${max}`);
      }
      const pos = dump.position_embeddings_interpolated as { shape: number[]; data: number[] };
      assert.deepEqual(pos.shape, e.position_embeddings_interpolated.shape);
      assert.ok(maxAbsDiff(pos.data, flatten(e.position_embeddings_interpolated.data)).max <= 1e-5);
      const blocks = b.encoder_block_outputs as T[] | undefined;
      if (blocks) blocks.forEach((blk, i) => assert.ok(maxAbsDiff((dump.encoder_block_outputs as { data: number[] }[])[i]!.data, flatten(blk.data)).max <= 5e-5, `block ${i + 1}`));
    });
  }

  it('the report shows where the registers sit, and features[:, 1:, :] with registers is a finding', () => {
    const rep = sanityJson('dinov2_tiny_registers', ['--pooling', 'after_cls_mean']);
    assert.equal(rep.preset.family, 'dinov2');
    assert.deepEqual(rep.preset.tokenLayout, { grid: [2, 2], classToken: true, registers: 4, patchStart: 5 });
    assert.equal(rep.preset.numTokens, 9);
    assert.match(rep.stages.find((s) => s.id === 'tokens')!.detail, /CLS at 0, 4 registers at 1–4 \(no position embedding\), 4 patches at 5–8/);
    assert.match(rep.stages.find((s) => s.id === 'pooled')!.detail, /4 REGISTERS/);
    assert.match(rep.stages.find((s) => s.id === 'block_1')!.detail, /LayerScale/);
    assert.ok(rep.findings.some((f) => f.code === 'SAN016'));
    const right = sanityJson('dinov2_tiny_registers', ['--pooling', 'patch_mean']);
    assert.ok(!right.findings.some((f) => f.code === 'SAN016'));
    assert.match(right.stages.find((s) => s.id === 'pooled')!.detail, /features\[:, 5:, :\] \(the 4 registers excluded\)/);
  });

  it('raw pixels, /255 and ViT\'s [-1, 1] mapping against the ImageNet contract', () => {
    const codes = (pre: string) => sanityJson('dinov2_tiny', ['--preprocessing', pre]).findings.map((f) => f.code);
    assert.ok(codes('none').includes('SAN001'));
    assert.ok(codes('rescale').includes('SAN002'));
    const tf = codes('tf');
    assert.ok(tf.includes('SAN013') && !tf.includes('SAN003'), `tf: ${tf}`);
    const imagenet = codes('preset');
    assert.ok(!imagenet.some((c) => ['SAN001', 'SAN002', 'SAN003', 'SAN013', 'SAN017'].includes(c)), `preset: ${imagenet}`);
  });

  it('a backbone built at 45 px from a 70 px table: grid remainder and build-time interpolation are reported', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vtd-dinov2-45-')), 'p');
    await writeDINOV2Preset(dir, {
      backbone: { patch_size: 14, num_layers: 1, hidden_dim: 8, num_heads: 2, intermediate_dim: 16, num_register_tokens: 0, image_shape: [45, 45, 3], position_embedding_shape: [70, 70], antialias_in_interpolation: true },
      seed: 1, note: 'test',
    });
    const r = run(['sanity', '--preset', dir, '--images', join(ROOT, 'dinov2_tiny', 'inputs'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as { findings: { code: string }[]; preset: { positionTable: unknown; numTokens: number } };
    const codes = rep.findings.map((f) => f.code);
    assert.ok(codes.includes('SAN014') && codes.includes('SAN015'), `${codes}`);
    assert.deepEqual(rep.preset.positionTable, { storedGrid: [5, 5], builtGrid: [3, 3], interpolated: true, antialias: true });
    assert.equal(rep.preset.numTokens, 10);
  });

  it('a converter sized for another image than the backbone was built for: an error naming image_converter.json, with the image_shape= fix', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vtd-dino-conv-')), 'p');
    cpSync(join(ROOT, 'dinov2_tiny', 'preset'), dir, { recursive: true });
    const conv = JSON.parse(readFileSync(join(dir, 'image_converter.json'), 'utf8'));
    conv.config.image_size = [224, 224];
    writeFileSync(join(dir, 'image_converter.json'), JSON.stringify(conv));
    const r = run(['sanity', '--preset', dir, '--images', join(ROOT, 'dinov2_tiny', 'inputs')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /image_converter\.json: the converter produces 224×224 images but the backbone \(config\.json image_shape\) expects 42×42/);
    assert.match(r.stderr, /image_shape=\(224, 224, 3\)/);
  });

  it('train --mode full on a DINOv2 preset: a clear error naming the config file and the mode, with the head-mode hint, exit 2, no stack', () => {
    const data = mkdtempSync(join(tmpdir(), 'vtd-dino-data-'));
    for (const c of ['a', 'b']) cpSync(join(ROOT, 'dinov2_tiny', 'inputs'), join(data, c), { recursive: true });
    const r = run(['train', '--preset', join(ROOT, 'dinov2_tiny', 'preset'), '--data', data, '--mode', 'full', '--epochs', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /config\.json: mode "full" is not available for DINOV2Backbone yet[^]*hint: Use --mode head/);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
  });

  it('a saved preset whose interpolated table differs from the one keras-hub recomputes (a dropped fine-tuned table) is SAN017', async () => {
    const write = async (delta: number) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'vtd-dinov2-ft-')), 'p');
      await writeDINOV2Preset(dir, {
        backbone: { patch_size: 14, num_layers: 1, hidden_dim: 8, num_heads: 2, intermediate_dim: 16, image_shape: [28, 28, 3], position_embedding_shape: [42, 42] },
        seed: 2, note: 'test', savedTableDelta: delta,
      });
      const r = run(['sanity', '--preset', dir, '--images', join(ROOT, 'dinov2_tiny', 'inputs'), '--json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);
    };
    assert.ok((await write(0.1)).includes('SAN017'));
    assert.ok(!(await write(0)).includes('SAN017'), 'an untouched preset (table interpolated 3×3 → 2×2 at save) is not flagged');
  });
});
