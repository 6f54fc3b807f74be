import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { Node, Tree } from 'web-tree-sitter';
import { lintSource } from '../../../../src/core/lint/linter';
import { getPythonParser, parsePython, reparsePython, type PythonSource } from '../../../../src/core/lint/pythonSource';
import { diffEdit, mergeChanges, type TextChange } from '../../../../src/core/lint/sourceEdit';
import { lintNotebook } from '../../../../src/core/notebook/lintNotebook';
import { NotebookLintSession } from '../../../../src/core/notebook/notebookLintSession';
import { buildNotebookProgram, type NotebookCell } from '../../../../src/core/notebook/notebookProgram';
import type { PresetLookup } from '../../../../src/core/presets/presetFacts';
import type { SyntaxNode } from '../../../../src/core/lint/syntaxNode';
import { mirrorCounts } from '../../../../src/core/lint/treeMirror';
import { seededRandom as rng } from '../../../../src/core/seededRandom';
import { walkCursor } from '../../helpers/cursorWalk';


const CORPUS = resolve('test/fixtures/python');
const FILES = readdirSync(CORPUS).filter((f) => f.endsWith('.py') && f !== 'syntax_error.py').sort();
const corpus = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => readFileSync(join(CORPUS, FILES[(from + i) % FILES.length] as string), 'utf8'));
/** The first `n` fixtures from `from` on (wrapping) whose text matches `re`. */
const corpusWith = (re: RegExp, n: number, from = 0): string[] => corpus(FILES.length, from).filter((t) => re.test(t)).slice(0, n);

/** Snippets that make and break syntax, open strings and brackets, add magics, model code and non-ASCII text. */
const SNIPPETS = ['(', ')', ']', '[', ':', '\n', '    ', '\t', 'x', 'def f(', 'class A:\n    ', 'return ', '"', "'", '"""', '#', '# vit-doctor: ignore\n', '\\\n',
  'backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")\n', 'images = images / 255.0\n', 'model.fit(train_ds, epochs=3)\n',
  'keras.layers.Dense(10, activation="softmax")', '!pip install keras-hub\n', '%matplotlib inline\n', 'é😀', ' lambda z: z', 'if True:\n', 'else', '123.68', ', '];

/** A random small edit: an insert, a delete or a replacement at a random place. */
function randomChange(text: string, r: () => number): TextChange {
  const offset = Math.floor(r() * (text.length + 1));
  const kind = r();
  const length = kind < 0.4 ? 0 : Math.min(text.length - offset, 1 + Math.floor(r() * (r() < 0.8 ? 8 : 120)));
  const insert = kind >= 0.4 && kind < 0.65 ? '' : (SNIPPETS[Math.floor(r() * SNIPPETS.length)] as string);
  return { offset, length, text: insert };
}

const apply = (text: string, c: TextChange): string => text.slice(0, c.offset) + c.text + text.slice(c.offset + c.length);

/**
 * Edits that change what the rules conclude: a learning rate, a preset name, a /255, a model class, an import, a
 * variable's name, the body of a function used elsewhere, a rebinding between a definition and its uses. Each
 * finds a random occurrence of its pattern and replaces it (null when the text has none).
 */
