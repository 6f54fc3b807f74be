import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';
import { lintSource, type LintOptions } from '../../../../src/core/lint/linter';
import type { LintFinding, TextEdit } from '../../../../src/core/lint/lintTypes';

export async function lintText(text: string, opts: LintOptions = {}): Promise<LintFinding[]> {
  const parser = await getPythonParser();
  const r = lintSource(parsePython(parser, text), opts);
  if (r.internalErrors.length) throw new Error(`rule crashed: ${r.internalErrors.join('; ')}`);
  return r.findings;
}

/** Applies edits (0-based line/character) to a text, last edit first. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const off = (p: { line: number; character: number }): number => (lineStarts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

/** `# expect: VTD001, VTD003` markers → "line:code" keys (1-based lines). */
export function expectedFindings(text: string): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const m = /#\s*expect:\s*([A-Z0-9,\s]+)$/.exec(l);
    if (m) for (const c of (m[1] as string).split(',').map((s) => s.trim()).filter(Boolean)) out.push(`${i + 1}:${c}`);
  });
  return out.sort();
}
