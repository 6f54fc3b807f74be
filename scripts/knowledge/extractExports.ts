export interface ExtractedExport {
  namespace: 'models' | 'layers';
  name: string;
  module: string;
  className: string;
  /** Label of the merge-conflict side the name sits on (e.g. "HEAD", "modernbert"), absent outside conflicts. */
  conflictSide?: string;
}

const CONFLICT = /^(<{7}|={7}|>{7})(?: (.*))?$/;

/**
 * Splits off merge-conflict markers: returns the text with marker lines blanked (offsets kept) and, per line, the
 * side label of the conflict it belongs to. Both sides are kept: a name on either side exists on some branch.
 */
export function stripConflicts(text: string): { text: string; sideOfLine: (string | undefined)[]; conflicts: number } {
  const lines = text.split('\n');
  const sideOfLine: (string | undefined)[] = new Array(lines.length).fill(undefined);
  let conflicts = 0;
  for (let i = 0; i < lines.length; i++) {
    const start = CONFLICT.exec(lines[i] as string);
    if (!start || start[1] !== '<<<<<<<') continue;
    const mid = lines.findIndex((l, j) => j > i && /^={7}$/.test(l));
    const end = lines.findIndex((l, j) => j > mid && mid > 0 && /^>{7}/.test(l));
    if (mid < 0 || end < 0) break;
    const ours = start[2]?.trim() || 'ours';
    const theirs = (CONFLICT.exec(lines[end] as string)?.[2] ?? '').trim() || 'theirs';
    for (let j = i + 1; j < mid; j++) sideOfLine[j] = ours;
    for (let j = mid + 1; j < end; j++) sideOfLine[j] = theirs;
    for (const j of [i, mid, end]) lines[j] = ' '.repeat((lines[j] as string).length);
    conflicts++;
    i = end;
  }
  return { text: lines.join('\n'), sideOfLine, conflicts };
}

/**
 * Names re-exported by a generated `keras_hub/api/<namespace>/__init__.py`:
 * `from keras_hub.src.models.vit.vit_backbone import ViTBackbone as ViTBackbone`, parenthesised or not.
 * Regular expressions, not a parser: a file with merge-conflict markers is not valid Python but its names are real.
 */
export function extractApiExports(text: string, namespace: 'models' | 'layers'): { exports: ExtractedExport[]; conflicts: number } {
  const { text: clean, sideOfLine, conflicts } = stripConflicts(text);
  const lineOf = (offset: number): number => clean.slice(0, offset).split('\n').length - 1;
  const out: ExtractedExport[] = [];
  const statement = /^from[ \t]+(keras_hub\.src\.[\w.]+)[ \t]+import[ \t]+(\([^)]*?(?=\)|^from[ \t])|[^\n(]+)/gms;
  for (let m = statement.exec(clean); m; m = statement.exec(clean)) {
    const module = m[1] as string;
    const body = m[2] as string;
    const bodyStart = m.index + m[0].length - body.length;
    const item = /([A-Za-z_]\w*)(?:[ \t]+as[ \t]+([A-Za-z_]\w*))?/g;
    for (let it = item.exec(body); it; it = item.exec(body)) {
      const className = it[1] as string;
      const name = it[2] ?? className;
      const side = sideOfLine[lineOf(bodyStart + it.index)];
      out.push({ namespace, name, module, className, ...(side ? { conflictSide: side } : {}) });
    }
  }
  return { exports: out, conflicts };
}

/** `@keras_hub_export("keras_hub.layers.X")` / `@keras_hub_export(["keras_hub.models.A", "keras_hub.models.B"])`. */
export function extractDecoratorExports(text: string, module: string): ExtractedExport[] {
  const out: ExtractedExport[] = [];
  const deco = /@keras_hub_export\(\s*(\[[^\]]*\]|"[^"]*"|'[^']*')\s*\)\s*\n\s*class\s+([A-Za-z_]\w*)/g;
  for (let m = deco.exec(text); m; m = deco.exec(text)) {
    const className = m[2] as string;
    for (const q of (m[1] as string).match(/["'][^"']+["']/g) ?? []) {
      const full = q.slice(1, -1);
      const parts = /^keras_hub\.(models|layers)\.([A-Za-z_]\w*)$/.exec(full);
      if (parts) out.push({ namespace: parts[1] as 'models' | 'layers', name: parts[2] as string, module, className });
    }
  }
  return out;
}

/**
 * Names keras-cv exports as `keras_cv.models.X`: its `keras_cv/models/__init__.py` (up to 0.8,
 * `from keras_cv.models.backbones... import (X,)`) or the generated `keras_cv/api/models/__init__.py` (0.9,
 * `from keras_cv.src.models... import X`). Sub-namespaces (`from keras_cv.api.models import classification`) are not names.
 * `prefix` names a sub-namespace's exports: `legacy.` for `keras_cv/models/legacy/__init__.py` (`keras_cv.models.legacy.X`).
 */
export function extractKerasCvModelExports(text: string, prefix = ''): ExtractedExport[] {
  const out: ExtractedExport[] = [];
  const statement = /^from[ \t]+(keras_cv\.(?:src\.)?models\.[\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n(]+)/gm;
  for (let m = statement.exec(text); m; m = statement.exec(text)) {
    const body = (m[2] as string).replace(/#[^\n]*/g, '');
    const item = /([A-Za-z_]\w*)(?:[ \t]+as[ \t]+([A-Za-z_]\w*))?/g;
    for (let it = item.exec(body); it; it = item.exec(body)) {
      if (it[1] === 'as') continue;
      out.push({ namespace: 'models', name: prefix + (it[2] ?? (it[1] as string)), module: m[1] as string, className: it[1] as string });
    }
  }
  return out;
}
