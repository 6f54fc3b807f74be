import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sha256File, trustedSha256 } from '../../../../src/engine/onnx/fileHashStamps';
import { hashStampDir } from '../../../../src/engine/onnx/onnxModelCache';
import { lookupOnnxModel, prepareOnnxModel } from '../../../../src/engine/onnx/prepareOnnxModel';
import { fixturesRoot } from '../../helpers/kerasFixtures';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('weights hash trusted while size, mtime and inode are unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtd-stamp-'));
  const stamps = join(dir, 'hashes');
  const file = join(dir, 'model.weights.h5');

  it('first sight hashes; unchanged, the recorded hash is trusted without reading the file', () => {
    writeFileSync(file, 'version one');
    const t = new Date(1_700_000_000_000); // a whole second: utimes can put it back exactly
    utimesSync(file, t, t);
    const first = trustedSha256(file, stamps);
    assert.deepEqual(first, { sha256: sha('version one'), rehashed: true });
    assert.deepEqual(trustedSha256(file, stamps), { sha256: sha('version one'), rehashed: false });
    // proof that nothing is read: same size, same inode, mtime put back — the stale hash is (knowingly) trusted
    writeFileSync(file, 'version 1!!');
    utimesSync(file, t, t);
    assert.deepEqual(trustedSha256(file, stamps), { sha256: sha('version one'), rehashed: false });
  });
  it('touched (mtime changed): hashed again, and the new hash is recorded', () => {
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(trustedSha256(file, stamps), { sha256: sha('version 1!!'), rehashed: true });
    assert.deepEqual(trustedSha256(file, stamps), { sha256: sha('version 1!!'), rehashed: false });
  });
  it('replaced by another file of the same size and mtime (another inode): hashed again', () => {
    const t = new Date(1_700_000_100_000);
    utimesSync(file, t, t);
    assert.equal(trustedSha256(file, stamps).rehashed, true);
    const other = join(dir, 'other');
    writeFileSync(other, 'version two');
    utimesSync(other, t, t);
    renameSync(other, file);
    assert.deepEqual(trustedSha256(file, stamps), { sha256: sha('version two'), rehashed: true });
  });
  it('a damaged stamp is ignored (hashed again), and the hash matches a plain read', () => {
    for (const f of readdirSync(stamps)) writeFileSync(join(stamps, f), '{"path": 1');
    assert.deepEqual(trustedSha256(file, stamps), { sha256: sha256File(file), rehashed: true });
  });
});

describe('ONNX cache lookup with hash stamps', () => {
  it('a hit stamps the weights and the entry; a corrupt entry is still found and rebuilt', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'vtd-stamp-cache-'));
    const presetDir = join(mkdtempSync(join(tmpdir(), 'vtd-stamp-preset-')), 'preset');
    cpSync(join(fixturesRoot(), 'vit_tiny_cls', 'preset'), presetDir, { recursive: true });
    const req = { presetDir, withHead: true, internals: false, cacheDir };
    const built = await prepareOnnxModel(req);
    assert.ok(built.notes.some((n) => /built from the preset/.test(n)));
    // weights, task weights, model.onnx and weights.bin are stamped: the next lookup reads none of them
    assert.equal(readdirSync(hashStampDir(cacheDir)).length, 4);
    const hit = lookupOnnxModel(req);
    assert.ok('hit' in hit);

    // flip bytes in the cached weights: the stamp no longer matches the file, it is hashed, found corrupt, rebuilt
    const [entry] = readdirSync(join(cacheDir, 'onnx'));
    const data = join(cacheDir, 'onnx', entry!, 'weights.bin');
    const bytes = readFileSync(data);
    bytes[bytes.length - 5]! ^= 0xff;
    writeFileSync(data, bytes);
    const miss = lookupOnnxModel(req);
    assert.ok(!('hit' in miss) && /corrupt/.test(miss.rebuiltBecause ?? ''), JSON.stringify(miss));
    const rebuilt = await prepareOnnxModel(req);
    assert.ok(rebuilt.notes.some((n) => /built from the preset/.test(n)));
    assert.ok('hit' in lookupOnnxModel(req));

    // the weights changed (touched with new content): another key, so another entry
    const w = join(presetDir, 'model.weights.h5');
    const wb = readFileSync(w);
    writeFileSync(w, wb);
    utimesSync(w, new Date(), new Date(Date.now() + 5000));
    assert.ok('hit' in lookupOnnxModel(req), 'same content after a touch: the same entry');
  });
});
