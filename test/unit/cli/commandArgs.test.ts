import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { numberOpt, parseCommandArgs, splitCommand } from '../../../src/cli/commandArgs';
import { LINT_OPTIONS } from '../../../src/cli/lintCommand';
import { SANITY_OPTIONS } from '../../../src/cli/sanityCommand';
import { UserError } from '../../../src/core/userError';

const CLI = resolve('dist/cli.js');
const FIX = resolve('test/fixtures/python');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('command line parsing (util.parseArgs)', () => {
  it('finds the command past options and their values', () => {
    const s = splitCommand(['--format', 'json', 'lint', 'a.py'], LINT_OPTIONS);
    assert.equal(s.command, 'lint');
    assert.deepEqual(s.rest, ['--format', 'json', 'a.py']);
    assert.equal(splitCommand(['--help'], LINT_OPTIONS).command, undefined);
  });
  it('options before and after positionals, --opt=value, and -- ends the options', () => {
    const a = parseCommandArgs(['--format', 'json', 'a.py', 'b.py'], LINT_OPTIONS, 'usage');
    assert.deepEqual(a.positionals, ['a.py', 'b.py']);
    assert.equal(a.values.format, 'json');
    const b = parseCommandArgs(['a.py', '--format=sarif', '--', '--weird.py'], LINT_OPTIONS, 'usage');
    assert.deepEqual(b.positionals, ['a.py', '--weird.py']);
    assert.equal(b.values.format, 'sarif');
  });
  it('repeatable --images and trailing paths are all images', () => {
    const a = parseCommandArgs(['--images', 'x', '--preset', 'p', 'y', '--images=z'], SANITY_OPTIONS, 'usage');
    assert.deepEqual(a.values.images, ['x', 'z']);
    assert.deepEqual(a.positionals, ['y']);
  });
  it('an unknown option or a missing value is a usage error naming it', () => {
    assert.throws(() => parseCommandArgs(['--frmat', 'json', 'a.py'], LINT_OPTIONS, 'usage'), (e: unknown) => e instanceof UserError && e.wire.code === 'E_USAGE' && /--frmat/.test(e.message));
    assert.throws(() => parseCommandArgs(['a.py', '--format'], LINT_OPTIONS, 'usage'), (e: unknown) => e instanceof UserError && /--format/.test(e.message));
  });
  it('numbers are checked', () => {
    const a = parseCommandArgs(['--batch', '2.5'], SANITY_OPTIONS, 'usage');
    assert.throws(() => numberOpt(a, 'batch', { integer: true, min: 1 }), /--batch must be an integer ≥ 1; got "2.5"/);
    const b = parseCommandArgs(['--batch=', 'x'], SANITY_OPTIONS, 'usage');
    assert.throws(() => numberOpt(b, 'batch', { integer: true, min: 1 }), /--batch/);
  });
  it('a range is checked at both ends; train and check refuse --label-smoothing outside [0, 1] naming it', () => {
    const a = parseCommandArgs(['--batch', '1.5'], SANITY_OPTIONS, 'usage');
    assert.throws(() => numberOpt(a, 'batch', { min: 0, max: 1 }), /--batch must be a number in \[0, 1\]; got "1.5"/);
    assert.equal(numberOpt(parseCommandArgs(['--batch', '1'], SANITY_OPTIONS, 'usage'), 'batch', { min: 0, max: 1 }), 1);
    for (const [cmd, value] of [['train', '1.5'], ['check', '-0.2'], ['train', 'x']]) {
      const r = run([cmd!, '--preset', 'p', '--data', 'd', `--label-smoothing=${value}`]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--label-smoothing must be a number in \[0, 1\]/);
    }
  });
});

describe('vit-doctor command line, end to end', () => {
  it('lint --format json <path> lints the path (the option does not swallow it)', () => {
    const r = run(['lint', '--format', 'json', join(FIX, 'vit_raw_pixels.py')]);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(JSON.parse(r.stdout).length > 0);
    const r2 = run(['--format=json', 'lint', join(FIX, 'vit_raw_pixels.py')]);
    assert.equal(r2.stdout, r.stdout);
  });
  it('a path after -- that starts with a dash is a path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-dash-'));
    cpSync(join(FIX, 'vit_raw_pixels.py'), join(dir, '-train.py'));
    const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'json', '--', '-train.py'], { encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /-train\.py/);
  });
  it('an unknown option exits 2 naming it, without a stack trace', () => {
    const r = run(['lint', join(FIX, 'vit_raw_pixels.py'), '--colour']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--colour/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
  it('<command> --help prints that command\'s usage and exits 0', () => {
    const r = run(['lint', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: vit-doctor lint/);
    assert.doesNotMatch(r.stdout, /Usage: vit-doctor sanity/);
  });
  it('no command prints the usage and exits 2; an unknown command exits 2', () => {
    assert.equal(run([]).status, 2);
    assert.equal(run(['lnt', 'x.py']).status, 2);
  });
  it('train refuses stray positionals', () => {
    const r = run(['train', '--preset', 'p', '--data', 'd', 'extra']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Unexpected argument "extra"/);
  });
});
