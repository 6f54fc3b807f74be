import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const CLI = resolve('dist/cli.js');
const FIX = resolve('test/fixtures/python');
const run = (args: string[], cwd = process.cwd()) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });

describe('vit-doctor lint', () => {
  it('text output like ruff, exit 1 on warnings', () => {
    const r = run(['lint', join(FIX, 'vit_raw_pixels.py')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /vit_raw_pixels\.py:12:12: VTD001 \[warning\] .* \(missing-preprocessing\)/);
  });
  it('exit 0 and "All checks passed." on a clean file', () => {
    const r = run(['lint', join(FIX, 'vit_correct_converter.py')]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /All checks passed\./);
  });
  it('JSON: 1-based lines, rule names, every corpus expectation', () => {
    const r = run(['lint', FIX, '--format', 'json']);
    const rows = JSON.parse(r.stdout) as { file: string; line: number; column: number; endLine: number; endColumn: number; code: string; rule: string; severity: string; message: string }[];
    for (const row of rows) for (const k of ['file', 'line', 'column', 'endLine', 'endColumn', 'code', 'rule', 'severity', 'message']) assert.ok(k in row);
    const expected = new Set<string>();
    for (const f of ['vit_raw_pixels.py', 'vit_token_misuse.py']) {
      readFileSync(join(FIX, f), 'utf8').split('\n').forEach((l, i) => {
        const m = /# expect: (.*)$/.exec(l);
        m?.[1]!.split(',').forEach((c) => expected.add(`${f}:${i + 1}:${c.trim()}`));
      });
    }
    const got = new Set(rows.map((r) => `${r.file.split('/').pop()}:${r.line}:${r.code}`));
    for (const e of expected) assert.ok(got.has(e), e);
    assert.ok(rows.some((r) => r.rule === 'token-output-misuse' && r.severity === 'error'));
  });
  it('SARIF 2.1.0 with rules and results', () => {
    const r = run(['lint', join(FIX, 'vit_token_misuse.py'), '--format', 'sarif']);
    const s = JSON.parse(r.stdout);
    assert.equal(s.version, '2.1.0');
    assert.equal(s.runs[0].tool.driver.rules.length, 10);
    assert.ok(s.runs[0].results.length >= 4);
    assert.equal(s.runs[0].results[0].locations[0].physicalLocation.region.startLine, 11);
  });
  it('reads [tool.vit-doctor] from the nearest pyproject.toml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-proj-'));
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.vit-doctor]\nignore = ["missing-preprocessing"]\n');
    writeFileSync(join(dir, 'train.py'), readFileSync(join(FIX, 'vit_raw_pixels.py')));
    const r = run(['lint', 'train.py'], dir);
    assert.equal(r.status, 0, r.stdout);
  });
  it('a missing path is a clear error', () => {
    const r = run(['lint', '/no/such/dir']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\/no\/such\/dir: no such file or folder/);
  });
});
