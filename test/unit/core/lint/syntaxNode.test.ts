import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { Node } from 'web-tree-sitter';
import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';
import type { SyntaxNode } from '../../../../src/core/lint/syntaxNode';
import { mirrorTree } from '../../../../src/core/lint/treeMirror';
import { seededRandom as rng } from '../../../../src/core/seededRandom';
import { walkCursor, type WalkableCursor } from '../../helpers/cursorWalk';

const CORPUS = resolve('test/fixtures/python');
const TEXTS = [
  ...readdirSync(CORPUS).filter((f) => f.endsWith('.py')).sort().map((f) => readFileSync(join(CORPUS, f), 'utf8')),
  // broken syntax (ERROR and MISSING nodes), non-ASCII text (offsets in UTF-16 code units), an empty file
  'def f(:\n  x = [1, 2\nprint("é😀", x)\n',
  'x = "😀😀"; y = f(x)[0].attr  # ü\nclass A(keras.Model):\n    def call(self, x): return x / 255.\n',
  '',
  '!pip install x\n%matplotlib inline\nimport keras_hub\n',
];

/** The first difference between web-tree-sitter's tree and the mirror (type, extent, text, named, field, parent), or null. */
function difference(a: Node, b: SyntaxNode, path: string): string | null {
  if (a.type !== b.type || a.startIndex !== b.startIndex || a.endIndex !== b.endIndex || a.isNamed !== b.isNamed || a.childCount !== b.childCount || a.text !== b.text) return `${path}: ${a.type}@${a.startIndex}-${a.endIndex} vs ${b.type}@${b.startIndex}-${b.endIndex}`;
  if (a.startPosition.row !== b.startPosition.row || a.startPosition.column !== b.startPosition.column || a.endPosition.row !== b.endPosition.row || a.endPosition.column !== b.endPosition.column) return `${path}: position`;
  for (let i = 0; i < a.childCount; i++) {
    const child = b.children[i]!;
    if ((a.fieldNameForChild(i) ?? null) !== child.field) return `${path}/${i}: field`;
    if (child.parent !== b || child.nextSibling !== (b.children[i + 1] ?? null)) return `${path}/${i}: links`;
    const d = difference(a.child(i)!, child, `${path}/${i}`);
    if (d) return d;
  }
  return null;
}

const same = (a: Node | null, b: SyntaxNode | null): boolean => (a === null ? b === null : !!b && a.type === b.type && a.startIndex === b.startIndex && a.endIndex === b.endIndex);

describe('syntax tree mirror', () => {
  it('is the tree web-tree-sitter parsed, node for node, by the fast walk and by the public cursor API', async () => {
    const parser = await getPythonParser();
    for (const [i, text] of TEXTS.entries()) {
      const src = parsePython(parser, text);
      try {
        assert.equal(difference(src.tree.rootNode, src.root, `text ${i}`), null);
        const slow = mirrorTree(src.tree, src.root.source, null);
        assert.equal(difference(src.tree.rootNode, slow, `text ${i} (public API)`), null);
      } finally {
        src.tree.delete();
      }
    }
  });

  it('is the parsed tree on randomly damaged files too (brackets, strings, indentation, comments and blank lines cut in)', async () => {
    const parser = await getPythonParser();
    const bits = ['(', ')', '[', '"', "'''", ':', '\n', '\n\n', '    ', '\t', '# note\n', '  # c\n', 'def f(', 'class A:\n', 'else:', '\\\n', 'lambda', '😀', ','];
    const r = rng(11);
    for (let trial = 0; trial < 150; trial++) {
      let text = TEXTS[trial % (TEXTS.length - 4)] as string;
      for (let k = 1 + Math.floor(r() * 5); k > 0; k--) {
        const at = Math.floor(r() * (text.length + 1));
        text = r() < 0.3 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 20)) : text.slice(0, at) + (bits[Math.floor(r() * bits.length)] as string) + text.slice(at);
      }
      const src = parsePython(parser, text);
      try {
        assert.equal(difference(src.tree.rootNode, src.root, `trial ${trial}`), null, JSON.stringify(text));
      } finally {
        src.tree.delete();
      }
    }
  });

  it('finds the node at an extent as tree-sitter does (descendantForIndex, namedDescendantForIndex, descendantsOfType)', async () => {
    const parser = await getPythonParser();
    for (const [i, text] of TEXTS.entries()) {
      const src = parsePython(parser, text);
      try {
        const root = src.tree.rootNode;
        for (let at = 0; at <= text.length; at += 3) {
          for (const len of [0, 1, 4, 11]) {
            const where = `text ${i} at ${at}+${len}`;
            assert.ok(same(root.descendantForIndex(at, at + len), src.root.descendantForIndex(at, at + len)), where);
            assert.ok(same(root.namedDescendantForIndex(at, at + len), src.root.namedDescendantForIndex(at, at + len)), `${where} (named)`);
          }
        }
        const types = ['identifier', 'call', 'attribute', 'for_statement', 'comment'];
        const want = root.descendantsOfType(types);
        const got = src.root.descendantsOfType(types);
        assert.equal(got.length, want.length, `text ${i}: descendantsOfType`);
        want.forEach((n, k) => assert.ok(same(n, got[k] ?? null), `text ${i}: descendantsOfType #${k}`));
      } finally {
        src.tree.delete();
      }
    }
  });

  it('walks like a TreeCursor: types, field names and the nodes met, children before siblings', async () => {
    const parser = await getPythonParser();
    const src = parsePython(parser, TEXTS[0] as string);
    try {
      const seen = (c: WalkableCursor & { nodeType: string; currentFieldName: string | null | undefined }): string[] => walkCursor(c, (at) => `${at.nodeType}:${at.currentFieldName ?? ''}`);
      assert.deepEqual(seen(src.root.walk()), seen(src.tree.walk()));
    } finally {
      src.tree.delete();
    }
  });
});
