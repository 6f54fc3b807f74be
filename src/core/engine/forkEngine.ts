import { fork, type ChildProcess } from 'node:child_process';
import { Endpoint, RemoteError } from '../../protocol/endpoint';
import { PROTOCOL_VERSION, type WireError } from '../../protocol/envelope';
import type { BackendChoice, EngineNotifications, EngineRequests, ReadyEvent } from '../../protocol/engineProtocol';
import { createIpcTransport } from '../../protocol/processTransport';
import type { Logger } from '../logger';

export type EngineClientEndpoint = Endpoint<EngineRequests, Record<string, never>, Record<string, never>, EngineNotifications>;

export interface EngineHandle {
  endpoint: EngineClientEndpoint;
  ready: ReadyEvent;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

export interface ForkOptions {
  enginePath: string;
  backend?: BackendChoice;
  /** ONNX Runtime intra-op threads; 0 or absent = physical cores */
  threads?: number;
  logger: Logger;
  execPath?: string;
  readyTimeoutMs?: number;
  env?: Record<string, string>;
}

/**
 * Forks the engine bundle, waits for its ready handshake (checking the protocol version), forwards stderr to the
 * logger, and rejects every pending request with E_ENGINE_DIED if the process exits.
 */
export async function forkEngine(opts: ForkOptions): Promise<EngineHandle> {
  const child = fork(opts.enginePath, ['--backend', opts.backend ?? 'auto', '--threads', String(opts.threads ?? 0)], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...(opts.env ?? {}) },
    ...(opts.execPath ? { execPath: opts.execPath } : {}),
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderrTail = (stderrTail + d).slice(-2000);
    for (const line of d.split('\n')) if (line.trim()) opts.logger.warn(`[engine] ${line}`);
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    for (const line of d.split('\n')) if (line.trim()) opts.logger.info(`[engine] ${line}`);
  });
  const transport = createIpcTransport(child);
  const endpoint: EngineClientEndpoint = new Endpoint(transport);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
      const err: WireError = {
        code: 'E_ENGINE_DIED',
        message: `The engine process exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})${tail ? `: ${tail}` : ''}.`,
        hint: 'Run again; if it keeps dying, try --backend cpu and report the log.',
      };
      endpoint.close(err);
      transport.dispose();
      resolve({ code, signal });
    });
  });
  const ready = await new Promise<ReadyEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RemoteError({ code: 'E_ENGINE_TIMEOUT', message: `The engine did not start within ${(opts.readyTimeoutMs ?? 60000) / 1000} s.` })), opts.readyTimeoutMs ?? 60000);
    endpoint.onNotification('engine/ready', (r) => {
      clearTimeout(timer);
      if (r.protocolVersion !== PROTOCOL_VERSION) {
        reject(new RemoteError({ code: 'E_ENGINE_VERSION', message: `Engine protocol ${r.protocolVersion} does not match ${PROTOCOL_VERSION}; rebuild with npm run build.` }));
      } else resolve(r);
    });
    endpoint.onNotification('engine/fatal', (e) => {
      clearTimeout(timer);
      reject(new RemoteError(e as WireError));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new RemoteError({ code: 'E_ENGINE_DIED', message: `The engine exited before it was ready (${signal ?? code}): ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` }));
    });
  }).catch((e: unknown) => {
    child.kill();
    throw e;
  });
  return {
    endpoint,
    ready,
    child,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
