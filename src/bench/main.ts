/**
 * npm run bench: speed and memory of the engine, printed as tables with ratios. Not a test: numbers depend on the machine.
 * Each backend runs in its own child process (a fresh TF.js and a fresh peak RSS).
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchActivation } from './activationBench';
import { fileEditLatency, LATENCY_HEADER, latencyRow, notebookEditLatency } from './editLatencyBench';
import { benchColdStart } from './coldStartBench';
import { lintScore } from './lintScore';
import { breakdownTable, lintEditBreakdown } from './lintEditBreakdown';
import { lintFootprint } from './lintFootprint';
import { benchFile, benchNotebookCells, FIXTURES_AT_0CB5F11, lintBenchParts } from './lintBenchInputs';
import { formatRealCorpusDetails, runRealCorpus } from './realCorpusRun';
import { writeBenchImages, writeViTB16Preset } from './benchPreset';
import { benchDinov2Sanity, writeDinov2B14Preset } from './dinov2Bench';
import { forwardTable, measureForward, type ForwardRow } from './forwardBench';
import { benchGradParity } from './gradParity';
import { benchVsPyTorch } from './torchCompare';
import { benchTrainingVsPyTorch, measureTrainSteps } from './trainBench';
import { lintSource } from '../core/lint/linter';
import { getPythonParser, parsePython } from '../core/lint/pythonSource';
import { lintNotebook } from '../core/notebook/lintNotebook';
import { buildNotebookProgram, type NotebookCell } from '../core/notebook/notebookProgram';
import type { Parser } from 'web-tree-sitter';
import { selectEngineBackends } from '../engine/backend/engineBackends';
import type { BackendChoice } from '../protocol/engineProtocol';
import { runTraining } from '../engine/train/trainRun';
import { trainingBackends } from '../engine/train/trainingBackends';
import { median } from './benchStats';

interface TrainRow {
  backend: string;
  mode: string;
  imagesPerSec: number;
  cacheSeconds: number;
  peakRssMb: number;
}

/** Training throughput on the bundled demo: median images/s over the optimisation steps, and the run's peak RSS. */
async function measureTraining(backend: BackendChoice, mode: 'head' | 'last-k'): Promise<TrainRow> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'vtd-bench-cache-'));
  const b = await selectEngineBackends(backend, { cacheDir });
  if (backend === 'onnx' && !b.onnx) throw new Error('onnx unavailable');
  const t0 = performance.now();
  let firstStepAt = 0;
  const r = await runTraining(
    { preset: resolve('media/demo/preset'), data: resolve('media/demo/images'), mode, k: 2, epochs: 3, batch: 16, seed: 1 },
    {
      signal: new AbortController().signal, ...trainingBackends(b),
      emit: (e) => { if (e.type === 'step' && !firstStepAt) firstStepAt = performance.now(); },
    },
  );
  rmSync(cacheDir, { recursive: true, force: true });
  const ips = r.steps.map((x) => x.imagesPerSec).sort((p, q) => p - q);
  const label = b.onnx ? 'onnx' : b.tfjs.name;
  return { backend: label, mode, imagesPerSec: ips[Math.floor(ips.length / 2)] ?? 0, cacheSeconds: (firstStepAt - t0) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function child(): Promise<void> {
  if (process.argv[3] === '--train-steps') {
    const [preset, data, mode, batch, steps] = process.argv.slice(4);
    process.stdout.write(`${JSON.stringify(await measureTrainSteps(preset as string, data as string, mode as 'last-k' | 'full', Number(batch), Number(steps)))}\n`);
    return;
  }
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
    const row = await measureForward(backend as BackendChoice, presetDir as string, label as string, Number(batch), Number(repeats));
    process.send?.(row);
  } catch (e) {
    process.stderr.write(`${(e as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

async function runChild<T = ForwardRow>(args: string[]): Promise<T | null> {
  return new Promise((res) => {
    const c = fork(__filename, ['--child', ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let row: T | null = null;
    c.on('message', (m) => (row = m as T));
    c.on('exit', () => res(row));
  });
}

async function benchTraining(): Promise<string> {
  const rows: TrainRow[] = [];
  for (const b of ['onnx', 'tensorflow', 'wasm', 'cpu'] as BackendChoice[]) {
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

/**
 * Lint throughput: parse + all rules on a 2,000-line file and on a 200-cell notebook built from the test corpus
 * (median of 20 / 10 runs), then per-edit latency. Each on the current fixture set and on the set of 0cb5f11 (the text
 * the goals were set on).
 */
async function benchLint(): Promise<string> {
  const parser = await getPythonParser();
  const sets: [string, string[]][] = [['current fixtures', lintBenchParts()], ['fixtures of 0cb5f11', lintBenchParts(FIXTURES_AT_0CB5F11)]];
  const fileRows: string[] = [];
  const nbRows: string[] = [];
  const editRows: string[] = [];
  for (const [label, parts] of sets) {
    const lines = benchFile(parts);
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
    const p = median(parseTimes);
    const t = median(totalTimes);
    fileRows.push(`| 2,000 lines, ${label} | ${p.toFixed(1)} | ${t.toFixed(1)} | ${(t / p).toFixed(2)}× | ${Math.round(2000 / (t / 1000)).toLocaleString('en-US')} | ${findings} |`);
    const nb = benchNotebook(parser, parts);
    nbRows.push(`| 200 cells (150 code, 50 markdown), ${label} | ${nb.full.toFixed(1)} | ${nb.oneCell.toFixed(1)} | ${nb.lines} | ${nb.findings} |`);
    editRows.push(latencyRow(`2,000-line file, ${label}, 50 random small edits`, fileEditLatency(parser, lines, 50)));
    editRows.push(latencyRow(`200-cell notebook, ${label}, 50 random small edits in code cells`, notebookEditLatency(parser, nb.cells, 50)));
  }
  return `| file | parse ms (median) | parse + all rules ms (median) | rules / parse | lines/s | findings |\n|---|---|---|---|---|---|\n${fileRows.join('\n')}` +
    `\n\n| notebook | full pass ms (median) | after editing one cell ms (median) | lines | findings |\n|---|---|---|---|---|\n${nbRows.join('\n')}` +
    `\n\nPer edit, as the editor lints after each (debounced) change; before and after run alternately on the same versions\n\n${LATENCY_HEADER}\n${editRows.join('\n')}`;
}


/**
 * A 200-cell notebook built from the corpus (every fourth cell markdown, magics in some): a full lint pass, and the
 * pass after one cell changed (the editor re-lints the whole notebook: the joined program is parsed again).
 */
function benchNotebook(parser: Parser, parts: string[]): { full: number; oneCell: number; lines: number; findings: number; cells: NotebookCell[] } {
  const cells = benchNotebookCells(parts);
  const times = (edit: boolean): number[] => {
    const out: number[] = [];
    for (let r = 0; r < 11; r++) {
      const c = edit ? cells.map((x, i) => (i === 101 ? { ...x, text: `${x.text}\n# edit ${r}` } : x)) : cells;
      const t0 = performance.now();
      lintNotebook(parser, c);
      if (r > 0) out.push(performance.now() - t0);
    }
    return out;
  };
  const full = median(times(false));
  const oneCell = median(times(true));
  return { full, oneCell, lines: buildNotebookProgram(cells).text.split('\n').length, findings: lintNotebook(parser, cells).findings.length, cells };
}

