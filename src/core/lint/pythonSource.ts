import type * as TreeSitter from 'web-tree-sitter';
import type { Language, Node, Parser as ParserType, Tree } from 'web-tree-sitter';

/** A parsed Python document, shared by every rule and the hover. */
export interface PythonSource {
  text: string;
  tree: Tree;
  root: Node;
  /** Start offset (UTF-16 code units) of each line. */
  lineStarts: number[];
}

let parserPromise: Promise<ParserType> | null = null;

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
      await Parser.init({ locateFile: () => runtime });
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
  const cleaned = text.replace(/^([ \t]*)([!%][^\r\n]*)/gm, (_m, indent: string, rest: string) => indent + ' '.repeat(rest.length));
  const tree = parser.parse(cleaned) as Tree;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return { text, tree, root: tree.rootNode, lineStarts };
}

/** 0-based line/column of an offset (UTF-16 code units, what VS Code uses). */
export function positionAt(src: PythonSource, offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = src.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((src.lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - (src.lineStarts[lo] as number) };
}
