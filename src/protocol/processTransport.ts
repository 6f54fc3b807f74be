import { isEnvelope, type Envelope } from './envelope';
import type { Transport } from './transport';

/** The IPC side of a child_process: `process` in the child, the ChildProcess in the parent. */
export interface IpcPeer {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** Transport over Node's child-process IPC channel (use `serialization: 'advanced'` so typed arrays pass as is). */
export function createIpcTransport(peer: IpcPeer): Transport {
  const listeners = new Set<(m: Envelope) => void>();
  const onMessage = (m: unknown): void => {
    if (isEnvelope(m)) listeners.forEach((l) => l(m));
  };
  peer.on('message', onMessage);
  return {
    send(message) {
      try {
        peer.send?.(message);
      } catch {
        // channel closed: the exit handler reports it
      }
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      peer.off('message', onMessage);
      listeners.clear();
    },
  };
}
