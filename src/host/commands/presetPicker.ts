import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { codeInsights, type CodeInsights } from '../../core/lint/codeInsights';
import { diskPresetLookup } from '../../core/presets/presetFactsFromDisk';
import { kagglehubCacheRoot } from '../../core/presets/presetResolver';
import { VIT_CATALOG } from '../../core/presets/vitCatalog';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentCache } from '../documentCache';

export interface EditorContext {
  doc: vscode.TextDocument | null;
  insights: CodeInsights | null;
  baseDirs: string[];
}

/** Insights of the active Python editor (presets, expected shapes, the pipeline as written). */
export async function editorContext(cache: DocumentCache): Promise<EditorContext> {
  const ed = vscode.window.activeTextEditor;
  const ws = vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath) ?? [];
  if (!ed || ed.document.languageId !== 'python') return { doc: null, insights: null, baseDirs: ws };
  const dirs = [...(ed.document.uri.scheme === 'file' ? [dirname(ed.document.uri.fsPath)] : []), ...ws];
  const src = await cache.get(ed.document);
  return { doc: ed.document, insights: src ? codeInsights(src, diskPresetLookup(dirs)) : null, baseDirs: dirs };
}

/** The preset under the cursor, else the first in the file. */
export function presetFromEditor(ctx: EditorContext): string | undefined {
  const ed = vscode.window.activeTextEditor;
  const presets = ctx.insights?.presets ?? [];
  if (ed && ctx.doc && ed.document === ctx.doc) {
    const off = ed.document.offsetAt(ed.selection.active);
    const under = presets.find((p) => p.start <= off && off <= p.end) ?? presets.find((p) => p.line === ed.selection.active.line);
    if (under) return under.preset;
  }
  return presets[0]?.preset;
}

/** Quick pick over catalog names, preset folders in the workspace, and "Browse...". */
export async function pickPreset(title: string): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/config.json', '**/node_modules/**', 200);
  const folders: vscode.QuickPickItem[] = [];
  for (const f of found) {
    try {
      const text = Buffer.from(await vscode.workspace.fs.readFile(f)).toString('utf8');
      if (/"class_name"\s*:\s*"\w+Backbone"/.test(text)) folders.push({ label: vscode.workspace.asRelativePath(vscode.Uri.file(dirname(f.fsPath))), description: 'preset folder', detail: dirname(f.fsPath) });
    } catch {
      // unreadable: skip
    }
  }
  // every downloaded version in the kagglehub cache (so two versions of one preset can be compared)
  const cached: vscode.QuickPickItem[] = [];
  const kerasRoot = join(kagglehubCacheRoot(), 'models', 'keras');
  try {
    for (const model of existsSync(kerasRoot) ? readdirSync(kerasRoot) : []) {
      const variations = join(kerasRoot, model, 'keras');
      for (const name of existsSync(variations) ? readdirSync(variations) : []) {
        for (const v of readdirSync(join(variations, name)).filter((x) => /^\d+$/.test(x))) {
          if (existsSync(join(variations, name, v, 'config.json'))) cached.push({ label: `${name} v${v}`, description: 'kagglehub cache', detail: join(variations, name, v) });
        }
      }
    }
  } catch {
    // unreadable cache: offer the rest
  }
  const items: vscode.QuickPickItem[] = [
    ...folders,
    ...(cached.length ? [{ label: 'kagglehub cache', kind: vscode.QuickPickItemKind.Separator }, ...cached] : []),
    { label: 'Keras Hub ViT presets', kind: vscode.QuickPickItemKind.Separator },
    ...VIT_CATALOG.map((e) => ({ label: e.name, description: `${e.imageSize}px, patch ${e.patchSize}, ${e.pretraining === 'imagenet21k' ? '21k backbone' : '1k fine-tuned'}` })),
    { label: 'Browse...', description: 'a folder written by save_to_preset()' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Preset name or folder', matchOnDescription: true });
  if (!pick) return undefined;
  if (pick.label === 'Browse...') {
    const uri = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use preset folder' });
    return uri?.[0]?.fsPath;
  }
  return pick.detail ?? pick.label;
}
