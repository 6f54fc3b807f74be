import * as vscode from 'vscode';
import { toRange } from '../convert';
import type { FindingSource } from './actionableFinding';

/** Quick fixes of the lint findings under the cursor (mechanical edits, then the ignore comments). */
export class LintCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  /** files and notebook cells keep their findings in different places */
  constructor(private readonly sources: FindingSource[]) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const findings = this.sources.flatMap((s) => s.findingsFor(doc.uri));
    for (const diag of context.diagnostics) {
      if (diag.source !== 'ViT Doctor') continue;
      const code = typeof diag.code === 'object' ? String(diag.code.value) : String(diag.code);
      const f = findings.find((x) => x.code === code && toRange(x.range).isEqual(diag.range) && x.message === diag.message);
      if (!f) continue;
      for (const fix of f.fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(e.uri ?? doc.uri, toRange(e.range), e.newText);
        action.edit = edit;
        action.diagnostics = [diag];
        action.isPreferred = fix.preferred ?? false;
        out.push(action);
      }
    }
    return out;
  }
}
