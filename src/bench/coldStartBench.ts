import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { phaseProbe, type ColdStartPhases, type PhaseProbe } from './coldStartPhases';
import { median } from './benchStats';

const CLI = resolve('dist/cli.js');

interface ColdStartSample {
  wallMs: number;
  totalMs: number;
  hashWeightsMs: number;
  /** the cache lookup: the weights' hash plus checking the cached entry (loadCachedGraphMs) */
  lookupMs: number;
  phases: ColdStartPhases;
}

const epochMs = (): number => performance.timeOrigin + performance.now();

/** One `vit-doctor sanity --json` process: its wall time (spawn to exit), the report's own totalMs and hashWeightsMs, and the phases outside totalMs. */
function runOnce(preset: string, images: string, cacheDir: string, probe: PhaseProbe): ColdStartSample {
  const t0 = epochMs();
  const r = spawnSync(process.execPath, [CLI, 'sanity', '--preset', preset, '--images', images, '--json', '--fail-on', 'never'], {
    encoding: 'utf8', env: { ...process.env, VIT_DOCTOR_CACHE_DIR: cacheDir, ...probe.env }, maxBuffer: 64 << 20,
  });
  const t1 = epochMs();
  const wallMs = t1 - t0;
  if (r.status !== 0) throw new Error(`vit-doctor sanity failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const rep = JSON.parse(r.stdout) as { timings: { totalMs: number; loadPhases: Record<string, number> } };
  const phases = rep.timings.loadPhases;
  return {
    wallMs, totalMs: rep.timings.totalMs, hashWeightsMs: phases.hashWeightsMs ?? 0, lookupMs: (phases.hashWeightsMs ?? 0) + (phases.loadCachedGraphMs ?? 0),
    phases: probe.read(t0, t1, rep.timings.totalMs),
  };
}


const PHASE_ROWS: [keyof ColdStartPhases, string][] = [
  ['nodeStart', 'Node start (spawn to the CLI running JavaScript, the probe included)'],
  ['cliBundle', 'dist/cli.js (parse and run, without the engine)'],
  ['engineStart', 'engine start (in-process: require dist/engine.js and ONNX Runtime; forked: fork to ready)'],
  ['engineBundle', '  of which dist/engine.js itself'],
  ['sharp', '  of which sharp'],
  ['onnxRuntime', '  of which onnxruntime-node'],
  ['toRequest', 'backend selection, handshake, request'],
  ['reportAndExit', 'report written to process exited (shutdown, teardown)'],
];

/**
 * Cold start of the sanity batch on a warm ONNX cache: process wall time minus the report's `totalMs` (CLI start,
 * engine start and bundle load, shutdown), `hashWeightsMs` (finding the cached graph), and where the time outside
 * `totalMs` goes (a preload logging require and process events; VIT_DOCTOR_ENGINE=fork in the environment measures the
 * forked engine). The first run fills the cache and is not counted; median of `runs`.
 */
export function benchColdStart(preset: string, images: string, runs: number): string {
  if (!existsSync(CLI)) return `(skipped: ${CLI} missing; run npm run build)`;
  const cache = mkdtempSync(join(tmpdir(), 'vtd-bench-cold-'));
  const probeDir = mkdtempSync(join(tmpdir(), 'vtd-phases-'));
  try {
    const probe = phaseProbe(probeDir);
    runOnce(preset, images, cache, probe);
    const s = Array.from({ length: runs }, () => runOnce(preset, images, cache, probe));
    const wall = median(s.map((x) => x.wallMs));
    const outside = median(s.map((x) => x.wallMs - x.totalMs));
    const hash = median(s.map((x) => x.hashWeightsMs));
    const lookup = median(s.map((x) => x.lookupMs));
    return [
      `| run (warm ONNX cache) | wall s | outside totalMs s | hashWeightsMs | cache lookup ms (hash + entry check) |`,
      '|---|---|---|---|---|',
      `| vit-doctor sanity --json, median of ${runs} | ${(wall / 1000).toFixed(2)} | ${(outside / 1000).toFixed(2)} | ${hash.toFixed(1)} | ${lookup.toFixed(1)} |`,
      '',
      'Outside totalMs = process wall time minus the report\'s totalMs: Node start, engine start and bundle load, shutdown.',
      '',
      `| phase outside totalMs (median of ${runs}) | ms |`,
      '|---|---|',
      ...PHASE_ROWS.map(([k, label]) => `| ${label} | ${median(s.map((x) => x.phases[k])).toFixed(0)} |`),
    ].join('\n');
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(probeDir, { recursive: true, force: true });
  }
}