const MEANINGFUL: { what: string; re: RegExp; to: (m: string, r: () => number) => string }[] = [
  { what: 'learning rate', re: /learning_rate\s*=\s*[0-9.eE-]+/g, to: (_m, r) => `learning_rate=${['1e-2', '1e-5', '0.1', '3e-4'][Math.floor(r() * 4)]}` },
  { what: 'preset name', re: /"vit_[a-z0-9_]+"/g, to: (m) => (m.endsWith('21k"') ? m.replace(/21k"$/, '"') : m.replace(/"$/, '21k"')) },
  { what: '/255 removed', re: /\s*\/\s*255\.?0?/g, to: () => '' },
  { what: '/255 added', re: /\bimages\b|\bx_train\b|\bimage\b/g, to: (m) => `${m} / 255.0` },
  { what: 'model class', re: /\b(ResNet50|EfficientNetB0|MobileNetV2|Xception|ViTBackbone|ViTImageClassifier)\b/g, to: (m, r) => ['ResNet50', 'EfficientNetB0', 'MobileNetV2', 'Xception', 'ViTBackbone', 'ViTImageClassifier'].filter((x) => x !== m)[Math.floor(r() * 5)] as string },
  { what: 'import removed', re: /^(import|from) [^\n]*\n/gm, to: () => '' },
  { what: 'import added', re: /^(?=import )/gm, to: (_m, r) => ['import keras_hub\n', 'from tensorflow import keras\n', 'import keras as np\n', 'from my_utils import *\n'][Math.floor(r() * 4)] as string },
  // one occurrence of a model or data variable renamed: its definition and its uses come apart
  { what: 'variable renamed', re: /\b(backbone|model|classifier|converter|preprocessor|images|x|base_model|inputs)\b/g, to: (m, r) => (r() < 0.5 ? `${m}_2` : ['backbone', 'model', 'images', 'x'].filter((x) => x !== m)[Math.floor(r() * 3)] as string) },
  // the body of a function that is called elsewhere: a scaling added to or removed from what it returns
  { what: 'def body edited', re: /^([ \t]+)return ([^\n#]+)$/gm, to: (m, r) => (/\/\s*255/.test(m) ? m.replace(/\s*\/\s*255\.?0?/, '') : `${m}${r() < 0.5 ? ' / 255.0' : ' * 2.0 - 1.0'}`) },
  { what: 'def body line added', re: /^def [^\n]*:\n(?=([ \t]+))/gm, to: (m, r) => `${m}    ${['x = x / 255.0', 'images = images / 127.5 - 1', 'return None', 'pass'][Math.floor(r() * 4)]}\n` },
  // a statement between a definition and its uses that rebinds the name
  { what: 'rebinding inserted', re: /^([A-Za-z_]\w*) = [^\n]*\n/gm, to: (m, r) => { const name = /^[A-Za-z_]\w*/.exec(m)![0]; return `${m}${[`${name} = ${name} / 255.0`, `${name} = None`, `${name} = keras_hub.models.Backbone.from_preset("resnet_50_imagenet")`, `${name} = keras.layers.Rescaling(1.0 / 255)(${name})`][Math.floor(r() * 4)]}\n`; } },
];

/** One meaningful edit at a random occurrence, as a change, or null when the pattern does not occur. */
function meaningfulChange(text: string, r: () => number): { what: string; change: TextChange } | null {
  const e = MEANINGFUL[Math.floor(r() * MEANINGFUL.length)]!;
  const hits = [...text.matchAll(e.re)];
  if (hits.length === 0) return null;
  const m = hits[Math.floor(r() * hits.length)]!;
  return { what: e.what, change: { offset: m.index, length: m[0].length, text: e.to(m[0], r) } };
}

/** Every node's type and extent (index and row/column), in document order. */
function shape(tree: Tree): string[] {
  return walkCursor(tree.walk(), (c) => {
    const n: Node = c.currentNode;
    return `${n.type}@${n.startIndex}-${n.endIndex}:${n.startPosition.row}.${n.startPosition.column}-${n.endPosition.row}.${n.endPosition.column}${n.isMissing ? '!' : ''}`;
  });
}

/**
 * Every node of the mirror as the rules see it (type, field, extent, parent's extent, position among siblings,
 * text), checking on the way that each node's parent is the node it is listed under, that it reads the source's text
 * and that ids are unique (ids are not compared: taken-over nodes keep theirs).
 */
function mirrorShape(src: PythonSource): string[] {
  const out: string[] = [];
  const ids = new Set<number>();
  const stack: SyntaxNode[] = [src.root];
  while (stack.length) {
    const n = stack.pop()!;
    const p = n.startPosition;
    assert.ok(!ids.has(n.id), `id ${n.id} twice`);
    ids.add(n.id);
    assert.equal(n.source, src.root.source, 'a node reads another version of the text');
    n.children.forEach((c, i) => assert.ok(c.parent === n && c.indexInParent === i, `${c.type}@${c.startIndex}: wrong parent or index`));
    out.push(`${n.type}${n.isNamed ? '' : '~'}${n.field ? `[${n.field}]` : ''}${n.hasFields ? '+' : ''}@${n.startIndex}-${n.endIndex}:${p.row}.${p.column}<${n.parent ? `${n.parent.startIndex}-${n.parent.endIndex}` : '-'}#${n.indexInParent}/${n.childCount}=${n.children.length ? '' : JSON.stringify(n.text)}`);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

function lintOf(src: PythonSource): unknown {
  const r = lintSource(src);
  return { findings: r.findings, internalErrors: r.internalErrors };
}

describe('incremental re-parse and lint', () => {
  it('mergeChanges covers a sequence of changes, each in the coordinates of the text before it', () => {
    const r = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const start = (corpus(1, trial)[0] as string).slice(0, 400);
      let text = start;
      const changes: TextChange[] = [];
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) {
        const c = randomChange(text, r);
        changes.push(c);
        text = apply(text, c);
      }
      const e = mergeChanges(changes);
      assert.ok(e, `trial ${trial}`);
      assert.equal(start.slice(0, e.start), text.slice(0, e.start), `trial ${trial}: prefix`);
      assert.equal(start.slice(e.oldEnd), text.slice(e.newEnd), `trial ${trial}: suffix`);
      // no narrower than the smallest edit: the common prefix is at least as long as the one that edit leaves
      const d = diffEdit(start, text);
      if (d) assert.ok(e.start <= d.start, `trial ${trial}: starts no later than the texts differ`);
    }
  });

  it('random edit sequences on a file: the incremental tree and findings equal a fresh parse and full pass after every step', async () => {
    const parser = await getPythonParser();
    const copiedBefore = mirrorCounts.copied;
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      let text = corpus(8, seed * 11).join('\n');
      let inc = parsePython(parser, text);
      for (let step = 0; step < 30; step++) {
        const c = randomChange(text, r);
        const next = apply(text, c);
        // half the steps say where the change is (as the editor does), the rest let the texts be compared
        const hint = r() < 0.5 ? mergeChanges([c]) : undefined;
        const updated = reparsePython(parser, inc, next, hint);
        inc.tree.delete();
        inc = updated;
        text = next;
        const fresh = parsePython(parser, text);
        try {
          const where = `seed ${seed} step ${step} (${JSON.stringify(c)})`;
          assert.deepEqual(shape(inc.tree), shape(fresh.tree), `${where}: tree`);
          assert.deepEqual(mirrorShape(inc), mirrorShape(fresh), `${where}: mirror`);
          assert.deepEqual(lintOf(inc), lintOf(fresh), `${where}: findings`);
        } finally {
          fresh.tree.delete();
        }
      }
      inc.tree.delete();
    }
    // the statements an edit did not touch were copied from the previous mirror, not walked again
    assert.ok(mirrorCounts.copied > copiedBefore, 'no node was taken over from a previous mirror');
  });

  it('edits of learning rates, preset names, /255, model classes, imports, names, function bodies and rebindings: incremental equals fresh after every step', async () => {
    const parser = await getPythonParser();
    let changedFindings = 0;
    const applied = new Set<string>();
    for (const seed of [21, 22, 23]) {
      const r = rng(seed);
      // fixtures with learning rates and ViT presets among others (the corpus is sorted by name: a plain slice may hold none)
      let text = [...corpus(6, seed * 5), ...corpusWith(/learning_rate\s*=\s*[0-9]/, 2, seed), ...corpusWith(/"vit_[a-z0-9_]+"/, 3, seed * 7)].join('\n');
      let inc = parsePython(parser, text);
      let last = JSON.stringify(lintOf(inc));
      for (let step = 0; step < 40; step++) {
        const m = meaningfulChange(text, r);
        if (!m) continue;
        applied.add(m.what);
        const next = apply(text, m.change);
        const updated = reparsePython(parser, inc, next, r() < 0.5 ? mergeChanges([m.change]) : undefined);
        inc.tree.delete();
        inc = updated;
        text = next;
        const fresh = parsePython(parser, text);
        try {
          const where = `seed ${seed} step ${step}: ${m.what} ${JSON.stringify(m.change)}`;
          assert.deepEqual(shape(inc.tree), shape(fresh.tree), `${where}: tree`);
          assert.deepEqual(mirrorShape(inc), mirrorShape(fresh), `${where}: mirror`);
          const got = lintOf(inc);
          assert.deepEqual(got, lintOf(fresh), `${where}: findings`);
          const now = JSON.stringify(got);
          if (now !== last) changedFindings++;
          last = now;
        } finally {
          fresh.tree.delete();
        }
      }
      inc.tree.delete();
    }
    // every kind of edit was made, and the edits matter: a cache that ignored them would be caught
    assert.deepEqual([...applied].sort(), MEANINGFUL.map((e) => e.what).sort());
    assert.ok(changedFindings >= 15, `only ${changedFindings} edits changed the findings`);
  });

  it('breaking and restoring syntax (an open bracket or string, then closed) ends where a fresh parse does', async () => {
    const parser = await getPythonParser();
    const base = corpus(3, 5).join('\n');
    let inc = parsePython(parser, base);
    const text = base;
    for (const breaker of ['(', '"""', 'def f(:\n', '[', 'if x\n']) {
      for (const at of [text.indexOf('from_preset'), Math.floor(text.length / 2), 0]) {
        const broken = text.slice(0, at) + breaker + text.slice(at);
        for (const t of [broken, text]) {
          const updated = reparsePython(parser, inc, t);
          inc.tree.delete();
          inc = updated;
          const fresh = parsePython(parser, t);
          assert.deepEqual(shape(inc.tree), shape(fresh.tree), `${JSON.stringify(breaker)} at ${at}`);
          assert.deepEqual(mirrorShape(inc), mirrorShape(fresh), `${JSON.stringify(breaker)} at ${at}: mirror`);
          assert.deepEqual(lintOf(inc), lintOf(fresh), `${JSON.stringify(breaker)} at ${at}: findings`);
          fresh.tree.delete();
        }
      }
    }
    assert.equal(inc.root.toString(), parsePython(parser, base).root.toString());
    inc.tree.delete();
  });

  it('a wrong hint from the editor is caught (texts compared) and the tree is still right', async () => {
    const parser = await getPythonParser();
    const text = corpus(2, 3).join('\n');
    const prev = parsePython(parser, text);
    const next = text.replace('from_preset', 'from_preset_x');
    const inc = reparsePython(parser, prev, next, { start: 0, oldEnd: 1, newEnd: 1 });
    const fresh = parsePython(parser, next);
    assert.deepEqual(shape(inc.tree), shape(fresh.tree));
    // the previous source is still usable
    assert.equal(prev.root.text.length, text.length);
    for (const s of [prev, inc, fresh]) s.tree.delete();
  });

  it('a magic or shell line typed character by character is read as a fresh parse reads it', async () => {
    const parser = await getPythonParser();
    let text = corpus(1, 9)[0] as string;
    let inc = parsePython(parser, text);
    const at = text.indexOf('\n') + 1;
    for (const [i, ch] of [...'!pip install x'].entries()) {
      const next = text.slice(0, at + i) + ch + text.slice(at + i);
      const updated = reparsePython(parser, inc, next, { start: at + i, oldEnd: at + i, newEnd: at + i + 1 });
      inc.tree.delete();
      inc = updated;
      text = next;
      const fresh = parsePython(parser, text);
      assert.deepEqual(shape(inc.tree), shape(fresh.tree), `after ${JSON.stringify(ch)}`);
      assert.deepEqual(mirrorShape(inc), mirrorShape(fresh), `after ${JSON.stringify(ch)}: mirror`);
      fresh.tree.delete();
    }
    inc.tree.delete();
  });
});

const code = (text: string): NotebookCell => ({ kind: 'code', language: 'python', text });
const md = (text: string): NotebookCell => ({ kind: 'markup', language: 'markdown', text });

describe('notebook lint session', () => {
  it('random cell edits, inserts, deletes and moves: the session equals lintNotebook after every step', async () => {
    const parser = await getPythonParser();
    const lookup: PresetLookup = () => undefined;
    for (const seed of [4, 5]) {
      const r = rng(seed);
      const parts = corpus(24, seed * 7);
      let cells: NotebookCell[] = parts.map((p, i) => (i % 4 === 3 ? md(`## Step ${i}`) : code(`${i % 6 === 0 ? '!pip install -q keras-hub\n%matplotlib inline\n' : ''}${p.split('\n').slice(0, 15).join('\n')}`)));
      const session = new NotebookLintSession();
      for (let step = 0; step < 30; step++) {
        const op = r();
        const i = Math.floor(r() * cells.length);
        cells = [...cells];
        let what: string;
        const meaningful = op < 0.3 ? meaningfulChange((cells[i] as NotebookCell).text, r) : null;
        if (meaningful) {
          const cell = cells[i] as NotebookCell;
          cells[i] = { ...cell, text: apply(cell.text, meaningful.change) };
          what = `${meaningful.what} in cell ${i} ${JSON.stringify(meaningful.change)}`;
        } else if (op < 0.55) {
          const cell = cells[i] as NotebookCell;
          const c = randomChange(cell.text, r);
          cells[i] = { ...cell, text: apply(cell.text, c) };
          what = `edit cell ${i} ${JSON.stringify(c)}`;
        } else if (op < 0.65) {
          cells.splice(i, 0, r() < 0.5 ? md('notes') : r() < 0.5 ? { kind: 'code', language: 'r', text: 'x <- 1' } : code((parts[step % parts.length] as string).split('\n').slice(0, 10).join('\n')));
          what = `insert at ${i}`;
        } else if (op < 0.75 && cells.length > 2) {
          cells.splice(i, 1);
          what = `delete ${i}`;
        } else if (op < 0.9) {
          const [moved] = cells.splice(i, 1);
          const to = Math.floor(r() * (cells.length + 1));
          cells.splice(to, 0, moved as NotebookCell);
          what = `move ${i} to ${to}`;
        } else {
          const cell = cells[i] as NotebookCell;
          cells[i] = { ...cell, text: `${cell.text}\n` };
          what = `append newline to ${i} (${cell.kind})`;
        }
        const ignore = step % 10 === 9 ? ['VTD003'] : [];
        const got = session.lint(parser, cells, { lookup, ignore });
        const want = lintNotebook(parser, cells, { lookup, ignore });
        assert.deepEqual(got, want, `seed ${seed} step ${step}: ${what}`);
      }
      assert.ok(session.stats.reused > 0 && session.stats.reparsed > 0, JSON.stringify(session.stats));
      session.dispose();
    }
  });

  it('cells inserted, deleted, moved and edited: the joined program re-parsed from the previous one has the tree and mirror of a fresh parse', async () => {
    const parser = await getPythonParser();
    const r = rng(6);
    const parts = corpus(20, 3);
    let cells: NotebookCell[] = parts.map((p, i) => (i % 5 === 4 ? md(`## ${i}`) : code(`${i % 6 === 0 ? '%matplotlib inline\n' : ''}${p.split('\n').slice(0, 12).join('\n')}`)));
    let inc = parsePython(parser, buildNotebookProgram(cells).text);
    const copiedBefore = mirrorCounts.copied;
    for (let step = 0; step < 40; step++) {
      const op = r();
      const i = Math.floor(r() * cells.length);
      cells = [...cells];
      if (op < 0.4) {
        const m = meaningfulChange((cells[i] as NotebookCell).text, r);
        const c = m?.change ?? randomChange((cells[i] as NotebookCell).text, r);
        cells[i] = { ...(cells[i] as NotebookCell), text: apply((cells[i] as NotebookCell).text, c) };
      } else if (op < 0.6) cells.splice(i, 0, code((parts[step % parts.length] as string).split('\n').slice(0, 8).join('\n')));
      else if (op < 0.75 && cells.length > 2) cells.splice(i, 1);
      else {
        const [moved] = cells.splice(i, 1);
        cells.splice(Math.floor(r() * (cells.length + 1)), 0, moved as NotebookCell);
      }
      const text = buildNotebookProgram(cells).text;
      const updated = reparsePython(parser, inc, text);
      inc.tree.delete();
      inc = updated;
      const fresh = parsePython(parser, text);
      assert.deepEqual(shape(inc.tree), shape(fresh.tree), `step ${step}: tree`);
      assert.deepEqual(mirrorShape(inc), mirrorShape(fresh), `step ${step}: mirror`);
      fresh.tree.delete();
    }
    assert.ok(mirrorCounts.copied > copiedBefore, 'no node was taken over from a previous mirror');
    inc.tree.delete();
  });

  it('a markdown edit reuses the findings (mapped to the moved cells); a different lookup does not', async () => {
    const parser = await getPythonParser();
    const cells = [md('# title'), code('import keras_hub\nbackbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")'), code('model.fit(train_ds)')];
    const lookup: PresetLookup = () => undefined;
    const session = new NotebookLintSession();
    const first = session.lint(parser, cells, { lookup });
    const moved = [md('# title, longer'), md('inserted'), ...cells.slice(1)];
    const again = session.lint(parser, moved, { lookup });
    assert.deepEqual(session.stats, { parsed: 1, reparsed: 0, reused: 1 });
    assert.deepEqual(again, lintNotebook(parser, moved, { lookup }));
    assert.deepEqual(again.findings.map((f) => f.cell), first.findings.map((f) => f.cell + 1));
    const other = session.lint(parser, moved, { lookup: () => undefined });
    assert.deepEqual(other, again);
    assert.deepEqual(session.stats, { parsed: 1, reparsed: 1, reused: 1 });
    // lookups the caller vouches for as alike (same folders) count as the same; another key does not
    session.lint(parser, moved, { lookup: () => undefined, lookupKey: 'dirs-a' });
    session.lint(parser, [md('x'), ...moved], { lookup: () => undefined, lookupKey: 'dirs-a' });
    session.lint(parser, moved, { lookup: () => undefined, lookupKey: 'dirs-b' });
    assert.deepEqual(session.stats, { parsed: 1, reparsed: 3, reused: 2 });
    session.dispose();
  });
});
