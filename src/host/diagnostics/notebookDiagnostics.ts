import { dirname, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { findLintConfig } from '../../core/lint/lintFiles';
import { findProjectFacts } from '../../core/lint/projectFacts';
import { mergeConfig } from '../../core/lint/lintConfig';
import { ruleDocPath } from '../../core/lint/lintTypes';
import { MAX_EDITOR_LINT_CHARS, normalizePythonText } from '../../core/lint/pythonText';
import { findRule } from '../../core/lint/ruleRegistry';
import type { Logger } from '../../core/logger';
import { NotebookLintSession } from '../../core/notebook/notebookLintSession';
import type { NotebookCell } from '../../core/notebook/notebookProgram';
import { diskPresetLookup } from '../../core/presets/presetFactsFromDisk';
import { toRange, toSeverity } from '../convert';
import type { DocumentCache } from '../documentCache';
import { readSettings } from '../settings';
import type { ActionableFinding, FindingSource } from './actionableFinding';

/** Notebook-wide ignores from the .ipynb metadata (`"vit-doctor": {"ignore": [...]}`), as VS Code's ipynb serializer exposes it. */
function metadataIgnores(nb: vscode.NotebookDocument): string[] {
  const md = nb.metadata as { metadata?: Record<string, unknown>; custom?: { metadata?: Record<string, unknown> } } | undefined;
  const raw = ((md?.metadata ?? md?.custom?.metadata)?.['vit-doctor'] as { ignore?: unknown } | undefined)?.ignore;
  return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Lints each open notebook as one program (its Python cells in order) and puts each diagnostic on its cell, with
 * related locations in the other cells. Updates on any cell edit (debounced) and when cells are added, removed or
 * moved; clears when the notebook closes.
 */
export class NotebookDiagnostics implements vscode.Disposable, FindingSource {
  readonly collection = vscode.languages.createDiagnosticCollection('vitDoctor.notebooks');
  private readonly findings = new Map<string, ActionableFinding[]>();
  /** cell uri → notebook uri, to clear a notebook's cells */
  private readonly cellsOf = new Map<string, vscode.Uri[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** per open notebook: its last program's tree and findings, for re-parsing incrementally */
  private readonly sessions = new Map<string, NotebookLintSession>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly cache: DocumentCache, private readonly extensionUri: vscode.Uri, private readonly log: Logger) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.schedule(nb, 0)),
      vscode.workspace.onDidChangeNotebookDocument((e) => this.schedule(e.notebook)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.clear(nb)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== 'vscode-notebook-cell') return;
        const nb = vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === e.document));
        if (nb) this.schedule(nb);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('vitDoctor')) for (const nb of vscode.workspace.notebookDocuments) this.schedule(nb, 0);
      }),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.schedule(nb, 0);
  }

  findingsFor(uri: vscode.Uri): ActionableFinding[] {
    return this.findings.get(uri.toString()) ?? [];
  }

  private schedule(nb: vscode.NotebookDocument, delay?: number): void {
    const key = nb.uri.toString();
    clearTimeout(this.timers.get(key));
    const ms = delay ?? readSettings(nb.uri).lintDebounceMs;
    this.timers.set(key, setTimeout(() => void this.run(nb), ms));
  }

  async run(nb: vscode.NotebookDocument): Promise<void> {
    const key = nb.uri.toString();
    this.timers.delete(key);
    const settings = readSettings(nb.uri);
    this.clearCells(key);
    if (!settings.lintEnable || nb.isClosed) return;
    const cellDocs = nb.getCells();
    const cells: NotebookCell[] = cellDocs.map((c) => ({
      kind: c.kind === vscode.NotebookCellKind.Code ? 'code' : 'markup',
      language: c.document.languageId,
      text: normalizePythonText(c.document.getText()),
    }));
    if (cells.reduce((n, c) => n + (c.kind === 'code' ? c.text.length : 0), 0) > MAX_EDITOR_LINT_CHARS) {
      this.log.info(`notebook ${nb.uri.fsPath}: more than ${MAX_EDITOR_LINT_CHARS / 1024} KB of code, not linted in the editor`);
      return;
    }
    try {
      const ws = vscode.workspace.getWorkspaceFolder(nb.uri)?.uri.fsPath;
      const dir = nb.uri.scheme === 'file' ? dirname(nb.uri.fsPath) : ws ?? process.cwd();
      const found = findLintConfig(dir);
      const config = mergeConfig(found.config, { severity: settings.lintSeverity });
      const rel = nb.uri.scheme === 'file' ? relative(found.root, nb.uri.fsPath).split(sep).join('/') : undefined;
      const parser = await this.cache.parser();
      let session = this.sessions.get(key);
      if (!session) this.sessions.set(key, (session = new NotebookLintSession()));
      const dirs = [dir, ...(ws ? [ws] : [])];
      // an unchanged program (a markdown cell edited) keeps its findings; preset folders are read again on the next code edit
      const { findings, internalErrors } = session.lint(parser, cells, { config, relativePath: rel, lookup: diskPresetLookup(dirs), lookupKey: dirs.join('\0'), project: findProjectFacts(dir, ws), ignore: metadataIgnores(nb) });
      for (const e of internalErrors) this.log.error(`lint ${nb.uri.fsPath}: rule failed: ${e}`);
      const byCell = new Map<number, vscode.Diagnostic[]>();
      const uriOf = (i: number): vscode.Uri => (cellDocs[i] as vscode.NotebookCell).document.uri;
      for (const f of findings) {
        const d = new vscode.Diagnostic(toRange(f.range), f.message, toSeverity(f.severity));
        const rule = findRule(f.code);
        d.source = 'ViT Doctor';
        d.code = { value: f.code, target: vscode.Uri.joinPath(this.extensionUri, rule ? ruleDocPath(rule) : 'README.md') };
        d.relatedInformation = f.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uriOf(r.cell), toRange(r.range)), r.message));
        byCell.set(f.cell, [...(byCell.get(f.cell) ?? []), d]);
        const cellKey = uriOf(f.cell).toString();
        const actionable: ActionableFinding = {
          code: f.code, message: f.message, range: f.range,
          fixes: f.fixes.map((x) => ({ title: x.title, ...(x.preferred ? { preferred: true } : {}), edits: x.edits.map((e) => ({ uri: uriOf(e.cell), range: e.range, newText: e.newText })) })),
        };
        this.findings.set(cellKey, [...(this.findings.get(cellKey) ?? []), actionable]);
      }
      const touched: vscode.Uri[] = [];
      for (const [cell, diags] of byCell) {
        this.collection.set(uriOf(cell), diags);
        touched.push(uriOf(cell));
      }
      this.cellsOf.set(key, touched);
    } catch (e) {
      this.log.error(`lint ${nb.uri.toString()}: ${(e as Error).message}`);
    }
  }

  private clearCells(key: string): void {
    for (const u of this.cellsOf.get(key) ?? []) {
      this.collection.delete(u);
      this.findings.delete(u.toString());
    }
    this.cellsOf.delete(key);
  }

  private clear(nb: vscode.NotebookDocument): void {
    clearTimeout(this.timers.get(nb.uri.toString()));
    this.clearCells(nb.uri.toString());
    this.sessions.get(nb.uri.toString())?.dispose();
    this.sessions.delete(nb.uri.toString());
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.disposables.forEach((d) => d.dispose());
  }
}
