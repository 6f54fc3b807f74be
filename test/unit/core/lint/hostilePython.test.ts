import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { lintFiles } from '../../../../src/core/lint/lintFiles';
import { decodePythonBytes, editorLintLimit, MAX_LINT_BYTES } from '../../../../src/core/lint/pythonText';

const SCRIPT = [
  'import keras_hub',
  'backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")',
  'features = backbone(images / 255.0)',
  '',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'vtd-hostile-'));
const write = (name: string, bytes: Buffer | string): string => {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
};
const utf16be = (s: string): Buffer => {
  const le = Buffer.from(s, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
};
const key = async (f: string): Promise<string[]> => (await lintFiles([f]))[0]!.findings.map((x) => `${x.code}@${x.range.start.line}:${x.range.start.character}`);

describe('hostile Python files', () => {
  it('encodings and line endings give the same findings at the same positions as the clean file', async () => {
    const clean = await key(write('clean.py', SCRIPT));
    assert.ok(clean.includes('VTD001@2:20'), `the clean script must have a finding: ${clean}`);
    const variants: Record<string, Buffer | string> = {
      'bom8.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SCRIPT)]),
      'utf16le.py': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SCRIPT, 'utf16le')]),
      'utf16be.py': utf16be(SCRIPT),
      'crlf.py': SCRIPT.replace(/\n/g, '\r\n'),
      'cr.py': SCRIPT.replace(/\n/g, '\r'),
      'nul.py': SCRIPT.replace('import keras_hub', 'import keras_hub\0'),
      'badutf8.py': Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from(`\n${SCRIPT}`)]),
    };
    for (const [name, bytes] of Object.entries(variants)) {
      const got = await key(write(name, bytes));
      const want = name === 'badutf8.py' ? clean.map((k) => k.replace(/@(\d+)/, (_m, l: string) => `@${Number(l) + 1}`)) : clean;
      assert.deepEqual(got, want, name);
    }
  });
  it('binary, too large, empty and pathological files: no crash, a reason when not linted', async () => {
    const files = {
      binary: write('binary.py', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256))),
      large: write('large.py', Buffer.alloc(MAX_LINT_BYTES + 1, 0x20)),
      empty: write('empty.py', ''),
      parens: write('parens.py', `x = ${'('.repeat(10000)}1${')'.repeat(10000)}\n`),
      indent: write('indent.py', `${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('')}${' '.repeat(400)}pass\n`),
      unclosed: write('unclosed.py', `${SCRIPT}def broken(:\n  x = [\n`),
    };
    const results = await lintFiles(Object.values(files));
    const by = new Map(results.map((r) => [r.file, r]));
    assert.match(by.get(files.binary)!.notLinted ?? '', /binary/);
    assert.match(by.get(files.large)!.notLinted ?? '', /larger than 2 MB/);
    for (const f of [files.empty, files.parens, files.indent]) assert.equal(by.get(f)!.notLinted, undefined, f);
    // the readable part of a file with a syntax error still gets its findings
    assert.ok(by.get(files.unclosed)!.findings.some((x) => x.code === 'VTD001'));
  });
  it('the editor limit: large files and very long lines are not linted in the editor, with a reason', () => {
    assert.equal(editorLintLimit(SCRIPT), null);
    assert.match(editorLintLimit('x = 1\n'.repeat(200_000)) ?? '', /over 512 KB/);
    assert.match(editorLintLimit(`x = "${'a'.repeat(30_000)}"\n`) ?? '', /lines over 20,000 characters/);
    assert.equal(decodePythonBytes(Buffer.from('')).text, '');
  });
  it('CLI: exit 0 for an unlintable file, the reason on stderr, a missing path is an error naming it', () => {
    const r = spawnSync(process.execPath, [resolve('dist/cli.js'), 'lint', write('bin2.py', Buffer.from([0, 1, 2, 3, 0, 0, 0, 5]))], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /bin2\.py: a binary file/);
    assert.match(r.stdout, /No file linted/);
    const m = spawnSync(process.execPath, [resolve('dist/cli.js'), 'lint', join(dir, 'nope.py')], { encoding: 'utf8' });
    assert.equal(m.status, 2);
    assert.match(m.stderr, /nope\.py: no such file or folder/);
  });
});
