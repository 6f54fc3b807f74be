/**
 * Fuzz tier: seeded random damage to presets, images and Python files, run through the real engine process, the
 * linter and the CLI. Every case must end in a result or a clear error (a known code, naming a file), never a crash,
 * a hang, a stack trace, a changed input file or a leftover engine process. VTD_FUZZ_SEED picks another set of cases.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { forkEngine, type EngineHandle } from '../../src/core/engine/forkEngine';
import type { Logger } from '../../src/core/logger';
import { lintFiles } from '../../src/core/lint/lintFiles';
import { UserError } from '../../src/core/userError';
import type { RemoteError } from '../../src/protocol/endpoint';
import { Dice, mutateBytes, mutateJson, mutatePython } from './fuzzMutations';

const SEED = Number(process.env.VTD_FUZZ_SEED ?? 20261202);
const FIX = resolve('test', 'fixtures');
const PRESETS = ['vit_tiny_cls', 'vit_tiny_nocls'].map((n) => join(FIX, 'keras-vit', n, 'preset'));
const IMAGES = join(FIX, 'keras-vit', 'vit_tiny_cls', 'inputs');
const PY = join(FIX, 'python');
const CLI = resolve('dist/cli.js');
const N_PRESETS = 140;
const N_IMAGES = 50;
const N_PYTHON = 120;
const N_CLI = 30;
/** codes a user can act on; E_INTERNAL / E_ENGINE_DIED / E_ENGINE_TIMEOUT are bugs */
const BUG_CODES = new Set(['E_INTERNAL', 'E_ENGINE_DIED', 'E_ENGINE_TIMEOUT']);

const root = mkdtempSync(join(tmpdir(), 'vtd-fuzz-'));
const cacheDir = join(root, 'cache');

function hashTree(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(`${p}\0`).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

type Case = { dir: string; presetDir: string; imagesDir: string; what: string };

/** One damaged copy of a fixture preset (the images stay good). */
function presetCase(d: Dice, i: number): Case {
  const dir = join(root, `p${i}`);
  const presetDir = join(dir, 'preset');
  cpSync(d.pick(PRESETS), presetDir, { recursive: true });
  const target = d.pick(['model.weights.h5', 'model.weights.h5', 'task.weights.h5', 'config.json', 'config.json', 'image_converter.json', 'preprocessor.json', 'task.json', 'delete', 'dtype'] as const);
  let what: string;
  if (target === 'delete') {
    const f = d.pick(readdirSync(presetDir));
    rmSync(join(presetDir, f));
    what = `deleted ${f}`;
  } else if (target === 'dtype') {
    const f = d.pick(readdirSync(join(FIX, 'weights-dtypes')));
    copyFileSync(join(FIX, 'weights-dtypes', f), join(presetDir, 'model.weights.h5'));
    what = `weights replaced by ${f}`;
  } else if (target.endsWith('.h5')) {
    const m = mutateBytes(d, readFileSync(join(presetDir, target)));
    writeFileSync(join(presetDir, target), m.bytes);
    what = `${target}: ${m.what}`;
  } else {
    const m = mutateJson(d, readFileSync(join(presetDir, target), 'utf8'));
    writeFileSync(join(presetDir, target), m.text);
    what = `${target}: ${m.what}`;
  }
  return { dir, presetDir, imagesDir: IMAGES, what };
}

/** Good preset, damaged images folder (files broken, odd files added, links). */
function imageCase(d: Dice, i: number): Case {
  const dir = join(root, `i${i}`);
  const imagesDir = join(dir, 'images');
  cpSync(IMAGES, imagesDir, { recursive: true });
  const files = readdirSync(imagesDir);
  const whats: string[] = [];
  for (let k = 0, n = 1 + d.int(4); k < n; k++) {
    const kind = d.pick(['damage', 'damage', 'text', 'hidden', 'empty-dir', 'all-damaged'] as const);
    if (kind === 'damage') {
      const f = d.pick(files);
      const m = mutateBytes(d, readFileSync(join(imagesDir, f)));
      writeFileSync(join(imagesDir, f), m.bytes);
      whats.push(`${f}: ${m.what}`);
    } else if (kind === 'text') {
      writeFileSync(join(imagesDir, d.pick(['README.txt', 'notes.png', 'x.jpg', 'labels.csv'])), 'not an image');
      whats.push('text file');
    } else if (kind === 'hidden') {
      writeFileSync(join(imagesDir, '.DS_Store'), Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]));
      whats.push('.DS_Store');
    } else if (kind === 'empty-dir') {
      mkdirSync(join(imagesDir, `sub${k}`), { recursive: true });
      whats.push('empty sub-folder');
    } else {
      for (const f of files) writeFileSync(join(imagesDir, f), 'x');
      whats.push('every image damaged');
    }
  }
  return { dir, presetDir: PRESETS[0] as string, imagesDir, what: whats.join('; ') };
}

const quiet: Logger = { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} };

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`hung for ${ms / 1000} s: ${what}`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

