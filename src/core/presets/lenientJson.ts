/**
 * JSON as Python's json module writes it: also the bare tokens NaN, Infinity and -Infinity, which JSON.parse
 * rejects. They become marker strings, so that a validator can name the key that holds one ("offset" contains NaN)
 * instead of failing on the whole file.
 */
const MARK = '\u0000nonfinite:';

export function parseLenientJson(text: string): unknown {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // skip the string, honouring escapes
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m && !/[A-Za-z0-9_]/.test(text[i - 1] ?? ' ')) {
      out += `${text.slice(last, i)}"\\u0000nonfinite:${m[1]}"`; // the JSON escape of MARK
      i += m[1]!.length;
      last = i;
      continue;
    }
    i++;
  }
  return JSON.parse(out + text.slice(last));
}

/** 'NaN', 'Infinity' or '-Infinity' when `v` is a marker left by parseLenientJson, else null. */
export function nonFiniteMarker(v: unknown): string | null {
  return typeof v === 'string' && v.startsWith(MARK) ? v.slice(MARK.length) : null;
}

/** A value as the user wrote it, for error messages (markers shown as NaN/Infinity). */
export function shownJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => nonFiniteMarker(x) ?? x)?.replace(/"(NaN|-?Infinity)"/g, '$1') ?? String(v);
}
