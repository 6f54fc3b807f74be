import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listImageFiles } from '../../../../src/engine/data/imageLoader';
import { UserError } from '../../../../src/core/userError';
import { fixturesRoot } from '../../helpers/kerasFixtures';

const png = join(fixturesRoot(), 'vit_tiny_cls', 'inputs', 'native_0_random.png');

function tree(): string {
  const d = mkdtempSync(join(tmpdir(), 'vtd-list-'));
  mkdirSync(join(d, 'a'));
  cpSync(png, join(d, 'a', 'x.png'));
  cpSync(png, join(d, 'b.png'));
  writeFileSync(join(d, 'README.txt'), 'hello');
  writeFileSync(join(d, '.DS_Store'), 'binary');
  writeFileSync(join(d, 'Makefile'), 'all:');
  mkdirSync(join(d, '.git'));
  writeFileSync(join(d, '.git', 'HEAD'), 'ref');
  return d;
}

describe('listing images in folders', () => {
  it('non-image and hidden files are listed as skipped with the reason, never silently', () => {
    const d = tree();
    const l = listImageFiles([d]);
    assert.deepEqual(l.files, [join(d, 'a', 'x.png'), join(d, 'b.png')]);
    const why = Object.fromEntries(l.skipped.map((s) => [s.file.slice(d.length + 1), s.reason]));
    assert.deepEqual(why, { '.DS_Store': 'hidden file', '.git': 'hidden folder (not searched)', Makefile: 'not an image file (no extension)', 'README.txt': 'not an image file (.txt)' });
  });
  it('symbolic links: directories followed once, a loop ends quietly, a dangling link is listed', () => {
    const d = tree();
    symlinkSync(d, join(d, 'a', 'loop'));           // a/loop -> the root: a cycle
    symlinkSync(join(d, 'a'), join(d, 'c'));        // c -> a: the same folder twice
    symlinkSync(join(d, 'gone.png'), join(d, 'dangling.png'));
    symlinkSync(join(d, 'self'), join(d, 'self'));  // a link to itself (ELOOP)
    const l = listImageFiles([d]);
    assert.deepEqual(l.files, [join(d, 'a', 'x.png'), join(d, 'b.png')]);
    const why = new Map(l.skipped.map((s) => [s.file.slice(d.length + 1), s.reason]));
    assert.equal(why.get('dangling.png'), 'dangling symbolic link');
    assert.equal(why.get('self'), 'symbolic link loop');
  });
  it('a folder with no image names what it skipped; a missing path is an error naming it', () => {
    const d = mkdtempSync(join(tmpdir(), 'vtd-list-'));
    writeFileSync(join(d, 'notes.md'), '#');
    assert.throws(() => listImageFiles([d]), (e: unknown) => e instanceof UserError && e.message.includes('contains no image files') && e.message.includes('notes.md'));
    assert.throws(() => listImageFiles([join(d, 'nope')]), (e: unknown) => e instanceof UserError && e.message.includes(join(d, 'nope')) && e.message.includes('no such file'));
    symlinkSync(join(d, 'gone'), join(d, 'link'));
    assert.throws(() => listImageFiles([join(d, 'link')]), /dangling symbolic link/);
  });
});
