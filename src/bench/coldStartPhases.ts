import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A preload (NODE_OPTIONS=--require, inherited by a forked engine) that appends what the cold-start phases need to a
 * JSON-lines log, on one clock (epoch ms): its own start, the require of the CLI and engine bundles, sharp and
 * onnxruntime-node, and in the CLI process the engine fork, its first message, the first stdout write and the exit event.
 */
const PRELOAD = `const fs = require('fs'); const Module = require('module'); const cp = require('child_process');
if (require('worker_threads').isMainThread && process.env.VTD_PHASE_LOG) {
  const main = typeof process.send !== 'function';
  const now = () => performance.timeOrigin + performance.now();
  const log = (ev, t = now()) => fs.appendFileSync(process.env.VTD_PHASE_LOG, JSON.stringify({ main, ev, t }) + '\\n');
  log('preload');
  const load = Module._load;
  const watched = /(^sharp$|^onnxruntime-node$|(cli|engine)\\.js$)/;
  Module._load = function (request) {
    if (!watched.test(request)) return load.apply(this, arguments);
    const name = request.replace(/.*\\//, ''); const t0 = now();
    try { return load.apply(this, arguments); } finally { log('load:' + name, t0); log('end:' + name); }
  };
  if (main) {
    const fork = cp.fork;
    cp.fork = function (...a) { log('fork'); const c = fork.apply(this, a); c.once('message', () => log('ready')); return c; };
    const write = process.stdout.write.bind(process.stdout); let first = true;
    process.stdout.write = (...a) => { if (first) { first = false; log('stdout'); } return write(...a); };
    process.on('exit', () => log('exit'));
  }
}`;

export interface PhaseProbe {
  env: Record<string, string>;
  /** the phases of the run just made (ms), given its spawn and end times (epoch ms) and the report's totalMs */
  read(spawnAt: number, endAt: number, totalMs: number): ColdStartPhases;
}

/** Where the wall time outside `totalMs` goes, in ms. */
export interface ColdStartPhases {
  /** spawn to the CLI process running JavaScript */
  nodeStart: number;
  /** parsing and running dist/cli.js, without the engine */
  cliBundle: number;
  /** in-process: the require of dist/engine.js; forked: fork to the engine's first message (its Node start included) */
  engineStart: number;
  engineBundle: number;
  sharp: number;
  onnxRuntime: number;
  /** engine up to the sanity pass starting (backend selection, handshake, the request) */
  toRequest: number;
  /** the first stdout write to the process having exited (report, shutdown, process teardown) */
  reportAndExit: number;
}

/** The probe's preload and log are written into `dir` (the caller's temporary folder, removed with it). */
export function phaseProbe(dir: string): PhaseProbe {
  const preload = join(dir, 'phases.cjs');
  const log = join(dir, 'phases.jsonl');
  writeFileSync(preload, PRELOAD);
  return {
    env: { NODE_OPTIONS: `--require ${preload}`, VTD_PHASE_LOG: log },
    read(spawnAt, endAt, totalMs) {
      const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { main: boolean; ev: string; t: number });
      writeFileSync(log, '');
      const at = (ev: string, main?: boolean): number | undefined => events.find((e) => e.ev === ev && (main === undefined || e.main === main))?.t;
      const dur = (name: string): number => (at(`end:${name}`) ?? 0) - (at(`load:${name}`) ?? 0);
      const stdout = at('stdout', true) ?? endAt;
      const fork = at('fork', true);
      const ready = at('ready', true);
      const engine = dur('engine.js');
      const sharp = dur('sharp');
      const onnxRuntime = dur('onnxruntime-node');
      // ONNX Runtime is required when the backends are chosen: inside the engine bundle's load when it runs as a child
      // (its main runs at load), after it in the CLI's process
      const ortAt = at('load:onnxruntime-node') ?? 0;
      const ortInEngine = ortAt >= (at('load:engine.js') ?? Infinity) && ortAt <= (at('end:engine.js') ?? -Infinity);
      const engineWithOrt = engine + (ortInEngine ? 0 : onnxRuntime);
      const forked = fork !== undefined && ready !== undefined;
      return {
        nodeStart: (at('preload', true) ?? spawnAt) - spawnAt,
        cliBundle: forked ? fork - (at('load:cli.js', true) ?? fork) : dur('cli.js') - engineWithOrt,
        engineStart: forked ? ready - fork : engineWithOrt,
        engineBundle: engineWithOrt - sharp - onnxRuntime,
        sharp,
        onnxRuntime,
        toRequest: stdout - totalMs - (forked ? ready : (at('end:cli.js', true) ?? spawnAt)),
        reportAndExit: endAt - stdout,
      };
    },
  };
}
