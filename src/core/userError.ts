import type { WireError } from '../protocol/envelope';

/**
 * An error caused by the user's input (a file, an argument). Shown as one clear message, never a stack trace.
 * `wire` is what crosses the protocol.
 */
export class UserError extends Error {
  readonly wire: WireError;
  constructor(code: string, message: string, options: { file?: string; hint?: string } = {}) {
    super(message);
    this.name = 'UserError';
    this.wire = { code, message, ...options };
  }
}
