import * as vscode from 'vscode';
import { normalizeSettings, type Settings, type SETTING_DEFAULTS } from '../core/settings';

/** Reads `vitDoctor.*` (optionally for a resource) and normalises it in core. */
export function readSettings(scope?: vscode.Uri): Settings {
  const cfg = vscode.workspace.getConfiguration('vitDoctor', scope);
  return normalizeSettings((key: keyof typeof SETTING_DEFAULTS) => cfg.get(key));
}
