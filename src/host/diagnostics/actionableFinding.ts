import type * as vscode from 'vscode';
import type { LintRange } from '../../core/lint/lintTypes';

/** A finding as the code-action provider needs it: its fixes' edits may touch other documents (notebook cells). */
export interface ActionableFinding {
  code: string;
  message: string;
  range: LintRange;
  fixes: { title: string; preferred?: boolean; edits: { uri?: vscode.Uri; range: LintRange; newText: string }[] }[];
}

/** Where the code-action provider looks up the findings of a document. */
export interface FindingSource {
  findingsFor(uri: vscode.Uri): ActionableFinding[];
}
