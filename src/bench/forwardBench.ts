import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPresetDir } from '../core/presets/presetLoader';
import { seededRandom } from '../core/seededRandom';
import type { BackendChoice } from '../protocol/engineProtocol';
import { createForwardRunner, selectEngineBackends } from '../engine/backend/engineBackends';

export interface ForwardRow {
  backend: string;
  model: string;
  batch: number;
  loadMs: number;
  forwardMs: number;
  imagesPerSec: number;
  peakRssMb: number;
}

/**
 * One backend's forward pass through the ModelRunner the sanity batch uses (every stage read back): load (for onnx:
 * graph build into an empty cache, then session), one warm-up, then the median of `repeats` runs. Run in a fresh process.
 */
export async function measureForward(backend: BackendChoice, presetDir: string, label: string, batch: number, repeats: number): Promise<ForwardRow> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'vtd-bench-cache-'));
  try {
    // as the engine does: the first-run graph build in the worker thread (dist/onnxBuild.js beside dist/bench.js)
    const worker = join(__dirname, 'onnxBuild.js');
    const b = await selectEngineBackends(backend, { cacheDir, ...(existsSync(worker) ? { buildWorker: worker } : {}) });
    if (backend === 'onnx' && !b.onnx) throw new Error(b.forward.notes[0] ?? 'onnx unavailable');
    const t0 = performance.now();
    const runner = await createForwardRunner(loadPresetDir(presetDir), b);
    const loadMs = performance.now() - t0;
    const [H, W, C] = runner.config.imageShape;
    const r = seededRandom(3);
    const x = Float32Array.from({ length: batch * H * W * C }, () => r() * 2 - 1);
    await runner.run(x, batch);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      await runner.run(x, batch);
      times.push(performance.now() - t);
    }
    await runner.dispose();
    times.sort((p, q) => p - q);
    const forwardMs = times[Math.floor(times.length / 2)] as number;
    return { backend: b.forward.name, model: label, batch, loadMs, forwardMs, imagesPerSec: (batch * 1000) / forwardMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Markdown table; the ratio column is each row's speed over the wasm row of the same model (the TF.js fallback most users had). */
export function forwardTable(rows: ForwardRow[]): string {
  const base = new Map<string, number>();
  for (const r of rows) if (!base.has(r.model) || r.backend === 'wasm') base.set(r.model, r.forwardMs);
  const head = ['backend', 'model', 'batch', 'load ms', 'forward ms (median)', 'images/s', 'speed vs wasm', 'peak RSS MB'];
  const body = rows.map((r) => [r.backend, r.model, String(r.batch), r.loadMs.toFixed(0), r.forwardMs.toFixed(1), r.imagesPerSec.toFixed(2), `${((base.get(r.model) as number) / r.forwardMs).toFixed(2)}×`, r.peakRssMb.toFixed(0)]);
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  return all.map((r, j) => `| ${r.map((c, i) => c.padEnd(w[i] as number)).join(' | ')} |${j === 0 ? `\n|${w.map((n) => '-'.repeat(n + 2)).join('|')}|` : ''}`).join('\n');
}
