/**
 * The engine in the caller's own process: the same server (`startEngineServer`) behind the same `Endpoint` and
 * protocol as the forked engine (`forkEngine`), over an in-memory transport. The CLI runs one-shot commands on it and
 * so starts one Node process instead of two; the extension keeps its child process (an engine that dies must not take
 * the extension host with it).
 */
import './nativeResolve';
import type { EngineClientEndpoint } from '../core/engine/forkEngine';
import { Endpoint, RemoteError } from '../protocol/endpoint';
import type { BackendChoice, ReadyEvent } from '../protocol/engineProtocol';
import { createMemoryTransportPair } from '../protocol/transport';
import { selectBundledEngineBackends } from './backend/bundledBackends';
import { startEngineServer } from './engineServer';

export interface InProcessEngine {
  endpoint: EngineClientEndpoint;
  ready: ReadyEvent;
  /** Rejects what is still pending with E_ENGINE_CLOSED, aborts running handlers and disconnects both sides. */
  close(): void;
}

export interface InProcessOptions {
  backend?: BackendChoice;
  /** ONNX Runtime intra-op threads; 0 or absent = physical cores */
  threads?: number;
  /** where dist/onnxBuild.js (the graph-build worker) lies, as the forked engine finds it beside dist/engine.js */
  bundleDir: string;
}

/**
 * Selects the backends as the engine process does (TF.js deferred while ONNX Runtime serves forward passes), starts
 * the server and waits for its ready handshake. A backend that cannot be had rejects with E_BACKEND, as `forkEngine`
 * does when the child reports `engine/fatal`.
 */
export async function startInProcessEngine(opts: InProcessOptions): Promise<InProcessEngine> {
  let backends;
  try {
    backends = await selectBundledEngineBackends(opts.backend ?? 'auto', opts.threads ?? 0, opts.bundleDir);
  } catch (e) {
    throw new RemoteError({ code: 'E_BACKEND', message: (e as Error).message });
  }
  const [clientSide, engineSide] = createMemoryTransportPair();
  const endpoint: EngineClientEndpoint = new Endpoint(clientSide);
  const ready = new Promise<ReadyEvent>((resolve) => endpoint.onNotification('engine/ready', resolve));
  const server = startEngineServer(engineSide, backends, () => undefined);
  return {
    endpoint,
    ready: await ready,
    close: () => {
      const closed = { code: 'E_ENGINE_CLOSED', message: 'The engine was closed.' };
      endpoint.close(closed);
      server.close(closed);
      clientSide.dispose();
      engineSide.dispose();
    },
  };
}
