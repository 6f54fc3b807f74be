import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { physicalCores } from '../engine/backend/onnxBackend';
import { writeBenchImages } from './benchPreset';
import { runMeasured, type TreeRun } from './processTreeRss';
import { median } from './benchStats';

const TORCH_SCRIPT = resolve('scripts/bench/torchVit.py');
const CLI = resolve('dist/cli.js');

interface Sample {
  wallMs: number;
  peakRssMb: number;
  forwardMs: number;
  logitsSum: number;
}

/** A Python with torch, h5py, Pillow and numpy: $VTD_PYTHON, else Debian's /usr/bin/python3, else python3 on PATH. */
export function findPython(): { python: string } | { missing: string } {
  const candidates = [process.env.VTD_PYTHON, '/usr/bin/python3', 'python3'].filter((x): x is string => !!x);
  const tried: string[] = [];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch, h5py, PIL, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: py };
    tried.push(`${py}: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  }
  return { missing: tried.join('; ') };
}


function parseLast(run: TreeRun, what: string): Record<string, unknown> {
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`${what} printed no JSON (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

async function runCli(preset: string, images: string, cacheDir: string): Promise<Sample> {
  const run = await runMeasured(process.execPath, [CLI, 'sanity', '--preset', preset, '--images', images, '--json'], { ...process.env, VIT_DOCTOR_CACHE_DIR: cacheDir });
  if (run.code !== 0) throw new Error(`vit-doctor sanity failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const rep = parseLast({ ...run, stdout: run.stdout.replace(/\n/g, ' ') }, 'vit-doctor');
  const t = rep.timings as { forwardMs: number };
  const logits = (rep.stages as { id: string; shape: number[]; mean?: number }[]).find((s) => s.id === 'logits');
  const logitsSum = logits?.mean !== undefined ? logits.mean * logits.shape.reduce((a, b) => a * b, 1) : NaN;
  return { wallMs: run.wallMs, peakRssMb: run.peakRssMb, forwardMs: t.forwardMs, logitsSum };
}

async function runTorch(python: string, preset: string, files: string[], threads: number | null): Promise<Sample> {
  const env = { ...process.env, ...(threads ? { VTD_TORCH_THREADS: String(threads) } : {}) };
  const run = await runMeasured(python, [TORCH_SCRIPT, preset, ...files], env);
  const out = parseLast(run, 'PyTorch');
  if (run.code !== 0) throw new Error(String(out.error ?? `exit ${run.code}`));
  return { wallMs: run.wallMs, peakRssMb: run.peakRssMb, forwardMs: out.forwardMs as number, logitsSum: out.logitsSum as number };
}

/**
 * The end-to-end comparison: `vit-doctor sanity --json` (a fresh process each time: Node start, engine fork,
 * ONNX model from the cache, decode, convert, forward, report) against the same work in PyTorch, alternating, median of
 * `pairs` pairs. PyTorch runs with its default threads and with one per physical core; the faster is the reference.
 * Also the first (cold-cache) run, which builds the ONNX model. Refuses without OpenBLAS (the reference BLAS would flatter us).
 */
export async function benchVsPyTorch(preset: string, imageDir: string, pairs: number): Promise<string> {
  if (!existsSync(CLI)) return `(skipped: ${CLI} missing; run npm run build)`;
  const py = findPython();
  if ('missing' in py) return `(skipped: no Python with torch, h5py, Pillow and numpy — ${py.missing}. On Debian: sudo bash scripts/bench/installTorch.sh)`;
  const files = existsSync(imageDir) ? [] : await writeBenchImages(imageDir, 8);
  const imgs = files.length ? files : Array.from({ length: 8 }, (_, k) => join(imageDir, `img_${k}.png`));
  const cacheRoot = mkdtempSync(join(tmpdir(), 'vtd-bench-e2e-'));
  try {
    const probe = spawnSync(py.python, [TORCH_SCRIPT, preset, imgs[0] as string], { encoding: 'utf8' });
    if (probe.status === 3) return `(refused: ${probe.stdout.trim()} — PyTorch on the reference BLAS runs ~15× slower; sudo bash scripts/bench/installTorch.sh)`;
    if (probe.status !== 0) return `(skipped: the PyTorch script failed: ${probe.stderr.trim().split('\n').pop()})`;
    const cores = physicalCores();
    const cold = await runCli(preset, imageDir, join(cacheRoot, 'cold'));
    const warmCache = join(cacheRoot, 'warm');
    await runCli(preset, imageDir, warmCache); // fills the cache
    const ours: Sample[] = [];
    const torchDefault: Sample[] = [];
    const torchCores: Sample[] = [];
    for (let i = 0; i < pairs; i++) {
      ours.push(await runCli(preset, imageDir, warmCache));
      torchDefault.push(await runTorch(py.python, preset, imgs, null));
      if (cores > 1) torchCores.push(await runTorch(py.python, preset, imgs, cores));
    }
    const row = (label: string, s: Sample[]): { label: string; wall: number; fwd: number; rss: number; sum: number } => ({ label, wall: median(s.map((x) => x.wallMs)), fwd: median(s.map((x) => x.forwardMs)), rss: median(s.map((x) => x.peakRssMb)), sum: s[0]?.logitsSum ?? NaN });
    const torchRows = [row('PyTorch, default threads', torchDefault), ...(torchCores.length ? [row(`PyTorch, ${cores} threads`, torchCores)] : [])];
    const ref = torchRows.reduce((a, b) => (b.wall < a.wall ? b : a));
    const rows = [row('vit-doctor sanity (warm ONNX cache)', ours), row('vit-doctor sanity (first run: builds the ONNX model)', [cold]), ...torchRows];
    const lines = [
      `| run | wall s (median of ${pairs}) | forward s | peak RSS MB (process tree) | wall vs PyTorch | RSS vs PyTorch | logits sum |`,
      '|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.label}${r === ref ? ' (reference)' : ''} | ${(r.wall / 1000).toFixed(2)} | ${(r.fwd / 1000).toFixed(2)} | ${r.rss.toFixed(0)} | ${(r.wall / ref.wall).toFixed(2)}× | ${(r.rss / ref.rss).toFixed(2)}× | ${r.sum.toFixed(3)} |`),
      '',
      `${cpus().length} logical / ${cores} physical cores; ONNX Runtime threads = physical cores; one cold run, then ${pairs} alternating pairs. Wall = process start to exit.`,
    ];
    return lines.join('\n');
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}