describe(`fuzz tier (seed ${SEED})`, () => {
  let engine: EngineHandle | null = null;
  before(async () => {
    engine = await forkEngine({ enginePath: resolve('dist/engine.js'), backend: 'auto', logger: quiet, env: { VIT_DOCTOR_CACHE_DIR: cacheDir } });
  });
  after(() => {
    if (engine && engine.child.exitCode === null) engine.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  async function runEngineCases(make: (d: Dice, i: number) => Case, n: number, seed: number): Promise<{ ok: number; errors: Map<string, number> }> {
    const d = new Dice(seed);
    const problems: string[] = [];
    const errors = new Map<string, number>();
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const c = make(d, i);
      const before = hashTree(c.dir.startsWith(root) ? c.dir : c.presetDir);
      try {
        const rep = await withTimeout(engine!.endpoint.request('engine/sanityPass', { preset: c.presetDir, images: [c.imagesDir] }), 60000, c.what);
        assert.ok(rep.stages.length > 0);
        ok++;
      } catch (e) {
        const w = (e as RemoteError).wire;
        if (!w) problems.push(`case ${i} (${c.what}): ${(e as Error).message}`);
        else {
          errors.set(w.code, (errors.get(w.code) ?? 0) + 1);
          if (BUG_CODES.has(w.code)) problems.push(`case ${i} (${c.what}): ${w.code} ${w.message}`);
          else if (!w.message.includes(c.dir) && !(w.file ?? '').includes(c.dir)) problems.push(`case ${i} (${c.what}): the error names no file of the input: ${w.message}`);
        }
        if (w?.code === 'E_ENGINE_DIED') engine = await forkEngine({ enginePath: resolve('dist/engine.js'), backend: 'auto', logger: quiet, env: { VIT_DOCTOR_CACHE_DIR: cacheDir } });
      }
      if (hashTree(c.dir.startsWith(root) ? c.dir : c.presetDir) !== before) problems.push(`case ${i} (${c.what}): an input file changed`);
    }
    assert.deepEqual(problems, []);
    return { ok, errors };
  }

  it(`${N_PRESETS} damaged presets through the engine: a report or a clear error naming the file`, async () => {
    const r = await runEngineCases(presetCase, N_PRESETS, SEED);
    process.stdout.write(`# presets: ${r.ok} reports, errors ${JSON.stringify(Object.fromEntries(r.errors))}\n`);
  });

  it(`${N_IMAGES} damaged image folders through the engine`, async () => {
    const r = await runEngineCases(imageCase, N_IMAGES, SEED + 1);
    process.stdout.write(`# images: ${r.ok} reports, errors ${JSON.stringify(Object.fromEntries(r.errors))}\n`);
  });

  it(`${N_PYTHON} damaged Python files through the linter: findings or a reason, never an exception`, async () => {
    const d = new Dice(SEED + 2);
    const sources = readdirSync(PY).filter((f) => f.endsWith('.py')).map((f) => readFileSync(join(PY, f), 'utf8'));
    const dir = join(root, 'py');
    mkdirSync(dir);
    const problems: string[] = [];
    for (let i = 0; i < N_PYTHON; i++) {
      const m = mutatePython(d, d.pick(sources));
      const f = join(dir, `case_${i}.py`);
      writeFileSync(f, m.bytes);
      try {
        await lintFiles([f]);
      } catch (e) {
        if (!(e instanceof UserError)) problems.push(`case ${i} (${m.what}): ${(e as Error).stack}`);
      }
      if (!readFileSync(f).equals(m.bytes)) problems.push(`case ${i}: the file changed`);
    }
    assert.deepEqual(problems, []);
  });

  it(`${N_CLI} cases through the CLI: exit 0/1/2, no stack trace or library dump, no engine left behind`, () => {
    const d = new Dice(SEED + 3);
    const marker = randomUUID();
    const problems: string[] = [];
    const sources = readdirSync(PY).filter((f) => f.endsWith('.py'));
    for (let i = 0; i < N_CLI; i++) {
      const kind = d.pick(['preset', 'preset', 'images', 'python'] as const);
      let args: string[];
      let inputs: string;
      let what: string;
      if (kind === 'python') {
        const dir = join(root, `cli-py${i}`);
        mkdirSync(dir);
        const m = mutatePython(d, readFileSync(join(PY, d.pick(sources)), 'utf8'));
        writeFileSync(join(dir, 'train.py'), m.bytes);
        args = ['lint', dir, ...(d.float() < 0.5 ? ['--format', d.pick(['json', 'sarif', 'text'])] : [])];
        inputs = dir;
        what = `lint: ${m.what}`;
      } else {
        const c = kind === 'preset' ? presetCase(d, 1000 + i) : imageCase(d, 1000 + i);
        args = ['sanity', '--preset', c.presetDir, c.imagesDir, ...(d.float() < 0.5 ? ['--json'] : []), ...(d.float() < 0.3 ? ['--fail-on', 'warning'] : [])];
        inputs = c.dir;
        what = `${kind}: ${c.what}`;
      }
      const before = hashTree(inputs);
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000, env: { ...process.env, VIT_DOCTOR_CACHE_DIR: cacheDir, VTD_FUZZ_MARKER: marker } });
      if (![0, 1, 2].includes(r.status ?? -1)) problems.push(`case ${i} (${what}): exit ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(0, 300)}`);
      if (/\n\s+at .+:\d+:\d+\)?\n|HDF5-DIAG|internal error/.test(`${r.stderr}\n`)) problems.push(`case ${i} (${what}): stderr has a stack trace or library dump: ${r.stderr.slice(0, 300)}`);
      if (hashTree(inputs) !== before) problems.push(`case ${i} (${what}): an input file changed`);
    }
    // engines exit with their CLI: none may carry our marker now
    const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    if (left.length) problems.push(`engine processes left behind: ${left.join(', ')}`);
    assert.deepEqual(problems, []);
  });
});
