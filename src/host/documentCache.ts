import type * as vscode from 'vscode';
import { getPythonParser, parsePython, type ParserPaths, type PythonSource } from '../core/lint/pythonSource';

/** One parse per document version, shared by diagnostics, hover and commands. */
export class DocumentCache {
  private readonly entries = new Map<string, { version: number; src: PythonSource }>();
  constructor(private readonly paths: ParserPaths) {}

  async get(doc: vscode.TextDocument): Promise<PythonSource> {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.src;
    const parser = await getPythonParser(this.paths);
    const src = parsePython(parser, doc.getText());
    hit?.src.tree.delete();
    this.entries.set(key, { version: doc.version, src });
    return src;
  }

  forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.entries.get(key)?.src.tree.delete();
    this.entries.delete(key);
  }

  dispose(): void {
    for (const e of this.entries.values()) e.src.tree.delete();
    this.entries.clear();
  }
}
