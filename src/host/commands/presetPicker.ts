import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { codeInsights, type CodeInsights } from '../../core/lint/codeInsights';
import { parsePython } from '../../core/lint/pythonSource';
import { normalizePythonText } from '../../core/lint/pythonText';
import { buildNotebookProgram } from '../../core/notebook/notebookProgram';
import { diskPresetLookup } from '../../core/presets/presetFactsFromDisk';
import { catalogPickGroups, presetFolderFamily } from '../../core/presets/presetPickItems';
import { kagglehubCacheRoot } from '../../core/presets/presetResolver';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentCache } from '../documentCache';

export interface EditorContext {
  doc: vscode.TextDocument | null;
  insights: CodeInsights | null;
  baseDirs: string[];
  /** the cursor as an offset into the analysed text (a notebook's joined cells), when there is an editor */
  cursorOffset?: number;
  /** the cursor's line in the analysed text */
  cursorLine?: number;
}

/** Insights of a notebook (from any of its cells): the whole notebook, with the cursor placed in the joined program. */
async function notebookContext(cache: DocumentCache, nb: vscode.NotebookDocument, ed: vscode.TextEditor, dirs: string[]): Promise<EditorContext> {
  const cellDocs = nb.getCells();
  const program = buildNotebookProgram(cellDocs.map((c) => ({ kind: c.kind === vscode.NotebookCellKind.Code ? 'code' : 'markup', language: c.document.languageId, text: normalizePythonText(c.document.getText()) })));
  const src = parsePython(await cache.parser(), program.text);
  try {
    const idx = cellDocs.findIndex((c) => c.document === ed.document);
    const start = program.cellStart[idx];
    const line = start === null || start === undefined ? undefined : start + ed.selection.active.line;
    const cursorOffset = line === undefined ? undefined : (src.lineStarts[line] ?? 0) + ed.selection.active.character;
    // stage lines are program lines, not lines of the active cell: no click-to-reveal from a notebook
    const insights = { ...codeInsights(src, diskPresetLookup(dirs)), stageLines: {} };
    return { doc: ed.document, insights, baseDirs: dirs, ...(line !== undefined ? { cursorLine: line, cursorOffset } : {}) };
  } finally {
    src.tree.delete();
  }
}

/** Insights of the active Python editor (presets, expected shapes, the pipeline as written). */
export async function editorContext(cache: DocumentCache): Promise<EditorContext> {
  const ed = vscode.window.activeTextEditor;
  const ws = vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath) ?? [];
  if (!ed || ed.document.languageId !== 'python') return { doc: null, insights: null, baseDirs: ws };
  const nb = ed.document.uri.scheme === 'vscode-notebook-cell' ? vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === ed.document)) : undefined;
  if (nb) return notebookContext(cache, nb, ed, [...(nb.uri.scheme === 'file' ? [dirname(nb.uri.fsPath)] : []), ...ws]);
  const dirs = [...(ed.document.uri.scheme === 'file' ? [dirname(ed.document.uri.fsPath)] : []), ...ws];
  const src = await cache.get(ed.document);
  return { doc: ed.document, insights: src ? codeInsights(src, diskPresetLookup(dirs)) : null, baseDirs: dirs, cursorOffset: ed.document.offsetAt(ed.selection.active), cursorLine: ed.selection.active.line };
}

/** The preset under the cursor, else the first in the file. */
export function presetFromEditor(ctx: EditorContext): string | undefined {
  const ed = vscode.window.activeTextEditor;
  const presets = ctx.insights?.presets ?? [];
  if (ed && ctx.doc && ed.document === ctx.doc && ctx.cursorOffset !== undefined) {
    const off = ctx.cursorOffset;
    const under = presets.find((p) => p.start <= off && off <= p.end) ?? presets.find((p) => p.line === ctx.cursorLine);
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
      const family = presetFolderFamily(text);
      if (family) folders.push({ label: vscode.workspace.asRelativePath(vscode.Uri.file(dirname(f.fsPath))), description: `preset folder (${family})`, detail: dirname(f.fsPath) });
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
    ...catalogPickGroups().flatMap((g): vscode.QuickPickItem[] => [{ label: g.heading, kind: vscode.QuickPickItemKind.Separator }, ...g.items]),
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
