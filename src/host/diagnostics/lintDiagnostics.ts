import { dirname, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { editorLintLimit } from '../../core/lint/pythonText';
import { findLintConfig } from '../../core/lint/lintFiles';
import { lintSource } from '../../core/lint/linter';
import { findProjectFacts } from '../../core/lint/projectFacts';
import { mergeConfig } from '../../core/lint/lintConfig';
import { ruleDocPath, type LintFinding } from '../../core/lint/lintTypes';
import { findRule } from '../../core/lint/ruleRegistry';
import type { Logger } from '../../core/logger';
import { diskPresetLookup } from '../../core/presets/presetFactsFromDisk';
import { toRange, toSeverity } from '../convert';
import type { DocumentCache } from '../documentCache';
import { readSettings } from '../settings';
import type { FindingSource } from './actionableFinding';

/** One DiagnosticCollection, updated on open, on change (debounced) and on save; cleared on close. */
export class LintDiagnostics implements vscode.Disposable, FindingSource {
  readonly collection = vscode.languages.createDiagnosticCollection('vitDoctor');
  private readonly findings = new Map<string, LintFinding[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly cache: DocumentCache, private readonly extensionUri: vscode.Uri, private readonly log: Logger) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        this.cache.noteChanges(e);
        this.schedule(e.document);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('vitDoctor')) for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Findings of the last lint of a document (for code actions). */
  findingsFor(uri: vscode.Uri): LintFinding[] {
    return this.findings.get(uri.toString()) ?? [];
  }

  private schedule(doc: vscode.TextDocument, delay?: number): void {
    // notebook cells are linted together, by NotebookDiagnostics
    if (doc.languageId !== 'python' || doc.uri.scheme === 'output' || doc.uri.scheme === 'vscode-notebook-cell') return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    const ms = delay ?? readSettings(doc.uri).lintDebounceMs;
    this.timers.set(key, setTimeout(() => void this.run(doc), ms));
  }

  async run(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    this.timers.delete(key);
    const settings = readSettings(doc.uri);
    if (!settings.lintEnable || doc.isClosed) {
      this.collection.delete(doc.uri);
      this.findings.delete(key);
      return;
    }
    try {
      const src = await this.cache.get(doc);
      if (!src) {
        // too large or generated: one information diagnostic says why, instead of freezing the editor
        const why = editorLintLimit(doc.getText()) ?? 'not linted';
        this.findings.set(key, []);
        const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), why, vscode.DiagnosticSeverity.Information);
        d.source = 'ViT Doctor';
        this.collection.set(doc.uri, [d]);
        return;
      }
      const ws = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
      const fileDir = doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : ws ?? process.cwd();
      const found = findLintConfig(fileDir);
      const config = mergeConfig(found.config, { severity: settings.lintSeverity });
      const rel = doc.uri.scheme === 'file' ? relative(found.root, doc.uri.fsPath).split(sep).join('/') : undefined;
      const project = findProjectFacts(fileDir, ws);
      const { findings, internalErrors } = lintSource(src, { config, relativePath: rel, lookup: diskPresetLookup([fileDir, ...(ws ? [ws] : [])]), project });
      for (const e of internalErrors) this.log.error(`lint ${doc.uri.fsPath}: rule failed: ${e}`);
      this.findings.set(key, findings);
      this.collection.set(doc.uri, findings.map((f) => this.toDiagnostic(doc, f)));
    } catch (e) {
      this.log.error(`lint ${doc.uri.toString()}: ${(e as Error).message}`);
    }
  }

  private toDiagnostic(doc: vscode.TextDocument, f: LintFinding): vscode.Diagnostic {
    const d = new vscode.Diagnostic(toRange(f.range), f.message, toSeverity(f.severity));
    const rule = findRule(f.code);
    d.source = 'ViT Doctor';
    d.code = { value: f.code, target: vscode.Uri.joinPath(this.extensionUri, rule ? ruleDocPath(rule) : 'README.md') };
    d.relatedInformation = f.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri, toRange(r.range)), r.message));
    return d;
  }

  private clear(doc: vscode.TextDocument): void {
    clearTimeout(this.timers.get(doc.uri.toString()));
    this.collection.delete(doc.uri);
    this.findings.delete(doc.uri.toString());
    this.cache.forget(doc);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.disposables.forEach((d) => d.dispose());
  }
}
