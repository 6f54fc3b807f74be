import * as vscode from 'vscode';
import { toRange } from '../convert';
import type { LintDiagnostics } from './lintDiagnostics';

/** Quick fixes of the lint findings under the cursor (mechanical edits, then the ignore comments). */
export class LintCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  constructor(private readonly diagnostics: LintDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const findings = this.diagnostics.findingsFor(doc.uri);
    for (const diag of context.diagnostics) {
      if (diag.source !== 'ViT Doctor') continue;
      const code = typeof diag.code === 'object' ? String(diag.code.value) : String(diag.code);
      const f = findings.find((x) => x.code === code && toRange(x.range).isEqual(diag.range) && x.message === diag.message);
      if (!f) continue;
      for (const fix of f.fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(doc.uri, toRange(e.range), e.newText);
        action.edit = edit;
        action.diagnostics = [diag];
        action.isPreferred = fix.preferred ?? false;
        out.push(action);
      }
    }
    return out;
  }
}
