import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { forkEngine } from '../../../src/core/engine/forkEngine';
import { nullLogger } from '../../../src/core/logger';
import type { RemoteError } from '../../../src/protocol/endpoint';
import { fixturesRoot } from '../helpers/kerasFixtures';

const ENGINE = resolve('dist/engine.js');

describe('engine process', () => {
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
  it('cancellation stops a running sanity pass', async () => {
    const e = await forkEngine({ enginePath: ENGINE, backend: 'cpu', logger: nullLogger });
    const ac = new AbortController();
    e.endpoint.onNotification('engine/progress', (p) => {
      if (p.stage === 'forward') ac.abort();
    });
    await assert.rejects(
      e.endpoint.request('engine/sanityPass', { preset: join(fixturesRoot(), 'vit_tiny_cls', 'preset'), images: [join(fixturesRoot(), 'vit_tiny_cls', 'inputs')] }, ac.signal),
      (err: RemoteError) => err.wire.code === 'E_CANCELLED',
    );
    // the engine survives a cancel and serves the next request
    const rep = await e.endpoint.request('engine/sanityPass', { preset: join(fixturesRoot(), 'vit_tiny_cls', 'preset'), images: [join(fixturesRoot(), 'vit_tiny_cls', 'inputs')] });
    assert.equal(rep.images.length, 8);
    e.kill();
    await e.exited;
  });
});
