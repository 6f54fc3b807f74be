import type { Envelope } from './envelope';

/** A bidirectional message pipe. Adapters: child-process IPC, webview postMessage, memory. */
export interface Transport {
  send(message: Envelope): void;
  onMessage(listener: (message: Envelope) => void): () => void;
  dispose(): void;
}

/** Two linked in-memory transports (tests and the CLI's in-process mode). Delivery is asynchronous. */
export function createMemoryTransportPair(): [Transport, Transport] {
  const listeners: [Set<(m: Envelope) => void>, Set<(m: Envelope) => void>] = [new Set(), new Set()];
  const make = (self: 0 | 1): Transport => {
    const other = self === 0 ? 1 : 0;
    let disposed = false;
    return {
      send(message) {
        if (disposed) return;
        const copy = structuredClone(message);
        queueMicrotask(() => listeners[other].forEach((l) => l(copy)));
      },
      onMessage(listener) {
        listeners[self].add(listener);
        return () => listeners[self].delete(listener);
      },
      dispose() {
        disposed = true;
        listeners[self].clear();
      },
    };
  };
  return [make(0), make(1)];
}
