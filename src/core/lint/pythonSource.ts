import type * as TreeSitter from 'web-tree-sitter';
import type { Language, Parser as ParserType, Tree } from 'web-tree-sitter';
import { blankShellLines, blankShellLinesAfter } from './shellLines';
import { diffEdit, pointAt, widenToLines, type SourceEdit } from './sourceEdit';
import { pointOf, type SyntaxNode } from './syntaxNode';
import { cursorBinding, mirrorTree, type MirrorBinding, type MirrorReuse } from './treeMirror';

/** A parsed Python document, shared by every rule and the hover. */
export interface PythonSource {
  text: string;
  tree: Tree;
  /** The tree as plain JS objects (what the rules read; `tree` is kept for the next incremental parse). */
  root: SyntaxNode;
  /** Start offset (UTF-16 code units) of each line. */
  lineStarts: number[];
}

let parserPromise: Promise<ParserType> | null = null;
/** The wasm cursor functions, when the module was built on our options object (see treeMirror.ts). */
let binding: MirrorBinding | null = null;

/** Where the grammar and runtime wasm files are; overridable for packaged layouts. */
export interface ParserPaths {
  treeSitterWasm?: string;
  pythonWasm?: string;
}

/** Creates the shared parser once (web-tree-sitter + tree-sitter-python's wasm grammar from npm). */
export function getPythonParser(paths: ParserPaths = {}): Promise<ParserType> {
  if (!parserPromise) {
    parserPromise = (async () => {
      const { Parser, Language: Lang } = require('web-tree-sitter') as typeof TreeSitter;
      const runtime = paths.treeSitterWasm ?? require.resolve('web-tree-sitter/web-tree-sitter.wasm');
      const options = { locateFile: () => runtime };
      await Parser.init(options);
      binding = cursorBinding(options);
      const lang: Language = await Lang.load(paths.pythonWasm ?? require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
      const parser = new Parser();
      parser.setLanguage(lang);
      return parser;
    })();
    parserPromise.catch(() => {
      parserPromise = null;
    });
  }
  return parserPromise;
}

/**
 * Blanks notebook-export lines (`!pip …`, `%matplotlib …`, `get_ipython()` stays: it is valid Python) with spaces of
 * the same length so that offsets stay true, then parses. Never throws on any text.
 */
export function parsePython(parser: ParserType, text: string): PythonSource {
  const cleaned = blankShellLines(text);
  const tree = parser.parse(cleaned) as Tree;
  return withTree(text, cleaned, tree);
}

/** The text each source's tree was parsed from (shell lines blanked), kept for the next incremental parse. */
const parsedText = new WeakMap<PythonSource, string>();

function withTree(text: string, cleaned: string, tree: Tree, reuse?: MirrorReuse): PythonSource {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const root = mirrorTree(tree, { text: cleaned, lineStarts }, binding, reuse);
  const src = { text, tree, root, lineStarts };
  parsedText.set(src, cleaned);
  return src;
}

/**
 * Parses `text`, a later version of `prev.text`, reusing the parts of `prev`'s tree the change cannot have touched
 * (tree-sitter's edit + parse with the old tree). The result is the tree a fresh `parsePython(text)` builds. `edit`
 * (from the editor's change events) says where the texts differ; without it the texts are compared. `prev`'s tree
 * stays valid (it is copied before it is edited; the caller deletes it when done with it), but the statements of its
 * mirror that the edit did not touch are taken over by the result (moved in place, not copied): after this call
 * read `prev.text` and `prev.root` itself only, never the nodes below it.
 */
export function reparsePython(parser: ParserType, prev: PythonSource, text: string, edit?: SourceEdit | null): PythonSource {
  const oldCleaned = parsedText.get(prev) ?? blankShellLines(prev.text);
  const cleaned = blankShellLinesAfter(prev.text, oldCleaned, text);
  const given = edit ? widenToLines(edit, oldCleaned) : undefined;
  const change = given && consistent(given, oldCleaned, cleaned) ? given : diffEdit(oldCleaned, cleaned);
  if (!change) return withTree(text, cleaned, prev.tree.copy(), { prev: prev.root, editStart: -1, editEnd: -1, delta: 0, changed: [] });
  const old = prev.tree.copy();
  try {
    const { Edit } = require('web-tree-sitter') as typeof TreeSitter;
    old.edit(new Edit({
      startIndex: change.start, oldEndIndex: change.oldEnd, newEndIndex: change.newEnd,
      startPosition: pointAt(oldCleaned, prev.lineStarts, change.start),
      oldEndPosition: pointAt(oldCleaned, prev.lineStarts, change.oldEnd),
      newEndPosition: pointAt(cleaned, null, change.newEnd),
    }));
    const tree = parser.parse(cleaned, old) as Tree;
    // top-level statements the edit did not touch are taken over from prev's mirror (see mirrorTree)
    const reuse = { prev: prev.root, editStart: change.start, editEnd: change.newEnd, delta: change.newEnd - change.oldEnd, changed: old.getChangedRanges(tree) };
    return withTree(text, cleaned, tree, reuse);
  } finally {
    old.delete();
  }
}

/** An edit from change events is trusted only when it accounts for the length difference and the texts agree around it. */
function consistent(e: SourceEdit, oldText: string, newText: string): boolean {
  if (e.start < 0 || e.oldEnd < e.start || e.newEnd < e.start || e.oldEnd > oldText.length || e.newEnd > newText.length) return false;
  if (oldText.length - e.oldEnd !== newText.length - e.newEnd) return false;
  return oldText.slice(0, e.start) === newText.slice(0, e.start) && oldText.slice(e.oldEnd) === newText.slice(e.newEnd);
}

/** 0-based line/column of an offset (UTF-16 code units, what VS Code uses). */
export function positionAt(src: PythonSource, offset: number): { line: number; character: number } {
  const { row, column } = pointOf(src.lineStarts, offset);
  return { line: row, character: column };
}
