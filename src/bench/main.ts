/**
 * npm run bench: speed and memory of the engine, printed as tables with ratios. Not a test: numbers depend on the machine.
 * Each backend runs in its own child process (a fresh TF.js and a fresh peak RSS).
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { benchActivation } from './activationBench';
import { lintSource } from '../core/lint/linter';
import { getPythonParser, parsePython } from '../core/lint/pythonSource';
import { loadPresetDir } from '../core/presets/presetLoader';
import type { ImageClassifierConfig, ViTBackboneConfig } from '../core/presets/presetSchema';
import { selectBackend, type BackendChoice } from '../engine/backend/selectBackend';
import { vitBackboneForward } from '../engine/models/vit/vitBackbone';
import { vitHeadForward } from '../engine/models/vit/vitImageClassifier';
import { initViTBackboneArrays, initViTHeadArrays } from '../engine/models/vit/vitInit';
import { disposeViTModel, loadViTModel } from '../engine/models/vit/vitModel';
import { writeViTPreset } from '../engine/models/vit/vitPresetWriter';
import { runTraining } from '../engine/train/trainRun';

interface Row {
  backend: string;
  model: string;
  batch: number;
  loadMs: number;
  forwardMs: number;
  imagesPerSec: number;
  peakRssMb: number;
}

const VIT_B16: ViTBackboneConfig = {
  imageShape: [224, 224, 3], patchSize: [16, 16], numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072,
  dropoutRate: 0, attentionDropout: 0, layerNormEpsilon: 1e-6, useMhaBias: true, useMlpBias: true, useClassToken: true, usePatchBias: true, dtype: 'float32',
};
const HEAD: ImageClassifierConfig = { className: 'ViTImageClassifier', numClasses: 1000, pooling: 'token', activation: null, dropout: 0, intermediateDim: null };

async function measure(backend: BackendChoice, presetDir: string, label: string, batch: number, repeats: number): Promise<Row> {
  const info = await selectBackend(backend);
  const t0 = performance.now();
  const preset = loadPresetDir(presetDir);
  const model = await loadViTModel(preset);
  const loadMs = performance.now() - t0;
  const x = tf.randomUniform([batch, ...preset.backbone.imageShape], -1, 1) as tf.Tensor4D;
  const once = async (): Promise<void> => {
    const tokens = vitBackboneForward(model.config, model.backbone, x);
    const head = model.head && model.task ? vitHeadForward(model.task, model.head, tokens) : null;
    await (head ? head.logits : tokens).data();
    tf.dispose([tokens, ...(head ? [head.pooled, head.logits, head.probabilities, head.output] : [])]);
  };
  await once(); // warm-up (kernel compilation, allocation)
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  x.dispose();
  disposeViTModel(model);
  times.sort((a, b) => a - b);
  const forwardMs = times[Math.floor(times.length / 2)] as number;
  return { backend: info.name, model: label, batch, loadMs, forwardMs, imagesPerSec: (batch * 1000) / forwardMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function table(rows: Row[]): string {
  const base = new Map<string, number>();
  for (const r of rows) if (!base.has(r.model) || r.backend === 'wasm') base.set(r.model, r.forwardMs);
  const head = ['backend', 'model', 'batch', 'load ms', 'forward ms (median)', 'images/s', 'vs wasm', 'peak RSS MB'];
  const body = rows.map((r) => [r.backend, r.model, String(r.batch), r.loadMs.toFixed(0), r.forwardMs.toFixed(1), r.imagesPerSec.toFixed(2), `${((base.get(r.model) as number) / r.forwardMs).toFixed(2)}×`, r.peakRssMb.toFixed(0)]);
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  return all.map((r, j) => `| ${r.map((c, i) => c.padEnd(w[i] as number)).join(' | ')} |${j === 0 ? `\n|${w.map((n) => '-'.repeat(n + 2)).join('|')}|` : ''}`).join('\n');
}

interface TrainRow {
  backend: string;
  mode: string;
  imagesPerSec: number;
  cacheSeconds: number;
  peakRssMb: number;
}

/** Training throughput on the bundled demo: median images/s over the optimisation steps, and the run's peak RSS. */
async function measureTraining(backend: BackendChoice, mode: 'head' | 'last-k'): Promise<TrainRow> {
  const info = await selectBackend(backend);
  const t0 = performance.now();
  let firstStepAt = 0;
  const r = await runTraining(
    { preset: resolve('media/demo/preset'), data: resolve('media/demo/images'), mode, k: 2, epochs: 3, batch: 16, seed: 1 },
    { signal: new AbortController().signal, backend: info.name, emit: (e) => { if (e.type === 'step' && !firstStepAt) firstStepAt = performance.now(); } },
  );
  const ips = r.steps.map((x) => x.imagesPerSec).sort((a, b) => a - b);
  return { backend: info.name, mode, imagesPerSec: ips[Math.floor(ips.length / 2)] ?? 0, cacheSeconds: (firstStepAt - t0) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function child(): Promise<void> {
  if (process.argv[3] === '--train') {
    try {
      process.send?.(await measureTraining(process.argv[4] as BackendChoice, process.argv[5] as 'head' | 'last-k'));
    } catch (e) {
      process.stderr.write(`${(e as Error).message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
    return;
  }
  const [backend, presetDir, label, batch, repeats] = process.argv.slice(3);
  try {
    const row = await measure(backend as BackendChoice, presetDir as string, label as string, Number(batch), Number(repeats));
    process.send?.(row);
  } catch (e) {
    process.stderr.write(`${(e as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

async function runChild<T = Row>(args: string[]): Promise<T | null> {
  return new Promise((res) => {
    const c = fork(__filename, ['--child', ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let row: T | null = null;
    c.on('message', (m) => (row = m as T));
    c.on('exit', () => res(row));
  });
}

async function benchTraining(): Promise<string> {
  const rows: TrainRow[] = [];
  for (const b of ['tensorflow', 'wasm', 'cpu'] as BackendChoice[]) {
    for (const mode of ['head', 'last-k'] as const) {
      const r = await runChild<TrainRow>(['--train', b, mode]);
      if (r) rows.push(r);
      else break;
    }
  }
  const head = rows.find((r) => r.backend === 'wasm' && r.mode === 'head')?.imagesPerSec ?? 1;
  return ['| backend | mode | images/s (median step) | vs wasm head | feature cache s | peak RSS MB |', '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.backend} | ${r.mode} | ${r.imagesPerSec.toFixed(0)} | ${(r.imagesPerSec / head).toFixed(2)}× | ${r.cacheSeconds.toFixed(2)} | ${r.peakRssMb.toFixed(0)} |`)].join('\n');
}

/** Lint throughput: parse + all rules on a 2,000-line file built from the test corpus, median of 20 runs. */
async function benchLint(): Promise<string> {
  const dir = resolve('test/fixtures/python');
  const parts = readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'syntax_error.py').sort().map((f) => readFileSync(join(dir, f), 'utf8'));
  let text = '';
  for (let i = 0; text.split('\n').length < 2000; i++) text += `${parts[i % parts.length]}\n`;
  const lines = text.split('\n').slice(0, 2000).join('\n');
  const parser = await getPythonParser();
  const parseTimes: number[] = [];
  const totalTimes: number[] = [];
  let findings = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const src = parsePython(parser, lines);
    const t1 = performance.now();
    findings = lintSource(src).findings.length;
    const t2 = performance.now();
    src.tree.delete();
    if (i > 0) {
      parseTimes.push(t1 - t0);
      totalTimes.push(t2 - t0);
    }
  }
  const med = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;
  const p = med(parseTimes);
  const t = med(totalTimes);
  return `| file | parse ms (median) | parse + all rules ms (median) | rules / parse | lines/s | findings |\n|---|---|---|---|---|---|\n| 2,000 lines | ${p.toFixed(1)} | ${t.toFixed(1)} | ${(t / p).toFixed(2)}× | ${Math.round(2000 / (t / 1000)).toLocaleString('en-US')} | ${findings} |`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--train-only')) {
    process.stdout.write(`\nTraining throughput (bundled demo, batch 16, 3 epochs)\n\n${await benchTraining()}\n`);
    return;
  }
  if (process.argv.includes('--activation-only')) {
    process.stdout.write(`\nExtension activation (own code; vscode API stubbed)\n\n${benchActivation()}\n`);
    return;
  }
  if (process.argv.includes('--lint-only')) {
    process.stdout.write(`\nLint throughput\n\n${await benchLint()}\n`);
    return;
  }
  const quick = process.argv.includes('--quick');
  const tmp = mkdtempSync(join(tmpdir(), 'vtd-bench-'));
  try {
    const vitB = join(tmp, 'vit_b16_random');
    process.stdout.write('Writing a ViT-B/16-sized preset with random weights (same Keras format)…\n');
    await writeViTPreset(vitB, { backbone: VIT_B16, converter: { className: 'ViTImageConverter', imageSize: [224, 224], scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1], normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false }, task: HEAD, backboneArrays: initViTBackboneArrays(VIT_B16, 1), headArrays: initViTHeadArrays(HEAD, 768, 2), note: 'bench' });
    const demo = resolve('media/demo/preset');
    const backends: BackendChoice[] = ['tensorflow', 'wasm', 'cpu'];
    const rows: Row[] = [];
    for (const b of backends) {
      const jobs: [string, string, number, number][] = [[demo, 'demo preset (bundled)', 8, 20]];
      if (!(b === 'cpu' && quick)) jobs.push([vitB, 'ViT-B/16 224 (random)', 8, b === 'cpu' ? 1 : 3]);
      for (const [dir, label, batch, repeats] of jobs) {
        if (!existsSync(dir)) continue;
        const row = await runChild([b, dir, label, String(batch), String(repeats)]);
        if (row) rows.push(row);
        else process.stdout.write(`(${b}: not available here)\n`);
        if (!row) break;
      }
    }
    process.stdout.write(`\nForward pass (backbone + head), median of repeats after one warm-up; node ${process.version}\n\n${table(rows)}\n`);
    process.stdout.write(`\nLint throughput\n\n${await benchLint()}\n`);
    process.stdout.write(`\nTraining throughput (bundled demo, batch 16, 3 epochs)\n\n${await benchTraining()}\n`);
    process.stdout.write(`\nExtension activation (own code; vscode API stubbed)\n\n${benchActivation()}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') void child();
else void main();
