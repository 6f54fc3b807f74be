import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RemoteError } from '../../../src/protocol/endpoint';
import { Endpoint } from '../../../src/protocol/endpoint';
import { createMemoryTransportPair } from '../../../src/protocol/transport';

type Req = { 'math/add': { params: { a: number; b: number }; result: number }; 'slow/wait': { params: null; result: string } };
type Note = { 'math/progress': { n: number } };

function pair() {
  const [ta, tb] = createMemoryTransportPair();
  const client = new Endpoint<Req, Record<string, never>, Record<string, never>, Note>(ta);
  const server = new Endpoint<Record<string, never>, Note, Req, Record<string, never>>(tb);
  return { client, server };
}

describe('Endpoint over the memory transport', () => {
  it('correlates concurrent requests answered out of order', async () => {
    const { client, server } = pair();
    server.onRequest('math/add', async ({ a, b }) => {
      await new Promise((r) => setTimeout(r, a));
      return a + b;
    });
    const [x, y] = await Promise.all([client.request('math/add', { a: 30, b: 1 }), client.request('math/add', { a: 1, b: 1 })]);
    assert.equal(x, 31);
    assert.equal(y, 2);
  });
  it('errors cross as plain objects with their code', async () => {
    const { client, server } = pair();
    server.onRequest('math/add', () => {
      throw Object.assign(new Error('bad'), { wire: { code: 'E_BAD', message: 'bad input', file: '/x' } });
    });
    await assert.rejects(client.request('math/add', { a: 1, b: 2 }), (e: RemoteError) => e.wire.code === 'E_BAD' && e.wire.file === '/x');
  });
  it('unknown methods are answered with E_NO_METHOD', async () => {
    const { client } = pair();
    await assert.rejects(client.request('slow/wait', null), (e: RemoteError) => e.wire.code === 'E_NO_METHOD');
  });
  it('aborting a request sends cancel; the handler sees its signal aborted', async () => {
    const { client, server } = pair();
    let sawAbort = false;
    server.onRequest('slow/wait', (_p, ctx) => new Promise((resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        sawAbort = true;
        reject(Object.assign(new Error('c'), { wire: { code: 'E_CANCELLED', message: 'Cancelled.' } }));
      });
      setTimeout(() => resolve('late'), 2000).unref();
    }));
    const ac = new AbortController();
    const p = client.request('slow/wait', null, ac.signal);
    setTimeout(() => ac.abort(), 10);
    await assert.rejects(p, (e: RemoteError) => e.wire.code === 'E_CANCELLED');
    assert.ok(sawAbort);
  });
  it('notifications reach listeners; close() rejects pending and later requests', async () => {
    const { client, server } = pair();
    const got: number[] = [];
    client.onNotification('math/progress', (p) => got.push(p.n));
    server.notify('math/progress', { n: 7 });
    server.onRequest('slow/wait', () => new Promise(() => {}));
    const pending = client.request('slow/wait', null);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, [7]);
    client.close({ code: 'E_ENGINE_DIED', message: 'gone' });
    await assert.rejects(pending, (e: RemoteError) => e.wire.code === 'E_ENGINE_DIED');
    await assert.rejects(client.request('math/add', { a: 1, b: 1 }), (e: RemoteError) => e.wire.code === 'E_ENGINE_DIED');
  });
});
