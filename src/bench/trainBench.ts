import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selectEngineBackends } from '../engine/backend/engineBackends';
import { physicalCores } from '../engine/backend/onnxBackend';
import { runTraining } from '../engine/train/trainRun';
import { trainingBackends } from '../engine/train/trainingBackends';
import { writeBenchImages } from './benchPreset';
import { runMeasured } from './processTreeRss';
import { findPython } from './torchCompare';
import { median } from './benchStats';

const TORCH_SCRIPT = resolve('scripts/bench/torchTrain.py');

export interface StepTimes {
  stepMs: number[];
}

/** In the bench's child process: `vit-doctor train` steps on ONNX Runtime (AdamW, lr 1e-4); each optimizer step's milliseconds. */
export async function measureTrainSteps(preset: string, data: string, mode: 'last-k' | 'full', batch: number, steps: number): Promise<StepTimes> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'vtd-bench-train-'));
  try {
    const b = await selectEngineBackends('auto', { cacheDir });
    if (!b.onnx) throw new Error('onnx unavailable');
    const stepMs: number[] = [];
    await runTraining(
      { preset, data, mode, k: 2, batch, epochs: Math.ceil((steps * batch) / 16), lr: 1e-4, optimizer: 'adamw', validationSplit: 0, seed: 1 },
      { signal: new AbortController().signal, ...trainingBackends(b), emit: (e) => e.type === 'step' && stepMs.push((batch * 1000) / e.imagesPerSec) },
    );
    return { stepMs };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

interface Row {
  label: string;
  stepMs: number;
  rssMb: number;
}

function lastJson(stdout: string): Record<string, unknown> | null {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Training rows: ViT-B/16 (random weights, keras layout), 16 PNGs in 2 classes, last-k (k=2) and full at batch 4 and
 * 8: vit-doctor (ONNX Runtime, a fresh process) against the same AdamW steps in PyTorch (frozen prefix cached under
 * no_grad too). Median step time after the first step, peak RSS of the process tree; PyTorch with its default threads
 * and with OPENBLAS_CORETYPE unset vs Haswell (the faster is the reference). Each configuration runs once per side,
 * alternating: on a shared machine the numbers are noisy.
 */
export async function benchTrainingVsPyTorch(preset: string, benchScript: string, steps = 3): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'vtd-bench-train-data-'));
  try {
    await writeBenchImages(join(tmp, 'a'), 8);
    await writeBenchImages(join(tmp, 'b'), 8);
    const py = findPython();
    const probe = 'python' in py ? spawnSync(py.python, [TORCH_SCRIPT, preset, 'last-k', '1', '1', '1'], { encoding: 'utf8' }) : null;
    const torchNote = !('python' in py) ? `PyTorch skipped: ${py.missing}` : probe?.status === 3 ? 'PyTorch refused: not on OpenBLAS (sudo bash scripts/bench/installTorch.sh)' : probe?.status !== 0 ? `PyTorch skipped: ${probe?.stderr.trim().split('\n').pop()}` : null;
    const lines = ['| mode | batch | vit-doctor step s (median) | PyTorch step s (median) | step vs PyTorch | vit-doctor peak RSS MB | PyTorch peak RSS MB | RSS vs PyTorch |', '|---|---|---|---|---|---|---|---|'];
    for (const mode of ['last-k', 'full'] as const) {
      for (const batch of [4, 8]) {
        const ours = await runMeasured(process.execPath, [benchScript, '--child', '--train-steps', preset, tmp, mode, String(batch), String(steps)]);
        const o = lastJson(ours.stdout) as StepTimes | null;
        const oursRow: Row | null = o ? { label: 'vit-doctor', stepMs: median(o.stepMs.slice(1)), rssMb: ours.peakRssMb } : null;
        let torchRow: Row | null = null;
        if (!torchNote && 'python' in py) {
          for (const coretype of [undefined, 'Haswell']) {
            const env = { ...process.env, ...(coretype ? { OPENBLAS_CORETYPE: coretype } : {}) };
            const run = await runMeasured(py.python, [TORCH_SCRIPT, preset, mode, '2', String(batch), String(steps + 1)], env);
            const t = lastJson(run.stdout) as { stepMs: number[] } | null;
            if (t?.stepMs) {
              const row = { label: `PyTorch${coretype ? ` (OPENBLAS_CORETYPE=${coretype})` : ''}`, stepMs: median(t.stepMs.slice(1)), rssMb: run.peakRssMb };
              if (!torchRow || row.stepMs < torchRow.stepMs) torchRow = row;
            }
          }
        }
        const f = (ms: number | undefined): string => (ms === undefined ? '—' : (ms / 1000).toFixed(2));
        const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : '—');
        const line = `| ${mode}${mode === 'last-k' ? ' (k=2)' : ''} | ${batch} | ${f(oursRow?.stepMs)}${oursRow ? '' : ` (failed: ${ours.stderr.trim().split('\n').pop()})`} | ${f(torchRow?.stepMs)} | ${ratio(oursRow?.stepMs, torchRow?.stepMs)} | ${oursRow?.rssMb.toFixed(0) ?? '—'} | ${torchRow?.rssMb.toFixed(0) ?? '—'} | ${ratio(oursRow?.rssMb, torchRow?.rssMb)} |`;
        lines.push(line);
        // these rows take minutes each: show them as they come (stderr, so the table on stdout stays whole)
        process.stderr.write(`${line}\n`);
      }
    }
    lines.push('', `${cpus().length} logical / ${physicalCores()} physical cores; ONNX Runtime threads = physical cores; ${steps} steps per run, the first excluded; PyTorch: ${torchNote ?? 'default threads, the faster of OPENBLAS_CORETYPE unset and Haswell'}. A shared machine makes these numbers noisy.`);
    return lines.join('\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