/** Per-edit phase times and what each phase reads, on the 2,000-line file of both fixture sets. */
async function benchLintBreakdown(): Promise<string> {
  const parser = await getPythonParser();
  const out: string[] = [];
  for (const [label, parts] of [['fixtures of 0cb5f11', lintBenchParts(FIXTURES_AT_0CB5F11)], ['current fixtures', lintBenchParts()]] as const) {
    out.push(breakdownTable(`2,000-line file, ${label}`, await lintEditBreakdown(parser, benchFile([...parts]), 60)));
    if (process.argv.includes('--footprint')) out.push(lintFootprint(parser, benchFile([...parts]), 40));
  }
  return out.join('\n\n');
}

const GRAD_PARITY_TITLE = 'Training gradients: vit-doctor (ONNX Runtime autodiff) vs PyTorch autograd, fixture presets';

async function main(): Promise<void> {
  if (process.argv.includes('--train-only')) {
    process.stdout.write(`\nTraining throughput (bundled demo, batch 16, 3 epochs)\n\n${await benchTraining()}\n`);
    return;
  }
  if (process.argv.includes('--grad-parity-only')) {
    const tmp = mkdtempSync(join(tmpdir(), 'vtd-bench-'));
    try {
      // --vit-b16: one more case at full size (random weights), last-k k=2 on 4 bench PNGs
      const vitB = process.argv.includes('--vit-b16') ? [{ fixture: 'ViT-B/16 (random)', presetDir: join(tmp, 'vit_b16'), files: await writeBenchImages(join(tmp, 'images'), 4), classes: 2, mode: 'last-k' as const, k: 2, smoothing: 0 }] : [];
      if (vitB.length) await writeViTB16Preset(join(tmp, 'vit_b16'));
      process.stdout.write(`\n${GRAD_PARITY_TITLE}\n\n${await benchGradParity(vitB)}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--train-vs-torch-only')) {
    const tmp = mkdtempSync(join(tmpdir(), 'vtd-bench-'));
    try {
      await writeViTB16Preset(join(tmp, 'vit_b16_random'));
      process.stdout.write(`\nTraining ViT-B/16: vit-doctor (ONNX Runtime) vs PyTorch, AdamW steps\n\n${await benchTrainingVsPyTorch(join(tmp, 'vit_b16_random'), __filename)}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--activation-only')) {
    process.stdout.write(`\nExtension activation (own code; vscode API stubbed)\n\n${benchActivation()}\n`);
    return;
  }
  const writeAt = process.argv.indexOf('--write-preset');
  if (writeAt > 0) {
    // for reproducing the end-to-end row by hand: DIR/preset (ViT-B/16, random weights, keras layout) and DIR/images (8 PNGs)
    const dir = resolve(process.argv[writeAt + 1] ?? 'vitb16-bench');
    await writeViTB16Preset(join(dir, 'preset'));
    await writeBenchImages(join(dir, 'images'), 8);
    process.stdout.write(`wrote ${dir}/preset and ${dir}/images\n`);
    return;
  }
  if (process.argv.includes('--torch-only')) {
    const tmp = mkdtempSync(join(tmpdir(), 'vtd-bench-'));
    try {
      await writeViTB16Preset(join(tmp, 'vit_b16_random'));
      process.stdout.write(`\nEnd to end: vit-doctor sanity --json vs PyTorch\n\n${await benchVsPyTorch(join(tmp, 'vit_b16_random'), join(tmp, 'images'), 3)}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--dinov2-only')) {
    const tmp = mkdtempSync(join(tmpdir(), 'vtd-bench-'));
    try {
      await writeDinov2B14Preset(join(tmp, 'dinov2_b14_224'));
      await writeBenchImages(join(tmp, 'images'), 8);
      process.stdout.write(`\nDINOv2-B/14 at 224: vit-doctor sanity on 8 PNGs\n\n${await benchDinov2Sanity(join(tmp, 'dinov2_b14_224'), join(tmp, 'images'), 3)}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--cold-start-only')) {
    const tmp = mkdtempSync(join(tmpdir(), 'vtd-bench-'));
    try {
      await writeViTB16Preset(join(tmp, 'vit_b16_random'));
      await writeBenchImages(join(tmp, 'images'), 8);
      process.stdout.write(`\nCold start: vit-doctor sanity on the ViT-B/16 preset and 8 PNGs\n\n${benchColdStart(join(tmp, 'vit_b16_random'), join(tmp, 'images'), 5)}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--lint-score')) {
    process.stdout.write(`\nLint precision and recall per rule on the synthetic corpus (test/fixtures/python)\n\n${await lintScore()}\n`);
    const real = await runRealCorpus();
    process.stdout.write(`\nLint precision and recall per rule on the real corpus (test/corpus-real, labelled blind)\n\n${real.text}\n`);
    if (real.score && process.argv.includes('--details')) process.stdout.write(`\n${formatRealCorpusDetails(real.score)}\n`);
    return;
  }
  if (process.argv.includes('--lint-breakdown')) {
    process.stdout.write(`\nLint per edit, phase by phase (60 random small edits, the editor's path)\n\n${await benchLintBreakdown()}\n`);
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
    await writeViTB16Preset(vitB);
    const demo = resolve('media/demo/preset');
    const backends: BackendChoice[] = ['onnx', 'tensorflow', 'wasm', 'cpu'];
    const rows: ForwardRow[] = [];
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
    process.stdout.write(`\nForward pass (backbone + head, every stage read back), median of repeats after one warm-up; node ${process.version}\n\n${forwardTable(rows)}\n`);
    process.stdout.write(`\nEnd to end: vit-doctor sanity --json on the ViT-B/16 preset and 8 PNGs vs the same work in PyTorch\n\n${await benchVsPyTorch(vitB, join(tmp, 'images'), quick ? 3 : 5)}\n`);
    process.stdout.write(`\nCold start: vit-doctor sanity on the ViT-B/16 preset and 8 PNGs\n\n${benchColdStart(vitB, join(tmp, 'images'), quick ? 3 : 5)}\n`);
    await writeDinov2B14Preset(join(tmp, 'dinov2_b14_224'));
    if (!existsSync(join(tmp, 'images'))) await writeBenchImages(join(tmp, 'images'), 8);
    process.stdout.write(`\nDINOv2-B/14 at 224: vit-doctor sanity on 8 PNGs\n\n${await benchDinov2Sanity(join(tmp, 'dinov2_b14_224'), join(tmp, 'images'), quick ? 2 : 3)}\n`);
    process.stdout.write(`\nLint throughput\n\n${await benchLint()}\n`);
    process.stdout.write(`\nLint precision and recall per rule on the synthetic corpus (test/fixtures/python)\n\n${await lintScore()}\n`);
    process.stdout.write(`\nLint precision and recall per rule on the real corpus (test/corpus-real, labelled blind)\n\n${(await runRealCorpus()).text}\n`);
    process.stdout.write(`\nTraining throughput (bundled demo, batch 16, 3 epochs)\n\n${await benchTraining()}\n`);
    process.stdout.write(`\nTraining ViT-B/16: vit-doctor (ONNX Runtime) vs PyTorch, AdamW steps\n\n${await benchTrainingVsPyTorch(vitB, __filename)}\n`);
    process.stdout.write(`\n${GRAD_PARITY_TITLE}\n\n${await benchGradParity()}\n`);
    process.stdout.write(`\nExtension activation (own code; vscode API stubbed)\n\n${benchActivation()}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') void child();
else void main();
