import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { brokenComponent, fileOrMissing, fsProblem, fsUserError, namedFsError, statOrMissing, withFsErrors } from '../../../src/core/fsErrors';
import { UserError } from '../../../src/core/userError';

/** An error as Node's fs raises it (code, errno, syscall, path), for the codes a test cannot provoke as root. */
function nodeError(code: string, syscall: string, path: string, text: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, errno: -1, syscall, path });
}

const RAW_CODES = /\b(EISDIR|ENOENT|EACCES|EPERM|ENOTDIR|ELOOP|EMFILE|ENFILE|ENOSPC|EROFS|EIO|EXDEV)\b/;

function assertNamed(e: unknown, path: string, code: string, problem: RegExp): void {
  assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
  assert.equal(e.wire.code, code);
  assert.equal(e.wire.file, path);
  assert.ok(e.message.startsWith(`${path}: `), e.message);
  assert.match(e.message, problem);
  assert.ok(e.wire.hint && e.wire.hint.length > 10, 'an actionable hint');
  assert.doesNotMatch(`${e.message} ${e.wire.hint}`, RAW_CODES, 'no raw Node error code reaches the user');
}

describe('file-system errors become UserErrors naming the path and the problem', () => {
  const root = mkdtempSync(join(tmpdir(), 'vtd-fs-'));
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  const folder = join(root, 'model.weights.h5');
  mkdirSync(folder);

  it('a folder where a file belongs (EISDIR)', () => {
    assert.throws(() => withFsErrors(folder, 'the weights file', () => readFileSync(folder)), (e) => (assertNamed(e, folder, 'E_PATH_IS_FOLDER', /cannot read the weights file: it is a folder, not a file\.$/), true));
  });
  it('a broken path component (ENOTDIR) names the component that is a file', () => {
    const p = join(file, 'preset', 'config.json');
    assert.throws(() => withFsErrors(p, 'the preset config', () => readFileSync(p)), (e) => (assertNamed(e, p, 'E_PATH_NOT_FOLDER', new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, not a folder`)), true));
    // listing a file: the path itself is the file
    assert.throws(() => withFsErrors(file, 'the class folders', () => readdirSync(file), 'list'), (e) => (assertNamed(e, file, 'E_PATH_NOT_FOLDER', /cannot list the class folders: it is a file, not a folder/), true));
  });
  it('a symbolic link to a path behind a file: the component is found through the link', () => {
    const link = join(root, 'link.h5');
    symlinkSync(join(file, 'y'), link);
    assert.equal(brokenComponent(link), file);
  });
  it('a missing file (ENOENT) and a link loop (ELOOP)', () => {
    const missing = join(root, 'nope.json');
    assert.throws(() => withFsErrors(missing, 'the file', () => readFileSync(missing)), (e) => (assertNamed(e, missing, 'E_PATH_NOT_FOUND', /it does not exist/), true));
    const a = join(root, 'loop-a');
    symlinkSync(join(root, 'loop-b'), a);
    symlinkSync(a, join(root, 'loop-b'));
    assert.throws(() => withFsErrors(a, 'the preset folder', () => readFileSync(a)), (e) => (assertNamed(e, a, 'E_PATH_LINK_LOOP', /link loop/), true));
  });
  it('codes a test cannot provoke as root: no permission, too many open files, a full or read-only disk, I/O errors', () => {
    const p = '/data/preset/model.weights.h5';
    const cases: [string, string, string, RegExp, string][] = [
      ['EACCES', 'open', 'E_PATH_PERMISSION', /cannot read the weights file: permission denied/, 'readable'],
      ['EPERM', 'open', 'E_PATH_PERMISSION', /permission denied/, 'readable'],
      ['EMFILE', 'open', 'E_TOO_MANY_OPEN_FILES', /too many files are open/, 'ulimit'],
      ['ENFILE', 'open', 'E_TOO_MANY_OPEN_FILES', /too many files are open/, 'ulimit'],
      ['EIO', 'read', 'E_PATH_IO', /input\/output error/, 'mount'],
    ];
    for (const [code, syscall, ours, problem, hint] of cases) {
      const e = fsUserError(nodeError(code, syscall, p, 'x'), p, 'the weights file');
      assertNamed(e, p, ours, problem);
      assert.match(e!.wire.hint!, new RegExp(hint), code);
    }
    const out = '/ro/out.json';
    const w = fsUserError(nodeError('EACCES', 'open', out, 'permission denied'), out, 'the tensor dump', 'write');
    assertNamed(w, out, 'E_PATH_PERMISSION', /cannot write the tensor dump: permission denied/);
    assert.match(w!.wire.hint!, /folder you can write to/);
    assertNamed(fsUserError(nodeError('ENOSPC', 'write', out, 'no space left on device'), out, 'the tensor dump', 'write'), out, 'E_DISK_FULL', /no space is left/);
    assertNamed(fsUserError(nodeError('EROFS', 'open', out, 'read-only file system'), out, 'the tensor dump', 'write'), out, 'E_READ_ONLY', /read-only/);
  });
  it('an unknown code keeps the system message without the code', () => {
    const e = fsUserError(nodeError('EXDEV', 'rename', '/a', 'cross-device link not permitted'), '/a', 'the cache entry', 'write');
    assertNamed(e, '/a', 'E_PATH_ERROR', /cannot write the cache entry: cross-device link not permitted\.$/);
  });
  it('anything that is not a file-system error is left alone', () => {
    assert.equal(fsUserError(new Error('boom'), '/a', 'x'), null);
    const plain = new TypeError('not fs');
    assert.equal(namedFsError(plain), plain);
    const u = new UserError('E_X', 'y');
    assert.equal(namedFsError(u), u);
    assert.throws(() => withFsErrors('/a', 'x', () => { throw plain; }), (e) => e === plain);
  });
  it('the last line of defence names the path Node reports', () => {
    let raw: unknown;
    try {
      readFileSync(folder);
    } catch (e) {
      raw = e;
    }
    const e = namedFsError(raw);
    assert.ok(e instanceof UserError);
    assert.ok(e.message.startsWith(`${folder}: `) || e.message.startsWith('(a file)'), e.message);
    assert.doesNotMatch(e.message, RAW_CODES);
  });
  it('statOrMissing: null only when missing; fileOrMissing: a folder is an error naming it', () => {
    assert.equal(statOrMissing(join(root, 'nope'), 'x'), null);
    assert.ok(statOrMissing(file, 'x')?.isFile());
    assert.throws(() => statOrMissing(join(file, 'sub'), 'the preset folder'), (e) => (assertNamed(e, join(file, 'sub'), 'E_PATH_NOT_FOLDER', /is a file, not a folder/), true));
    assert.throws(() => fileOrMissing(folder, 'the weights file'), (e) => (assertNamed(e, folder, 'E_PATH_IS_FOLDER', /cannot read the weights file: it is a folder, not a file/), true));
    assert.equal(fsProblem(nodeError('EACCES', 'scandir', '/x', 'permission denied'), '/x', 'list'), 'permission denied');
  });
});
