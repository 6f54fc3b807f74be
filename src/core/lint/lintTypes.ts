import type { SyntaxNode as Node } from './syntaxNode';
import type { PresetLookup } from '../presets/presetFacts';
import type { KerasValues } from './kerasValues';
import type { Evidence } from './preprocessingEvidence';
import type { ProjectFacts } from './projectFacts';
import type { PythonModel } from './pythonModel';
import type { PythonSource } from './pythonSource';

export type LintSeverity = 'error' | 'warning' | 'information';

/** 0-based positions (UTF-16 code units), as VS Code uses them. */
export interface LintRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface TextEdit {
  range: LintRange;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

export interface LintFinding {
  code: string;
  rule: string;
  severity: LintSeverity;
  message: string;
  range: LintRange;
  related: { message: string; range: LintRange }[];
  fixes: QuickFix[];
}

export interface RuleContext {
  src: PythonSource;
  model: PythonModel;
  values: KerasValues;
  evidence: Evidence;
  lookup?: PresetLookup;
  /** Facts about the file's project, when the caller knows where the file lives. */
  project?: ProjectFacts;
  range(node: Node): LintRange;
  offsets(start: number, end: number): LintRange;
  report(f: Omit<LintFinding, 'code' | 'rule' | 'severity' | 'related' | 'fixes'> & Partial<Pick<LintFinding, 'severity' | 'related' | 'fixes'>>): void;
}

export interface LintRule {
  code: string;
  name: string;
  defaultSeverity: LintSeverity;
  summary: string;
  check(ctx: RuleContext): void;
}

export function ruleDocPath(rule: Pick<LintRule, 'code' | 'name'>): string {
  return `docs/rules/${rule.code}-${rule.name}.md`;
}
