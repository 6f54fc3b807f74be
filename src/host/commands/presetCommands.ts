import { join } from 'node:path';
import * as vscode from 'vscode';
import { findPresetDir, presetDiffSide, presetDiffState } from '../../core/presets/presetDiffSide';
import type { DocumentCache } from '../documentCache';
import type { Panels } from '../panels/panels';
import { editorContext, pickPreset, presetFromEditor } from './presetPicker';


/** Compare Presets...: two presets (catalog or disk) side by side, the converter compared as the effective mapping. */
export async function comparePresets(cache: DocumentCache, panels: Panels, showError: (m: string) => void, first?: unknown): Promise<void> {
  const ctx = await editorContext(cache);
  const a = typeof first === 'string' ? first : await pickPreset('Compare presets: first preset');
  if (!a) return;
  const b = await pickPreset(`Compare ${a} with…`);
  if (!b) return;
  try {
    panels.diff.update(presetDiffState(presetDiffSide(a, ctx.baseDirs), presetDiffSide(b, ctx.baseDirs)));
    panels.diff.show();
  } catch (e) {
    showError((e as Error).message);
  }
}

/** Show Preset Config: the real config.json when the preset is on disk, else what keras-hub would write (read-only). */
export async function showPresetConfig(cache: DocumentCache, showError: (m: string) => void, arg?: unknown): Promise<void> {
  const ctx = await editorContext(cache);
  const preset = typeof arg === 'string' ? arg : presetFromEditor(ctx) ?? (await pickPreset('Show preset config'));
  if (!preset) return;
  const dir = findPresetDir(preset, ctx.baseDirs);
  if (dir) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(dir, 'config.json')));
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return;
  }
  try {
    const side = presetDiffSide(preset, ctx.baseDirs);
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(side.files, null, 2) });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  } catch (e) {
    showError((e as Error).message);
  }
}
