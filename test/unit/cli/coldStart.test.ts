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
 * Runs the CLI with a preload (inherited by an engine it forks) that logs every process start, the first
 * `@tensorflow/*` module each process loads, and each require of a lazy chunk (dist/h5wasm.js, dist/tfjsGradients.js).
 * Returns the log lines.
 */
function runProbed(args: string[], cacheDir = mkdtempSync(join(tmpdir(), 'vtd-probe-cache-')), env: Record<string, string> = {}): { code: number | null; stderr: string; log: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vtd-probe-'));
  const probe = join(dir, 'probe.cjs');
  const out = join(dir, 'log.txt');
  writeFileSync(probe, `
const fs = require('fs');
const M = require('module');
const who = require('worker_threads').isMainThread ? require('path').basename(process.argv[1] || '?') : 'worker';
fs.appendFileSync(${JSON.stringify(out)}, 'start ' + who + '\\n');
const load = M._load;
let seen = false;
M._load = function (request, ...rest) {
  if (!seen && request.startsWith('@tensorflow/')) { seen = true; fs.appendFileSync(${JSON.stringify(out)}, 'tfjs ' + who + ' ' + request + '\\n'); }
  const chunk = /(h5wasm|tfjsGradients)\\.js$/.exec(request);
  if (chunk) fs.appendFileSync(${JSON.stringify(out)}, chunk[1] + ' ' + who + '\\n');
  return load.call(this, request, ...rest);
};`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 120000,
    env: { ...process.env, NODE_OPTIONS: `--require ${probe}`, VIT_DOCTOR_CACHE_DIR: cacheDir, ...env },
  });
  return { code: r.status, stderr: r.stderr, log: existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : [] };
}

describe('cold start: TF.js and h5wasm are loaded only when needed', () => {
  it('a sanity batch on ONNX Runtime never loads TF.js or its gradients; h5wasm only when the weights are read (not on a warm cache)', () => {
    const cache = mkdtempSync(join(tmpdir(), 'vtd-probe-cache-'));
    const first = runProbed(['sanity', '--preset', PRESET, IMAGES, '--json'], cache);
    assert.equal(first.code, 0, first.stderr);
    // the engine runs in the CLI's process (one Node start); the first run builds the ONNX graph in a worker thread
    // (dist/onnxBuild.js), which reads the weights with h5wasm
    assert.deepEqual(first.log.filter((l) => l.startsWith('start')), ['start cli.js', 'start worker'], first.log.join(' | '));
    assert.deepEqual(first.log.filter((l) => l.startsWith('tfjs')), []);
    assert.deepEqual(first.log.filter((l) => l.startsWith('h5wasm')), ['h5wasm worker'], first.log.join(' | '));
    const warm = runProbed(['sanity', '--preset', PRESET, IMAGES, '--json'], cache);
    assert.equal(warm.code, 0, warm.stderr);
    assert.deepEqual(warm.log, ['start cli.js'], 'a warm cache loads neither TF.js, its gradients nor h5wasm');
  });
  it('--backend cpu loads TF.js (the probe sees it when it is used), in the forked engine too', () => {
    const r = runProbed(['sanity', '--preset', PRESET, IMAGES, '--backend', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.log.includes('tfjs cli.js @tensorflow/tfjs-core') && r.log.includes('tfjsGradients cli.js'), r.log.join(' | '));
    const f = runProbed(['sanity', '--preset', PRESET, IMAGES, '--backend', 'cpu'], undefined, { VIT_DOCTOR_ENGINE: 'fork' });
    assert.equal(f.code, 0, f.stderr);
    assert.ok(f.log.includes('start engine.js') && f.log.includes('tfjs engine.js @tensorflow/tfjs-core'), f.log.join(' | '));
    assert.ok(!f.log.some((l) => l.startsWith('tfjs cli.js')), 'the CLI itself loads no TF.js when the engine is forked');
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
