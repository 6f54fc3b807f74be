import type * as vscode from 'vscode';
import { getPythonParser, parsePython, type ParserPaths, type PythonSource } from '../core/lint/pythonSource';
import { editorLintLimit, normalizePythonText } from '../core/lint/pythonText';

/** One parse per document version, shared by diagnostics, hover and commands. */
export class DocumentCache {
  private readonly entries = new Map<string, { version: number; src: PythonSource }>();
  constructor(private readonly paths: ParserPaths) {}

  /** The parsed document, or null when it is too large or has very long lines (the editor must stay responsive). */
  async get(doc: vscode.TextDocument): Promise<PythonSource | null> {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.src;
    const text = doc.getText();
    if (editorLintLimit(text)) return null;
    const parser = await getPythonParser(this.paths);
    const src = parsePython(parser, normalizePythonText(text));
    hit?.src.tree.delete();
    this.entries.set(key, { version: doc.version, src });
    return src;
  }

  /** The shared parser (notebooks parse their joined cells with it). */
  parser(): ReturnType<typeof getPythonParser> {
    return getPythonParser(this.paths);
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
