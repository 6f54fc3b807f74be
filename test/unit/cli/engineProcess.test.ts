import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { forkEngine as forkEngineRaw, type EngineHandle, type ForkOptions } from '../../../src/core/engine/forkEngine';
import { nullLogger } from '../../../src/core/logger';
import type { RemoteError } from '../../../src/protocol/endpoint';
import type { ViTBackboneConfig } from '../../../src/core/presets/presetSchema';
import { initViTBackboneArrays } from '../../../src/engine/models/vit/vitInit';
import { writeViTPreset } from '../../../src/engine/models/vit/vitPresetWriter';
import { DEMO_BACKBONE, DEMO_CONVERTER } from '../../../scripts/demoSpec';
import { fixturesRoot } from '../helpers/kerasFixtures';

const ENGINE = resolve('dist/engine.js');

// every engine a test starts is killed after the suite, even when the test failed half way (no idle engines, no hang)
const started: EngineHandle[] = [];
async function forkEngine(o: ForkOptions): Promise<EngineHandle> {
  const e = await forkEngineRaw(o);
  started.push(e);
  return e;
}
after(() => {
  for (const e of started) if (e.child.exitCode === null && e.child.signalCode === null) e.child.kill('SIGKILL');
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('engine process', () => {
  it('exits by itself when its parent dies without a goodbye (IPC channel closed)', async () => {
    // a parent process that forks the engine, prints its pid, then is SIGKILLed
    const parentCode = `const { fork } = require('node:child_process');
      const c = fork(${JSON.stringify(ENGINE)}, ['--backend', 'cpu'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      c.on('message', (m) => { if (m && m.method === 'engine/ready') process.stdout.write(String(c.pid) + '\\n'); });`;
    const parent = spawn(process.execPath, ['-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((res, rej) => {
      parent.stdout.on('data', (d: Buffer) => res(Number(d.toString().trim())));
      parent.on('exit', () => rej(new Error('parent exited before the engine was ready')));
    });
    assert.ok(alive(pid));
    parent.kill('SIGKILL');
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    const stillAlive = alive(pid);
    if (stillAlive) process.kill(pid, 'SIGKILL');
    assert.ok(!stillAlive, 'the orphaned engine kept running');
  });

  it('answers the ready handshake with protocol version and backend', async () => {
    const e = await forkEngine({ enginePath: ENGINE, backend: 'cpu', logger: nullLogger });
    assert.equal(e.ready.backend.name, 'cpu');
    e.kill();
    await e.exited;
  });
  it('reports progress, and a dying engine rejects the pending request instead of hanging', async () => {
    const e = await forkEngine({ enginePath: ENGINE, backend: 'cpu', logger: nullLogger });
    const stages: string[] = [];
    e.endpoint.onNotification('engine/progress', (p) => {
      stages.push(p.stage);
      if (p.stage === 'decode') e.child.kill('SIGKILL');
    });
    const req = e.endpoint.request('engine/sanityPass', { preset: join(fixturesRoot(), 'vit_tiny_cls', 'preset'), images: [join(fixturesRoot(), 'vit_tiny_cls', 'inputs')] });
    await assert.rejects(req, (err: RemoteError) => {
      assert.equal(err.wire.code, 'E_ENGINE_DIED');
      assert.match(err.wire.message, /signal SIGKILL/);
      return true;
    });
    assert.ok(stages.includes('load'));
  });
  it('cancellation stops a running sanity pass between encoder blocks', async () => {
    // a deeper model than the fixtures, so that the cancel round trip lands while blocks remain
    const cfg: ViTBackboneConfig = { ...DEMO_BACKBONE, imageShape: [96, 96, 3], numLayers: 16, hiddenDim: 128, mlpDim: 256 };
    const dir = join(mkdtempSync(join(tmpdir(), 'vtd-deep-')), 'preset');
    await writeViTPreset(dir, { backbone: cfg, converter: { ...DEMO_CONVERTER, imageSize: [96, 96] }, task: null, backboneArrays: initViTBackboneArrays(cfg, 3), headArrays: null, note: 'test' });
    const e = await forkEngine({ enginePath: ENGINE, backend: 'cpu', logger: nullLogger });
    const ac = new AbortController();
    const blocks: string[] = [];
    e.endpoint.onNotification('engine/progress', (p) => {
      if (p.stage === 'forward') {
        blocks.push(p.message);
        ac.abort();
      }
    });
    await assert.rejects(
      e.endpoint.request('engine/sanityPass', { preset: dir, images: [join(fixturesRoot(), 'vit_tiny_cls', 'inputs')] }, ac.signal),
      (err: RemoteError) => err.wire.code === 'E_CANCELLED',
    );
    assert.ok(blocks.length < 16, `ran ${blocks.length} of 16 blocks after cancel`);
    // the engine survives a cancel and serves the next request
    const rep = await e.endpoint.request('engine/sanityPass', { preset: join(fixturesRoot(), 'vit_tiny_cls', 'preset'), images: [join(fixturesRoot(), 'vit_tiny_cls', 'inputs')] });
    assert.equal(rep.images.length, 8);
    e.kill();
    await e.exited;
  });
});
