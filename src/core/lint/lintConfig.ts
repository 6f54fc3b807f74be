import type { LintSeverity } from './lintTypes';

/** `[tool.vit-doctor]` in pyproject.toml plus VS Code settings, normalised. */
export interface LintConfig {
  select: string[] | null;
  ignore: string[];
  perFileIgnores: Record<string, string[]>;
  severity: Record<string, LintSeverity | 'off'>;
}

export const DEFAULT_LINT_CONFIG: LintConfig = { select: null, ignore: [], perFileIgnores: {}, severity: {} };

function parseValue(raw: string): unknown {
  const v = raw.trim();
  if (v.startsWith('[')) {
    return [...v.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2]);
  }
  const s = /^"([^"]*)"$|^'([^']*)'$/.exec(v);
  if (s) return s[1] ?? s[2];
  return v;
}

/** Reads only the [tool.vit-doctor] tables of a pyproject.toml (a TOML subset: strings and string arrays). */
export function parsePyprojectConfig(toml: string): LintConfig {
  const cfg: LintConfig = { select: null, ignore: [], perFileIgnores: {}, severity: {} };
  let table = '';
  let pending: { key: string; text: string } | null = null;
  for (const rawLine of toml.split(/\r?\n/)) {
    const line = rawLine.replace(/\s+#.*$/, '').trim();
    if (pending) {
      pending.text += ` ${line}`;
      if (!line.includes(']')) continue;
      apply(pending.key, pending.text);
      pending = null;
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const t = /^\[([^\]]+)\]$/.exec(line);
    if (t) {
      table = (t[1] as string).trim();
      continue;
    }
    if (!table.startsWith('tool.vit-doctor')) continue;
    const kv = /^("?[^"=]+"?)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const key = (kv[1] as string).replace(/^"|"$/g, '').trim();
    const value = kv[2] as string;
    if (value.trim().startsWith('[') && !value.includes(']')) {
      pending = { key, text: value };
      continue;
    }
    apply(key, value);
  }
  function apply(key: string, text: string): void {
    const v = parseValue(text);
    if (table === 'tool.vit-doctor') {
      if (key === 'select' && Array.isArray(v)) cfg.select = v as string[];
      else if (key === 'ignore' && Array.isArray(v)) cfg.ignore = v as string[];
    } else if (table === 'tool.vit-doctor.per-file-ignores' && Array.isArray(v)) cfg.perFileIgnores[key] = v as string[];
    else if (table === 'tool.vit-doctor.severity' && typeof v === 'string' && ['error', 'warning', 'information', 'off'].includes(v)) cfg.severity[key] = v as LintSeverity | 'off';
  }
  return cfg;
}

export function mergeConfig(base: LintConfig, over: Partial<LintConfig>): LintConfig {
  return {
    select: over.select ?? base.select,
    ignore: [...base.ignore, ...(over.ignore ?? [])],
    perFileIgnores: { ...base.perFileIgnores, ...(over.perFileIgnores ?? {}) },
    severity: { ...base.severity, ...(over.severity ?? {}) },
  };
}

/** Minimal glob: `*` within a segment, `**` across segments. Paths use forward slashes. */
export function globMatch(glob: string, path: string): boolean {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/\u0000/g, '(?:.*/)?');
  return new RegExp(`^${re}$`).test(path) || new RegExp(`(^|/)${re}$`).test(path);
}
