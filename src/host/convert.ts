import * as vscode from 'vscode';
import type { LintRange, LintSeverity } from '../core/lint/lintTypes';

export const toRange = (r: LintRange): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

export const toSeverity = (s: LintSeverity): vscode.DiagnosticSeverity =>
  s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
