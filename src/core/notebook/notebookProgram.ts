import type { LintFinding, LintRange, TextEdit } from '../lint/lintTypes';

/** One cell of a notebook, in stored order (markdown cells included, so that cell numbers match the file). */
export interface NotebookCell {
  kind: 'code' | 'markup';
  /** the cell's language (python, r, sql, ...); for .ipynb the notebook's kernel language unless the cell says otherwise */
  language: string;
  text: string;
}

/** The notebook's Python cells joined into one program, with the way back to cells. */
export interface NotebookProgram {
  text: string;
  /** per cell (stored order): the program line where it starts, or null when it is not part of the program */
  cellStart: (number | null)[];
  /** per cell: its line count in the program */
  cellLines: number[];
}

/** Cell magics whose cell body is still Python. */
const PYTHON_CELL_MAGICS = new Set(['capture', 'time', 'timeit', 'prun', 'debug', 'python', 'python3', 'pypy']);

/**
 * A line IPython would not hand to Python: `%magic`, `!shell`, `%%cellmagic` (first line), `?help`, `help?`. It is
 * turned into a comment of the same length, so that columns of the rest of the program do not move.
 */
function neutralise(line: string): string {
  const m = /^(\s*)([%!?]|[\w.]+\?{1,2}\s*$)/.exec(line);
  if (!m) return line;
  const indent = m[1] ?? '';
  return `${indent}#${line.slice(indent.length + 1)}`;
}

function isPythonCell(cell: NotebookCell): boolean {
  if (cell.kind !== 'code') return false;
  if (!/^(python|python3|ipython|ipython3)$/i.test(cell.language)) return false;
  const first = cell.text.split('\n', 1)[0]?.trim() ?? '';
  const magic = /^%%(\w+)/.exec(first);
  return !magic || PYTHON_CELL_MAGICS.has(magic[1]!.toLowerCase());
}

/** Joins the Python code cells in order (other cells are left out), magics neutralised, one newline between cells. */
export function buildNotebookProgram(cells: NotebookCell[]): NotebookProgram {
  const parts: string[] = [];
  const cellStart: (number | null)[] = [];
  const cellLines: number[] = [];
  let line = 0;
  for (const cell of cells) {
    if (!isPythonCell(cell)) {
      cellStart.push(null);
      cellLines.push(0);
      continue;
    }
    const lines = cell.text.replace(/\r\n?/g, '\n').split('\n').map(neutralise);
    cellStart.push(line);
    cellLines.push(lines.length);
    parts.push(lines.join('\n'));
    line += lines.length;
  }
  return { text: parts.join('\n'), cellStart, cellLines };
}

/** A program position as (cell index, position in the cell), or null when it falls outside every cell. */
export function toCellPosition(p: NotebookProgram, pos: { line: number; character: number }): { cell: number; line: number; character: number } | null {
  for (let c = 0; c < p.cellStart.length; c++) {
    const start = p.cellStart[c];
    if (start === null || start === undefined) continue;
    if (pos.line >= start && pos.line < start + (p.cellLines[c] as number)) return { cell: c, line: pos.line - start, character: pos.character };
  }
  return null;
}

/** A program range in one cell (a range crossing cells is cut at the end of its first cell). */
export function toCellRange(p: NotebookProgram, r: LintRange): { cell: number; range: LintRange } | null {
  const s = toCellPosition(p, r.start);
  if (!s) return null;
  const e = toCellPosition(p, r.end);
  const end = e && e.cell === s.cell ? { line: e.line, character: e.character } : { line: (p.cellLines[s.cell] as number) - 1, character: Number.MAX_SAFE_INTEGER };
  return { cell: s.cell, range: { start: { line: s.line, character: s.character }, end } };
}

export interface CellFinding extends Omit<LintFinding, 'range' | 'related' | 'fixes'> {
  cell: number;
  range: LintRange;
  related: { message: string; cell: number; range: LintRange }[];
  fixes: { title: string; preferred?: boolean; edits: (TextEdit & { cell: number })[] }[];
}

/**
 * Findings of the joined program mapped back to cells: the finding at its cell, related locations at theirs (often
 * other cells), quick-fix edits in the cells they touch. "Ignore in this file" becomes "in this notebook" (first cell).
 */
export function mapFindingsToCells(p: NotebookProgram, findings: LintFinding[]): CellFinding[] {
  const out: CellFinding[] = [];
  const firstCell = p.cellStart.findIndex((s) => s !== null);
  for (const f of findings) {
    const at = toCellRange(p, f.range);
    if (!at) continue;
    const related = f.related.flatMap((r) => {
      const m = toCellRange(p, r.range);
      return m ? [{ message: r.message, cell: m.cell, range: m.range }] : [];
    });
    const fixes = f.fixes.flatMap((fix) => {
      const edits = fix.edits.map((e) => {
        const m = toCellRange(p, e.range);
        return m ? { cell: m.cell, range: m.range, newText: e.newText } : null;
      });
      if (edits.some((e) => e === null)) return [];
      const title = fix.title.replace(/ in this file$/, ' in this notebook');
      return [{ title, ...(fix.preferred ? { preferred: true } : {}), edits: edits as (TextEdit & { cell: number })[] }];
    });
    if (firstCell < 0) continue;
    out.push({ code: f.code, rule: f.rule, severity: f.severity, message: f.message, cell: at.cell, range: at.range, related, fixes });
  }
  return out;
}
