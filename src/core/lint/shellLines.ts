import { diffEdit } from './sourceEdit';

/**
 * Blanks notebook-export lines (`!pip …`, `%matplotlib …`) with spaces of the same length so that offsets stay true
 * (`get_ipython()` stays: it is valid Python).
 */
export function blankShellLines(text: string): string {
  return text.replace(/^([ \t]*)([!%][^\r\n]*)/gm, (_m, indent: string, rest: string) => indent + ' '.repeat(rest.length));
}

/**
 * `blankShellLines(text)` for a later version of `prevText` whose blanked text is `prevCleaned`: only the lines the
 * change touched are blanked again. Exact: the blanking of a line depends on that line alone, and the region
 * re-blanked starts after a `\n` (or at 0) and ends at a `\n` (or at the end), where a fresh run's `^` and
 * `[^\r\n]*` start and stop too.
 */
export function blankShellLinesAfter(prevText: string, prevCleaned: string, text: string): string {
  if (prevCleaned.length !== prevText.length) return blankShellLines(text);
  // the common prefix [0, p) and suffix (q characters) of the two texts
  const d = diffEdit(prevText, text);
  if (!d) return prevCleaned;
  const p = d.start;
  const q = text.length - d.newEnd;
  const start = p === 0 ? 0 : text.lastIndexOf('\n', p - 1) + 1;
  const nl = text.indexOf('\n', text.length - q);
  const end = nl < 0 ? text.length : nl;
  const oldEnd = nl < 0 ? prevText.length : end - (text.length - prevText.length);
  return prevCleaned.slice(0, start) + blankShellLines(text.slice(start, end)) + prevCleaned.slice(oldEnd);
}
