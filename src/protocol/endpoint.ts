import type { Envelope, WireError } from './envelope';
import type { Transport } from './transport';

/** Method map: method name → { params; result }. */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;
/** Notification map: method name → payload. */
export type NotificationMap = Record<string, unknown>;

/** Rejection value of a failed request: carries the wire error. */
export class RemoteError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = 'RemoteError';
  }
}

export interface RequestContext {
  id: number;
  signal: AbortSignal;
}

type Handler = (params: unknown, ctx: RequestContext) => Promise<unknown> | unknown;

/**
 * Typed request/notification endpoint over any Transport.
 * `OutReq`/`OutNote`: what this side sends; `InReq`/`InNote`: what it receives.
 */
export class Endpoint<
  OutReq extends RequestMap,
  OutNote extends NotificationMap,
  InReq extends RequestMap,
  InNote extends NotificationMap,
> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly handlers = new Map<string, Handler>();
  private readonly noteHandlers = new Map<string, Set<(p: unknown) => void>>();
  private readonly running = new Map<number, AbortController>();
  private readonly unsubscribe: () => void;
  private closedError: WireError | undefined;

  constructor(private readonly transport: Transport) {
    this.unsubscribe = transport.onMessage((m) => this.receive(m));
  }

  request<M extends keyof OutReq & string>(
    method: M,
    params: OutReq[M]['params'],
    signal?: AbortSignal,
  ): Promise<OutReq[M]['result']> {
    if (this.closedError) return Promise.reject(new RemoteError(this.closedError));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new RemoteError({ code: 'E_CANCELLED', message: 'Cancelled.' }));
        return;
      }
      const onAbort = (): void => this.transport.send({ kind: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as OutReq[M]['result']);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.transport.send({ kind: 'request', id, method, params });
    });
  }

  notify<M extends keyof OutNote & string>(method: M, params: OutNote[M]): void {
    this.transport.send({ kind: 'notification', method, params });
  }

  onRequest<M extends keyof InReq & string>(
    method: M,
    handler: (params: InReq[M]['params'], ctx: RequestContext) => Promise<InReq[M]['result']> | InReq[M]['result'],
  ): void {
    this.handlers.set(method, handler as Handler);
  }

  onNotification<M extends keyof InNote & string>(method: M, listener: (params: InNote[M]) => void): () => void {
    let set = this.noteHandlers.get(method);
    if (!set) this.noteHandlers.set(method, (set = new Set()));
    set.add(listener as (p: unknown) => void);
    return () => set?.delete(listener as (p: unknown) => void);
  }

  /** Rejects every pending request (e.g. the other side died) and refuses new ones. */
  close(error: WireError): void {
    this.closedError = error;
    for (const [, p] of this.pending) p.reject(new RemoteError(error));
    this.pending.clear();
    for (const [, c] of this.running) c.abort();
    this.unsubscribe();
  }

  private receive(m: Envelope): void {
    switch (m.kind) {
      case 'response': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.result);
        break;
      }
      case 'error': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.reject(new RemoteError(m.error));
        break;
      }
      case 'notification':
        this.noteHandlers.get(m.method)?.forEach((l) => l(m.params));
        break;
      case 'cancel':
        this.running.get(m.id)?.abort();
        break;
      case 'request':
        void this.handle(m.id, m.method, m.params);
        break;
    }
  }

  private async handle(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.transport.send({ kind: 'error', id, error: { code: 'E_NO_METHOD', message: `Unknown method ${method}.` } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      const result = await handler(params, { id, signal: controller.signal });
      this.transport.send({ kind: 'response', id, result });
    } catch (e) {
      this.transport.send({ kind: 'error', id, error: toWireError(e) });
    } finally {
      this.running.delete(id);
    }
  }
}

/** Converts anything thrown into a WireError. Errors that carry `wire` (UserError, RemoteError) keep it. */
export function toWireError(e: unknown): WireError {
  if (typeof e === 'object' && e !== null && 'wire' in e) return (e as { wire: WireError }).wire;
  if (e instanceof Error) return { code: 'E_INTERNAL', message: e.message };
  return { code: 'E_INTERNAL', message: String(e) };
}
