import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { HOVER_COMMANDS, presetHoverAt } from '../../core/hover/hoverContent';
import { diskPresetLookup } from '../../core/presets/presetFactsFromDisk';
import type { DocumentCache } from '../documentCache';

/** Hover on a preset name anywhere in Python code: config, tokens, input contract, converter line, command links. */
export class PresetHoverProvider implements vscode.HoverProvider {
  constructor(private readonly cache: DocumentCache) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | null> {
    const src = await this.cache.get(doc);
    if (!src) return null;
    const ws = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
    const dirs = [...(doc.uri.scheme === 'file' ? [dirname(doc.uri.fsPath)] : []), ...(ws ? [ws] : [])];
    const h = presetHoverAt(src, doc.offsetAt(pos), diskPresetLookup(dirs));
    if (!h) return null;
    const md = new vscode.MarkdownString(h.markdown);
    md.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
    md.supportHtml = true;
    return new vscode.Hover(md, new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)));
  }
}
