import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

/** The extension's LogOutputChannel behind the core Logger interface. */
export function createLogger(): { channel: vscode.LogOutputChannel; logger: Logger } {
  const channel = vscode.window.createOutputChannel('ViT Doctor', { log: true });
  const logger: Logger = {
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
    debug: (m) => channel.debug(m),
  };
  return { channel, logger };
}
