import type * as vscode from 'vscode';
import { getPythonParser, parsePython, reparsePython, type ParserPaths, type PythonSource } from '../core/lint/pythonSource';
import { editorLintLimit, normalizePythonText } from '../core/lint/pythonText';
import { mergeChanges, type SourceEdit, type TextChange } from '../core/lint/sourceEdit';

/** Change events of one document since its cached parse: the version each produced and its changes. */
type PendingChanges = { version: number; changes: TextChange[] }[];

/**
 * One parse per document version, shared by diagnostics, hover and commands. A new version is parsed incrementally
 * from the previous version's tree: where it changed comes from the editor's change events when they account for
 * every version in between, otherwise from comparing the texts.
 */
export class DocumentCache {
  private readonly entries = new Map<string, { version: number; src: PythonSource }>();
  private readonly pending = new Map<string, PendingChanges>();
  /** Parses so far: from scratch, incremental with the edit from change events, incremental by comparing texts. */
  readonly stats = { parsed: 0, fromEvents: 0, compared: 0 };
  constructor(private readonly paths: ParserPaths) {}

  /** Records an edit (called from the text-change listener) so that the next parse knows where the text changed. */
  noteChanges(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    if (!this.entries.has(key)) return;
    const list = this.pending.get(key) ?? [];
    list.push({ version: e.document.version, changes: e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, text: c.text })) });
    // a document edited for long without being parsed: comparing the texts is as good
    if (list.length > 500) this.pending.delete(key);
    else this.pending.set(key, list);
  }

  /** The parsed document, or null when it is too large or has very long lines (the editor must stay responsive). */
  async get(doc: vscode.TextDocument): Promise<PythonSource | null> {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.src;
    const text = doc.getText();
    if (editorLintLimit(text)) {
      this.forget(doc);
      return null;
    }
    const parser = await getPythonParser(this.paths);
    const again = this.entries.get(key);
    if (again && again.version === doc.version) return again.src;
    const pending = this.pending.get(key);
    this.pending.delete(key);
    const normalized = normalizePythonText(text);
    const edit = again ? editSince(again.version, doc.version, pending) : undefined;
    this.stats[!again ? 'parsed' : edit === undefined ? 'compared' : 'fromEvents']++;
    const src = again ? reparsePython(parser, again.src, normalized, edit) : parsePython(parser, normalized);
    again?.src.tree.delete();
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
    this.pending.delete(key);
  }

  dispose(): void {
    for (const e of this.entries.values()) e.src.tree.delete();
    this.entries.clear();
    this.pending.clear();
  }
}

/** The edit from version `from` to `to`, when the recorded events are exactly the versions in between; else undefined. */
function editSince(from: number, to: number, pending: PendingChanges | undefined): SourceEdit | null | undefined {
  const events = (pending ?? []).filter((p) => p.version > from && p.version <= to);
  if (events.length !== to - from || events.some((p, i) => p.version !== from + i + 1)) return undefined;
  return mergeChanges(events.flatMap((p) => p.changes));
}
