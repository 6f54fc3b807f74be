import { join } from 'node:path';
import type { EngineClientEndpoint } from '../core/engine/forkEngine';
import type { Logger } from '../core/logger';
import { UserError } from '../core/userError';
import type { BackendChoice, ReadyEvent } from '../protocol/engineProtocol';
import type * as EngineBundle from '../engine/main';

/** The engine a CLI command talks to, in this process or in a child: the same protocol either way. */
export interface CliEngine {
  endpoint: EngineClientEndpoint;
  ready: ReadyEvent;
  close(): void;
}

export type CliEngineMode = 'in-process' | 'fork';

/** VIT_DOCTOR_ENGINE: unset or `in-process` runs the engine in the CLI's process; `fork` starts dist/engine.js as a child, as the extension does. */
export function cliEngineMode(env: NodeJS.ProcessEnv = process.env): CliEngineMode {
  const v = env.VIT_DOCTOR_ENGINE;
  if (v === undefined || v === '' || v === 'in-process') return 'in-process';
  if (v === 'fork') return 'fork';
  throw new UserError('E_USAGE', `VIT_DOCTOR_ENGINE="${v}": must be in-process (the default) or fork.`);
}

/**
 * Starts the engine for one command: in this process, dist/engine.js (the bundle the extension forks) is required
 * and its `startInProcessEngine` called, so the engine modules (sharp, ONNX Runtime, the server) are parsed and loaded
 * only by commands that use them, never by `lint` or `--help`. `cliDir` is the folder of dist/cli.js, where
 * dist/engine.js and dist/onnxBuild.js lie.
 */
export async function openCliEngine(opts: { backend: BackendChoice; threads: number; logger: Logger; cliDir: string }): Promise<CliEngine> {
  const mode = cliEngineMode();
  if (mode === 'fork') {
    const { forkEngine } = await import('../core/engine/forkEngine');
    const e = await forkEngine({ enginePath: join(opts.cliDir, 'engine.js'), backend: opts.backend, threads: opts.threads, logger: opts.logger });
    opts.logger.info(`engine: child process ${e.child.pid ?? '?'}, backend ${e.ready.backend.name}`);
    return { endpoint: e.endpoint, ready: e.ready, close: () => e.kill() };
  }
  const { startInProcessEngine } = require(join(opts.cliDir, 'engine.js')) as typeof EngineBundle;
  const e = await startInProcessEngine({ backend: opts.backend, threads: opts.threads, bundleDir: opts.cliDir });
  opts.logger.info(`engine: in process ${process.pid}, backend ${e.ready.backend.name}`);
  return e;
}
