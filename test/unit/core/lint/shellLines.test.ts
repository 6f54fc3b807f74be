import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blankShellLines, blankShellLinesAfter } from '../../../../src/core/lint/shellLines';
import { seededRandom as rng } from '../../../../src/core/seededRandom';

const PIECES = ['!pip install x', '%matplotlib inline', '  !ls', '\t%time f()', 'x = 1', '!', '%', ' ', '\t', '\n', '\r\n', '\r', '\u2028', '# %x', 'é😀', 'get_ipython()', 'a!b', ''];

function randomText(r: () => number, n: number): string {
  let t = '';
  for (let k = 0; k < n; k++) t += PIECES[Math.floor(r() * PIECES.length)];
  return t;
}

describe('shell lines blanked again after an edit', () => {
  it('equals blanking the whole new text, for random texts and random inserts, deletes and replacements', () => {
    const r = rng(12);
    for (let trial = 0; trial < 5000; trial++) {
      const prev = randomText(r, Math.floor(r() * 14));
      const at = Math.floor(r() * (prev.length + 1));
      const len = Math.floor(r() * Math.min(6, prev.length - at + 1));
      const next = prev.slice(0, at) + (r() < 0.3 ? '' : randomText(r, 1 + Math.floor(r() * 3))) + prev.slice(at + len);
      assert.equal(blankShellLinesAfter(prev, blankShellLines(prev), next), blankShellLines(next), JSON.stringify({ prev, next }));
    }
  });

  it('blanks with spaces of the same length and keeps get_ipython()', () => {
    assert.equal(blankShellLines('!pip install x\n  %time f()\nget_ipython()'), '              \n           \nget_ipython()');
  });
});
