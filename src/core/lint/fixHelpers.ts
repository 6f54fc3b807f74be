import type { SyntaxNode as Node } from './syntaxNode';
import type { LintRange, RuleContext, TextEdit } from './lintTypes';
import { positionAt } from './pythonSource';

/** How the file refers to the keras_hub module ("keras_hub", "kh"), and an edit that imports it when it does not. */
export function kerasHubAlias(ctx: RuleContext): { alias: string; importEdit: TextEdit | null } {
  for (const [local, q] of ctx.model.imports) if (q === 'keras_hub') return { alias: local, importEdit: null };
  const firstImport = ctx.src.root.namedChildren.find((n) => n?.type === 'import_statement' || n?.type === 'import_from_statement');
  const line = firstImport ? firstImport.startPosition.row : 0;
  const at = { line, character: 0 };
  return { alias: 'keras_hub', importEdit: { range: { start: at, end: at }, newText: 'import keras_hub\n' } };
}

export function insertLineAfter(ctx: RuleContext, stmt: Node, text: string): TextEdit {
  const end = positionAt(ctx.src, stmt.endIndex);
  const indent = ' '.repeat(stmt.startPosition.column);
  const at: LintRange = { start: end, end };
  return { range: at, newText: `\n${indent}${text}` };
}

/** Inserts a line before a statement, at its indentation. */
export function insertLineBefore(ctx: RuleContext, stmt: Node, text: string): TextEdit {
  const start = positionAt(ctx.src, stmt.startIndex);
  return { range: { start, end: start }, newText: `${text}\n${' '.repeat(stmt.startPosition.column)}` };
}

/** Python literal of a string. */
export function pyString(s: string): string {
  return JSON.stringify(s);
}
