/**
 * Turns the bytes of a Python file into text the parser can take, as CPython would read it where it can: a UTF-8 or
 * UTF-16 BOM honoured, invalid UTF-8 replaced (U+FFFD), a lone CR read as a line break, NUL bytes blanked (same
 * offsets, so positions stay right). Files too large or binary are not linted, with the reason.
 */

/** Above this, a file is not linted (the syntax-tree walk costs about 3 s per MB and more memory than an editor has). */
export const MAX_LINT_BYTES = 2 * 1024 * 1024;
/** The editor's limit, lower: linting runs in the extension host on every edit. */
export const MAX_EDITOR_LINT_CHARS = 512 * 1024;
/** A line longer than this is not source code a person wrote (minified or generated): the editor does not lint it. */
export const MAX_EDITOR_LINE_CHARS = 20_000;

export type PythonText = { text: string; skip?: undefined } | { skip: string; text?: undefined };

function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12) control++;
  }
  return n > 0 && control / n > 0.1;
}

/** Text with NUL blanked and lone CRs made LF (one character each: offsets and columns do not move). */
export function normalizePythonText(text: string): string {
  return text.replace(/\0/g, ' ').replace(/\r(?!\n)/g, '\n');
}

export function decodePythonBytes(bytes: Uint8Array): PythonText {
  if (bytes.length > MAX_LINT_BYTES) return { skip: `larger than ${MAX_LINT_BYTES / 1024 / 1024} MB (${(bytes.length / 1024 / 1024).toFixed(1)} MB): not linted` };
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    if (isBinary(bytes)) return { skip: 'a binary file, not Python source: not linted' };
    text = new TextDecoder('utf-8').decode(bytes); // drops a UTF-8 BOM; invalid sequences become U+FFFD
  }
  return { text: normalizePythonText(text) };
}

/** Why the editor should not lint this document (null = lint it). */
export function editorLintLimit(text: string): string | null {
  if (text.length > MAX_EDITOR_LINT_CHARS) return `ViT Doctor does not lint files over ${MAX_EDITOR_LINT_CHARS / 1024} KB in the editor (this one is ${Math.round(text.length / 1024)} KB); run "vit-doctor lint" on it instead.`;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    if (end - start > MAX_EDITOR_LINE_CHARS) return `ViT Doctor does not lint files with lines over ${MAX_EDITOR_LINE_CHARS.toLocaleString('en-US')} characters in the editor (generated code?); run "vit-doctor lint" on it instead.`;
    if (nl < 0) return null;
    start = nl + 1;
  }
}
