/** Wire envelope shared by every channel (host ⇄ engine, host ⇄ webview, CLI ⇄ engine). */

export const PROTOCOL_VERSION = 1;

/** Errors cross the wire as plain objects, never `Error` instances. */
export interface WireError {
  /** Stable machine-readable code, e.g. `E_PRESET_NOT_FOUND`, `E_CANCELLED`, `E_INTERNAL`. */
  code: string;
  /** One-paragraph human message that names the file and the problem. */
  message: string;
  /** Optional actionable hint ("download it with ..."). */
  hint?: string;
  /** File the error is about, if any. */
  file?: string;
}

export type Envelope =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'notification'; method: string; params: unknown }
  | { kind: 'cancel'; id: number };

export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'request' || kind === 'response' || kind === 'error' || kind === 'notification' || kind === 'cancel';
}
