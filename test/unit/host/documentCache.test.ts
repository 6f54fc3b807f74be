import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { lintSource } from '../../../src/core/lint/linter';
import { getPythonParser, parsePython } from '../../../src/core/lint/pythonSource';
import { DocumentCache } from '../../../src/host/documentCache';
import { seededRandom as rng } from '../../../src/core/seededRandom';

type TextDocument = Parameters<DocumentCache['get']>[0];
type ChangeEvent = Parameters<DocumentCache['noteChanges']>[0];

/** A stand-in for vscode.TextDocument: what the cache reads (uri, version, text). */
class FakeDocument {
  version = 1;
  readonly uri = { toString: (): string => 'file:///work/train.py' };
  constructor(public text: string) {}
  getText(): string {
    return this.text;
  }
}


const TYPED = ['(', ')', 'x', '\n', '    ', '"', '#', '!pip install q\n', 'model.fit(ds)\n', '/ 255.0', 'é'];

describe('DocumentCache', () => {
  it('follows the editor: change events (several per event, several events per parse, some lost) give the tree and findings of a fresh parse', async () => {
    const parser = await getPythonParser();
    const doc = new FakeDocument(readFileSync(resolve('test/fixtures/python/vit_raw_pixels.py'), 'utf8') + readFileSync(resolve('test/fixtures/python/vit_logits_loss.py'), 'utf8'));
    const cache = new DocumentCache({});
    const asDoc = doc as unknown as TextDocument;
    assert.ok(await cache.get(asDoc));
    const r = rng(3);
    for (let step = 0; step < 60; step++) {
      for (let events = 1 + Math.floor(r() * 3); events > 0; events--) {
        const contentChanges: { rangeOffset: number; rangeLength: number; text: string }[] = [];
        // multi-cursor: changes applied one after another, last offset first
        for (let k = 1 + Math.floor(r() * 2); k > 0; k--) {
          const offset = Math.floor(r() * (doc.text.length + 1));
          const rangeLength = r() < 0.4 ? Math.min(doc.text.length - offset, Math.floor(r() * 6)) : 0;
          const text = r() < 0.3 ? '' : (TYPED[Math.floor(r() * TYPED.length)] as string);
          doc.text = doc.text.slice(0, offset) + text + doc.text.slice(offset + rangeLength);
          contentChanges.push({ rangeOffset: offset, rangeLength, text });
        }
        doc.version++;
        // one event in ten is not seen (a listener registered late): the texts are compared instead
        if (r() > 0.1) cache.noteChanges({ document: asDoc, contentChanges, reason: undefined } as unknown as ChangeEvent);
      }
      const src = await cache.get(asDoc);
      assert.ok(src);
      assert.equal(await cache.get(asDoc), src, 'one parse per version');
      const fresh = parsePython(parser, doc.text);
      assert.equal(src.text, doc.text);
      assert.equal(src.root.toString(), fresh.root.toString(), `step ${step}`);
      assert.deepEqual(lintSource(src).findings, lintSource(fresh).findings, `step ${step}: findings`);
      fresh.tree.delete();
    }
    // most parses took the edit from the events; the ones after a lost event compared the texts
    assert.equal(cache.stats.parsed, 1);
    assert.ok(cache.stats.fromEvents > 30 && cache.stats.compared > 0, JSON.stringify(cache.stats));
    cache.dispose();
  });
});
