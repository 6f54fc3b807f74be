/** Logging interface: the host implements it with a LogOutputChannel, the engine forwards to the host. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export const nullLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
