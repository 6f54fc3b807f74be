import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { cliEngineMode } from '../../../src/cli/cliEngine';
import type { ViTBackboneConfig } from '../../../src/core/presets/presetSchema';
import { UserError } from '../../../src/core/userError';
import { initViTBackboneArrays } from '../../../src/engine/models/vit/vitInit';
import { writeViTPreset } from '../../../src/engine/models/vit/vitPresetWriter';
import { DEMO_BACKBONE, DEMO_CONVERTER } from '../../../scripts/demoSpec';
import { fixturesRoot } from '../helpers/kerasFixtures';

const CLI = resolve('dist/cli.js');
const PRESET = join(fixturesRoot(), 'vit_tiny_cls', 'preset');
const IMAGES = join(fixturesRoot(), 'vit_tiny_cls', 'inputs');

/** The CLI with a preload that logs which scripts start a Node process (the CLI, an engine it forks). */
function runCli(args: string[], env: Record<string, string>): { code: number | null; stdout: string; stderr: string; starts: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vtd-inproc-'));
  const probe = join(dir, 'probe.cjs');
  const log = join(dir, 'starts.txt');
  writeFileSync(probe, `if (require('worker_threads').isMainThread) require('fs').appendFileSync(${JSON.stringify(log)}, require('path').basename(process.argv[1] || '?') + '\\n');`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000, env: { ...process.env, NODE_OPTIONS: `--require ${probe}`, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, starts: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
}

describe('CLI: the engine runs in the CLI process', () => {
  it('sanity runs in-process (one Node start) and reports exactly what the forked engine reports on the fixture preset', () => {
    const cache = mkdtempSync(join(tmpdir(), 'vtd-inproc-cache-'));
    const dumps = mkdtempSync(join(tmpdir(), 'vtd-inproc-dump-'));
    const run = (mode: 'in-process' | 'fork', backend: string) =>
      runCli(['sanity', '--preset', PRESET, IMAGES, '--json', '--backend', backend, '--dump-tensors', join(dumps, `${mode}-${backend}.json`)], { VIT_DOCTOR_CACHE_DIR: cache, VIT_DOCTOR_ENGINE: mode });
    // fill the ONNX cache first, so that both runs below load the model from it (the report says which)
    assert.equal(run('fork', 'auto').code, 0);
    for (const backend of ['auto', 'cpu']) {
      const inProc = run('in-process', backend);
      const forked = run('fork', backend);
      assert.equal(inProc.code, 0, inProc.stderr);
      assert.equal(forked.code, 0, forked.stderr);
      assert.deepEqual(inProc.starts, ['cli.js'], 'no engine process is forked');
      assert.deepEqual(forked.starts, ['cli.js', 'engine.js']);
      const strip = (s: string): unknown => {
        const { timings: _t, ...rest } = JSON.parse(s) as { timings: unknown };
        return rest;
      };
      const a = strip(inProc.stdout);
      assert.deepEqual(a, strip(forked.stdout), backend);
      assert.equal((a as { images: unknown[] }).images.length, 8);
      assert.deepEqual(JSON.parse(readFileSync(join(dumps, `in-process-${backend}.json`), 'utf8')), JSON.parse(readFileSync(join(dumps, `fork-${backend}.json`), 'utf8')), `${backend} tensors`);
    }
  });

  it('Ctrl-C (SIGINT) cancels the in-process sanity pass: exit 130, "Cancelled", no stack trace', async () => {
    // a deeper model than the fixtures on TF.js cpu (cancel between encoder blocks), so the run outlasts the signal
    const cfg: ViTBackboneConfig = { ...DEMO_BACKBONE, imageShape: [96, 96, 3], numLayers: 24, hiddenDim: 128, mlpDim: 256 };
    const preset = join(mkdtempSync(join(tmpdir(), 'vtd-inproc-deep-')), 'preset');
    await writeViTPreset(preset, { backbone: cfg, converter: { ...DEMO_CONVERTER, imageSize: [96, 96] }, task: null, backboneArrays: initViTBackboneArrays(cfg, 3), headArrays: null, note: 'test' });
    const child = spawn(process.execPath, [CLI, 'sanity', '--preset', preset, IMAGES, '--backend', 'cpu', '--verbose'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIT_DOCTOR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'vtd-inproc-cache-')) },
    });
    let stderr = '';
    let stdout = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // the engine is up (the SIGINT handler is installed before it starts): interrupt the pass
      if (!signalled && /engine: in process/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    assert.ok(signalled, `the engine never reported ready: ${stderr}`);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /vit-doctor: error: .*[Cc]ancel/);
    assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, 'stack trace printed');
    assert.equal(stdout, '', 'no report for a cancelled run');
  });

  it('train and check run in-process too (one Node start)', () => {
    const env = { VIT_DOCTOR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'vtd-inproc-cache-')) };
    const common = ['--preset', resolve('media/demo/preset'), '--data', resolve('media/demo/images'), '--epochs', '1', '--max-per-class', '4', '--fail-on', 'never'];
    for (const args of [['train', ...common, '--mode', 'head'], ['check', ...common, '--compare', 'none']]) {
      const r = runCli(args, env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.starts, ['cli.js'], args[0]);
    }
  });

  it('VIT_DOCTOR_ENGINE picks the mode: in-process by default, fork on request, anything else a usage error naming it', () => {
    assert.equal(cliEngineMode({}), 'in-process');
    assert.equal(cliEngineMode({ VIT_DOCTOR_ENGINE: 'in-process' }), 'in-process');
    assert.equal(cliEngineMode({ VIT_DOCTOR_ENGINE: 'fork' }), 'fork');
    assert.throws(() => cliEngineMode({ VIT_DOCTOR_ENGINE: 'thread' }), (e: unknown) => e instanceof UserError && e.wire.code === 'E_USAGE' && /VIT_DOCTOR_ENGINE="thread"/.test(e.message));
    const r = runCli(['sanity', '--preset', PRESET, IMAGES], { VIT_DOCTOR_ENGINE: 'thread' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^vit-doctor: error: VIT_DOCTOR_ENGINE="thread": must be in-process \(the default\) or fork\./);
  });
});
