import type { SyntaxNode as Node } from './syntaxNode';
import type { PresetLookup } from '../presets/presetFacts';
import { KerasValues } from './kerasValues';
import { DEFAULT_LINT_CONFIG, globMatch, type LintConfig } from './lintConfig';
import type { LintFinding, LintRange, RuleContext } from './lintTypes';
import { collectEvidence } from './preprocessingEvidence';
import { PythonModel } from './pythonModel';
import type { ProjectFacts } from './projectFacts';
import { positionAt, type PythonSource } from './pythonSource';
import { RULES } from './ruleRegistry';

const IGNORE_LINE = /#\s*vit-doctor:\s*ignore(?:\[([A-Za-z0-9_,\s-]+)\])?/;
const IGNORE_FILE = /#\s*vit-doctor:\s*ignore-file(?:\[([A-Za-z0-9_,\s-]+)\])?/;

function codesOf(m: RegExpExecArray | null): string[] | 'all' | null {
  if (!m) return null;
  return m[1] ? m[1].split(',').map((s) => s.trim().toUpperCase()) : 'all';
}

/** Line `k` of the text without its line break (`text.split(/\r?\n/)[k] ?? ''`, without splitting the whole file per pass). */
function lineText(src: PythonSource, k: number): string {
  const start = src.lineStarts[k];
  if (start === undefined) return '';
  const next = src.lineStarts[k + 1];
  if (next === undefined) return src.text.slice(start);
  return src.text.slice(start, src.text.charCodeAt(next - 2) === 13 && next - 2 >= start ? next - 2 : next - 1);
}

export interface LintOptions {
  config?: LintConfig;
  /** Path of the file relative to the config root (forward slashes), for per-file ignores. */
  relativePath?: string;
  lookup?: PresetLookup;
  /** Facts about the file's project (its own copy of keras_cv/keras_hub); none when linting text alone. */
  project?: ProjectFacts;
}

/** Runs every enabled rule over one parsed file. Never throws: a failing rule is skipped and reported as `internal`. */
export function lintSource(src: PythonSource, opts: LintOptions = {}): { findings: LintFinding[]; internalErrors: string[] } {
  const config = opts.config ?? DEFAULT_LINT_CONFIG;
  const model = new PythonModel(src);
  const values = new KerasValues(model, opts.lookup);
  const evidence = collectEvidence(model, values);
  const findings: LintFinding[] = [];
  const internalErrors: string[] = [];
  const fileIgnore = codesOf(IGNORE_FILE.exec(src.text));
  const perFile = Object.entries(config.perFileIgnores).filter(([g]) => opts.relativePath && globMatch(g, opts.relativePath)).flatMap(([, codes]) => codes.map((c) => c.toUpperCase()));
  const range = (n: Node): LintRange => ({ start: positionAt(src, n.startIndex), end: positionAt(src, n.endIndex) });
  const offsets = (a: number, b: number): LintRange => ({ start: positionAt(src, a), end: positionAt(src, b) });
  for (const rule of RULES) {
    const sel = (c: string): boolean => c === rule.code || c === rule.name.toUpperCase() || c === 'ALL';
    if (config.select && !config.select.map((s) => s.toUpperCase()).some(sel)) continue;
    if (config.ignore.map((s) => s.toUpperCase()).some(sel) || perFile.some(sel)) continue;
    if (fileIgnore === 'all' || (Array.isArray(fileIgnore) && fileIgnore.some(sel))) continue;
    const override = config.severity[rule.code] ?? config.severity[rule.name];
    if (override === 'off') continue;
    const seen = new Set<string>();
    const ctx: RuleContext = {
      src, model, values, evidence, lookup: opts.lookup, project: opts.project, range, offsets,
      report(f) {
        const key = `${f.range.start.line}:${f.range.start.character}:${f.message}`;
        if (seen.has(key)) return;
        seen.add(key);
        const line = lineText(src, f.range.start.line);
        const lineIgnore = codesOf(IGNORE_LINE.exec(line));
        if (lineIgnore === 'all' || (Array.isArray(lineIgnore) && lineIgnore.some(sel))) return;
        const endOfLine = { line: f.range.start.line, character: line.length };
        const suppress = [
          { title: `Ignore ${rule.code} on this line`, edits: [{ range: { start: endOfLine, end: endOfLine }, newText: `  # vit-doctor: ignore[${rule.code}]` }] },
          { title: `Ignore ${rule.code} in this file`, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `# vit-doctor: ignore-file[${rule.code}]\n` }] },
        ];
        findings.push({ code: rule.code, rule: rule.name, severity: override ?? f.severity ?? rule.defaultSeverity, message: f.message, range: f.range, related: f.related ?? [], fixes: [...(f.fixes ?? []), ...suppress] });
      },
    };
    try {
      rule.check(ctx);
    } catch (e) {
      internalErrors.push(`${rule.code}: ${(e as Error).message}`);
    }
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  return { findings, internalErrors };
}
