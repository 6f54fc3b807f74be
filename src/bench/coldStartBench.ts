import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

interface ColdStartSample {
  wallMs: number;
  totalMs: number;
  hashWeightsMs: number;
  /** the cache lookup: the weights' hash plus checking the cached entry (loadCachedGraphMs) */
  lookupMs: number;
}

/** One `vit-doctor sanity --json` process: its wall time (spawn to exit) and the report's own totalMs and hashWeightsMs. */
function runOnce(preset: string, images: string, cacheDir: string): ColdStartSample {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'sanity', '--preset', preset, '--images', images, '--json', '--fail-on', 'never'], {
    encoding: 'utf8', env: { ...process.env, VIT_DOCTOR_CACHE_DIR: cacheDir }, maxBuffer: 64 << 20,
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`vit-doctor sanity failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const rep = JSON.parse(r.stdout) as { timings: { totalMs: number; loadPhases: Record<string, number> } };
  const phases = rep.timings.loadPhases;
  return { wallMs, totalMs: rep.timings.totalMs, hashWeightsMs: phases.hashWeightsMs ?? 0, lookupMs: (phases.hashWeightsMs ?? 0) + (phases.loadCachedGraphMs ?? 0) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * Cold start of the sanity batch on a warm ONNX cache: process wall time minus the report's `totalMs` (CLI start, engine
 * fork, bundle load, shutdown), and `hashWeightsMs` (finding the cached graph). The first run fills the cache and is
 * not counted; median of `runs`.
 */
export function benchColdStart(preset: string, images: string, runs: number): string {
  if (!existsSync(CLI)) return `(skipped: ${CLI} missing; run npm run build)`;
  const cache = mkdtempSync(join(tmpdir(), 'vtd-bench-cold-'));
  try {
    runOnce(preset, images, cache);
    const s = Array.from({ length: runs }, () => runOnce(preset, images, cache));
    const wall = median(s.map((x) => x.wallMs));
    const outside = median(s.map((x) => x.wallMs - x.totalMs));
    const hash = median(s.map((x) => x.hashWeightsMs));
    const lookup = median(s.map((x) => x.lookupMs));
    return [
      `| run (warm ONNX cache) | wall s | outside totalMs s | hashWeightsMs | cache lookup ms (hash + entry check) |`,
      '|---|---|---|---|---|',
      `| vit-doctor sanity --json, median of ${runs} | ${(wall / 1000).toFixed(2)} | ${(outside / 1000).toFixed(2)} | ${hash.toFixed(1)} | ${lookup.toFixed(1)} |`,
      '',
      'Outside totalMs = process wall time minus the report\'s totalMs: Node start, engine fork and bundle load, shutdown.',
    ].join('\n');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}
