import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseCommandArgs } from '../../../src/cli/commandArgs';
import { exitCodeFor, failOnOpt, type Severity } from '../../../src/cli/failOn';
import { checkSeverities, trainSeverities } from '../../../src/cli/trainCommands';
import { UserError } from '../../../src/core/userError';
import { fixturesRoot } from '../helpers/kerasFixtures';

const CLI = resolve('dist/cli.js');
const PRESET = join(fixturesRoot(), 'vit_tiny_cls', 'preset');
const IMAGES = join(fixturesRoot(), 'vit_tiny_cls', 'inputs');
const cache = mkdtempSync(join(tmpdir(), 'vtd-exit-cache-'));

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, VIT_DOCTOR_CACHE_DIR: cache }, timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The tiny preset with weights holding NaN/Inf: SAN011 (an error) in sanity, a NaN loss in train and check. */
function nanPreset(): string {
  const d = join(mkdtempSync(join(tmpdir(), 'vtd-exit-')), 'preset');
  cpSync(PRESET, d, { recursive: true });
  copyFileSync(resolve('test/fixtures/weights-dtypes/nan.weights.h5'), join(d, 'model.weights.h5'));
  return d;
}

/** Two class folders from the fixture images: `imbalanced` puts 7 in one and 1 in the other (a warning in train). */
function dataFolder(imbalanced: boolean): string {
  const d = mkdtempSync(join(tmpdir(), 'vtd-exit-data-'));
  mkdirSync(join(d, 'a'));
  mkdirSync(join(d, 'b'));
  readdirSync(IMAGES).filter((f) => f.endsWith('.png')).sort().forEach((f, i) => {
    copyFileSync(join(IMAGES, f), join(d, (imbalanced ? i === 0 : i % 2 === 0) ? 'b' : 'a', f));
  });
  return d;
}

describe('--fail-on: exit code 1 when a finding at or above the level exists', () => {
  it('the rule: error (the default) fails on errors only, warning on warnings and errors, never on nothing; info never fails', () => {
    const cases: [Severity[], 0 | 1, 0 | 1, 0 | 1][] = [
      // severities, error, warning, never
      [[], 0, 0, 0],
      [['info'], 0, 0, 0],
      [['warning'], 0, 1, 0],
      [['info', 'error'], 1, 1, 0],
      [['warning', 'error'], 1, 1, 0],
    ];
    for (const [sev, e, w, n] of cases) {
      assert.equal(exitCodeFor(sev, 'error'), e, `error ${sev}`);
      assert.equal(exitCodeFor(sev, 'warning'), w, `warning ${sev}`);
      assert.equal(exitCodeFor(sev, 'never'), n, `never ${sev}`);
    }
  });
  it('the default is error; another value is a usage error naming the choices', () => {
    const opts = { 'fail-on': { type: 'string' as const } };
    assert.equal(failOnOpt(parseCommandArgs([], opts, 'usage')), 'error');
    assert.equal(failOnOpt(parseCommandArgs(['--fail-on=never'], opts, 'usage')), 'never');
    assert.throws(() => failOnOpt(parseCommandArgs(['--fail-on', 'warn'], opts, 'usage')), (e: unknown) => e instanceof UserError && e.wire.code === 'E_USAGE' && /error, warning, never/.test(e.message));
  });
  it('train: a NaN stop is an error even without a health event; health events count with their severity', () => {
    assert.deepEqual(trainSeverities({ health: [], stopped: 'nan' }), ['error']);
    assert.deepEqual(trainSeverities({ health: [{ type: 'health', severity: 'warning', code: 'imbalance', message: '' }], stopped: 'completed' }), ['warning']);
  });
  it('check: a failed overfit or a model that ignores its input is an error, an initial loss far from ln(C) a warning', () => {
    const base = { overfit: { passed: true }, baseline: { ignoresInput: false }, initLoss: { verdict: 'ok' } } as Parameters<typeof checkSeverities>[0];
    assert.deepEqual(checkSeverities(base), []);
    assert.deepEqual(checkSeverities({ ...base, overfit: { ...base.overfit, passed: false } }), ['error']);
    assert.deepEqual(checkSeverities({ ...base, baseline: { ...base.baseline, ignoresInput: true } }), ['error']);
    assert.deepEqual(checkSeverities({ ...base, initLoss: { ...base.initLoss, verdict: 'high' } }), ['warning']);
  });

  describe('through the CLI', () => {
    const nan = nanPreset();
    it('sanity: NaN weights (SAN011, an error) exit 1 without flags; --fail-on never exits 0', () => {
      const r = run(['sanity', '--preset', nan, IMAGES]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /SAN011/);
      assert.equal(run(['sanity', '--preset', nan, IMAGES, '--fail-on', 'never']).code, 0);
    });
    it('sanity: warnings only (SAN003) exit 0 by default and 1 with --fail-on warning', () => {
      const r = run(['sanity', '--preset', PRESET, IMAGES, '--preprocessing', 'imagenet']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /SAN003/);
      assert.equal(run(['sanity', '--preset', PRESET, IMAGES, '--preprocessing', 'imagenet', '--fail-on=warning']).code, 1);
    });
    it('train: a NaN loss exits 1 by default and 0 with --fail-on never', () => {
      const data = dataFolder(false);
      const r = run(['train', '--preset', nan, '--data', data, '--epochs', '1']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /nan-loss/);
      assert.equal(run(['train', '--preset', nan, '--data', data, '--epochs', '1', '--fail-on', 'never']).code, 0);
    });
    it('train: a warning (class imbalance) exits 0 by default and 1 with --fail-on warning', () => {
      const data = dataFolder(true);
      const r = run(['train', '--preset', PRESET, '--data', data, '--epochs', '1']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /WARNING imbalance/);
      assert.equal(run(['train', '--preset', PRESET, '--data', data, '--epochs', '1', '--fail-on', 'warning']).code, 1);
    });
    it('check: a pipeline that cannot learn (NaN weights) exits 1 by default and 0 with --fail-on never', () => {
      const data = dataFolder(false);
      const r = run(['check', '--preset', nan, '--data', data, '--epochs', '1', '--compare', 'none']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /Overfit one batch: FAIL/);
      assert.equal(run(['check', '--preset', nan, '--data', data, '--epochs', '1', '--compare', 'none', '--fail-on', 'never']).code, 0);
    });
    it('every command documents --fail-on in its usage', () => {
      for (const c of ['sanity', 'train', 'check']) assert.match(run([c, '--help']).stdout, /--fail-on <level>.*\(default error\)/, c);
    });
  });
});
