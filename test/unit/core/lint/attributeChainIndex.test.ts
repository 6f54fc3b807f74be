import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { PythonModel } from '../../../../src/core/lint/pythonModel';
import { getPythonParser, parsePython } from '../../../../src/core/lint/pythonSource';
import type { SyntaxNode } from '../../../../src/core/lint/syntaxNode';
import { seededRandom as rng } from '../../../../src/core/seededRandom';

const CORPUS = resolve('test/fixtures/python');
const TEXTS = [
  ...readdirSync(CORPUS).filter((f) => f.endsWith('.py')).sort().map((f) => readFileSync(join(CORPUS, f), 'utf8')),
  // soft keywords used as names (tree-sitter aliases some of them to identifiers), broken syntax, non-ASCII text
  'match = 1\nprint(match)\ntype = 2\nexec = print\nasync_ = 3\nawait_x = match.type\nmatch.value = type\n',
  'def f(:\n  x = [1, 2\nprint("é😀 x", x)  # x in a comment\n',
  'x = "x x"; y = f(x)[0].x  # ü x\nclass A(keras.Model):\n    def call(self, x): return self.x / 255.\n',
];

/** `references` of a dotted name as the model found them before its chain index: every chain prefix tested. */
function attributeReadsByScan(model: PythonModel, name: string): SyntaxNode[] {
  return model.attributesMatching((t) => t === name).filter((n) => {
    const p = n.parent;
    if (p?.type === 'assignment' && p.childForFieldName('left')?.id === n.id) return false;
    return !(p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === n.id);
  });
}

function check(where: string, model: PythonModel): number {
  const chains = new Set<string>();
  for (const m of model.src.text.matchAll(/(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+/g)) {
    const parts = m[0].split('.');
    for (let k = 2; k <= parts.length; k++) chains.add(parts.slice(0, k).join('.'));
  }
  let found = 0;
  for (const c of chains) {
    const reads = model.references(c);
    assert.deepEqual(reads.map((n) => n.id), attributeReadsByScan(model, c).map((n) => n.id), `${where}: references ${c}`);
    found += reads.length;
  }
  return found;
}

describe('PythonModel attribute chain index', () => {
  it('finds the attribute chains of a dotted name as testing every prefix of every chain does', async () => {
    const parser = await getPythonParser();
    for (const [i, text] of TEXTS.entries()) {
      const src = parsePython(parser, text);
      try {
        check(`text ${i}`, new PythonModel(src));
      } finally {
        src.tree.delete();
      }
    }
  });

  it('does so on randomly damaged files (ERROR and MISSING nodes)', async () => {
    const parser = await getPythonParser();
    const bits = ['(', ')', '[', '"', ':', '\n', '    ', '# x\n', 'def f(', 'class A:\n', '.', 'match ', 'x.', '😀'];
    const r = rng(23);
    let found = 0;
    for (let trial = 0; trial < 60; trial++) {
      let text = TEXTS[trial % TEXTS.length] as string;
      for (let k = 1 + Math.floor(r() * 5); k > 0; k--) {
        const at = Math.floor(r() * (text.length + 1));
        text = r() < 0.3 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 20)) : text.slice(0, at) + (bits[Math.floor(r() * bits.length)] as string) + text.slice(at);
      }
      const src = parsePython(parser, text);
      try {
        found += check(`trial ${trial} ${JSON.stringify(text.slice(0, 80))}`, new PythonModel(src));
      } finally {
        src.tree.delete();
      }
    }
    // the damaged texts still hold attribute reads: the comparison above was not made on empty answers only
    assert.ok(found > 0);
  });
});
