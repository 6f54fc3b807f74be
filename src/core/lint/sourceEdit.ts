import { pointOf } from './syntaxNode';

/**
 * One edit of a text, as tree-sitter needs it to re-parse incrementally: the changed span in the old text
 * [start, oldEnd) became [start, newEnd) in the new text. Offsets are UTF-16 code units (what VS Code and
 * web-tree-sitter use for JS strings).
 */
export interface SourceEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** A change as VS Code reports it: `length` characters at `offset` replaced by `text` (offsets in the text before it). */
export interface TextChange {
  offset: number;
  length: number;
  text: string;
}

/** The smallest single edit turning `oldText` into `newText` (common prefix and suffix), or null when they are equal. */
export function diffEdit(oldText: string, newText: string): SourceEdit | null {
  if (oldText === newText) return null;
  const max = Math.min(oldText.length, newText.length);
  let start = 0;
  while (start < max && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let oldEnd = oldText.length;
  let newEnd = newText.length;
  while (oldEnd > start && newEnd > start && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return { start, oldEnd, newEnd };
}

/**
 * Changes applied one after another (each in the coordinates of the text the previous one produced, as VS Code's
 * `contentChanges` and successive change events are) merged into one edit that covers them all.
 */
export function mergeChanges(changes: readonly TextChange[]): SourceEdit | null {
  let edit: SourceEdit | null = null;
  for (const c of changes) {
    const end = c.offset + c.length;
    if (edit === null) {
      edit = { start: c.offset, oldEnd: end, newEnd: c.offset + c.text.length };
      continue;
    }
    // text outside [edit.start, edit.newEnd) is the old text shifted by (newEnd - oldEnd) after the span
    const start = Math.min(edit.start, c.offset);
    const coveredEnd = Math.max(edit.newEnd, end);
    const oldEnd: number = edit.oldEnd + Math.max(0, end - edit.newEnd);
    edit = { start, oldEnd, newEnd: coveredEnd + c.text.length - c.length };
  }
  return edit;
}

/**
 * The edit grown to whole lines (start of its first line, end of its last line in each text). Notebook magics and
 * shell lines are blanked line by line before parsing, so a change can alter how its whole line is read.
 */
export function widenToLines(edit: SourceEdit, oldText: string): SourceEdit {
  const start = edit.start === 0 ? 0 : oldText.lastIndexOf('\n', edit.start - 1) + 1;
  const oldNl = oldText.indexOf('\n', edit.oldEnd);
  const oldEnd = oldNl < 0 ? oldText.length : oldNl;
  // the texts agree after the edit, so the old line end lies as far beyond oldEnd as the new one beyond newEnd
  return { start, oldEnd, newEnd: edit.newEnd + (oldEnd - edit.oldEnd) };
}

/** 0-based row and column (UTF-16 code units) of an offset, by scanning back to the line start. */
export function pointAt(text: string, lineStarts: readonly number[] | null, offset: number): { row: number; column: number } {
  if (lineStarts) return pointOf(lineStarts, offset);
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}
