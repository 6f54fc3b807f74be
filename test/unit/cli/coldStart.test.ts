import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ensureTfjs, selectEngineBackends } from '../../../src/engine/backend/engineBackends';
import { fixturesRoot } from '../helpers/kerasFixtures';

const CLI = resolve('dist/cli.js');
const PRESET = join(fixturesRoot(), 'vit_tiny_cls', 'preset');
const IMAGES = join(fixturesRoot(), 'vit_tiny_cls', 'inputs');

/**
 * Runs the CLI with a preload (inherited by the engine it forks) that logs every process start and the first
 * `@tensorflow/*` module each process loads. Returns the log lines.
 */
function runProbed(args: string[]): { code: number | null; stderr: string; log: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vtd-probe-'));
  const probe = join(dir, 'probe.cjs');
  const out = join(dir, 'log.txt');
  writeFileSync(probe, `
const fs = require('fs');
const M = require('module');
const who = require('path').basename(process.argv[1] || '?');
fs.appendFileSync(${JSON.stringify(out)}, 'start ' + who + '\\n');
const load = M._load;
let seen = false;
M._load = function (request, ...rest) {
  if (!seen && request.startsWith('@tensorflow/')) { seen = true; fs.appendFileSync(${JSON.stringify(out)}, 'tfjs ' + who + ' ' + request + '\\n'); }
  return load.call(this, request, ...rest);
};`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 120000,
    env: { ...process.env, NODE_OPTIONS: `--require ${probe}`, VIT_DOCTOR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'vtd-probe-cache-')) },
  });
  return { code: r.status, stderr: r.stderr, log: existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : [] };
}

describe('cold start: TF.js is loaded only when needed', () => {
  it('a sanity batch on ONNX Runtime never loads TF.js in the engine', () => {
    const r = runProbed(['sanity', '--preset', PRESET, IMAGES, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.log.includes('start engine.js'), `the probe saw the engine start: ${r.log.join(' | ')}`);
    assert.deepEqual(r.log.filter((l) => l.startsWith('tfjs')), []);
  });
  it('--backend cpu loads it (the probe sees TF.js when it is used)', () => {
    const r = runProbed(['sanity', '--preset', PRESET, IMAGES, '--backend', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.log.includes('tfjs engine.js @tensorflow/tfjs-core'), r.log.join(' | '));
  });
  it('deferred TF.js: a placeholder until ensureTfjs loads it, once for concurrent callers', async () => {
    const b = await selectEngineBackends('auto', { cacheDir: mkdtempSync(join(tmpdir(), 'vtd-lazy-')), lazyTfjs: true });
    if (!b.onnx) return; // no ONNX Runtime here: TF.js is loaded at start, as before
    assert.ok(b.loadTfjs, 'TF.js deferred');
    assert.equal(b.forward.name, 'onnx');
    const [a, c] = await Promise.all([ensureTfjs(b), ensureTfjs(b)]);
    assert.equal(a, c);
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(a.name), a.name);
    assert.equal(b.tfjs, a);
    assert.equal(b.loadTfjs, undefined);
    assert.equal(await ensureTfjs(b), a);
  });
});
