import { isEnvelope, type Envelope } from '../../src/protocol/envelope';
import type { Transport } from '../../src/protocol/transport';
import { hostApi } from './hostApi';

/** Transport over the webview's postMessage / window 'message' event. */
export function createWebviewTransport(): Transport {
  const listeners = new Set<(m: Envelope) => void>();
  const onMessage = (e: MessageEvent): void => {
    if (isEnvelope(e.data)) listeners.forEach((l) => l(e.data as Envelope));
  };
  window.addEventListener('message', onMessage);
  return {
    send: (m) => hostApi().postMessage(m),
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose() {
      window.removeEventListener('message', onMessage);
      listeners.clear();
    },
  };
}
