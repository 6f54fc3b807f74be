/** Entry of the engine child process: picks the backend, then serves requests over IPC. */
import './nativeResolve';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createIpcTransport } from '../protocol/processTransport';
import type { BackendChoice } from '../protocol/engineProtocol';
import { selectEngineBackends } from './backend/engineBackends';
import { defaultCacheDir } from './onnx/onnxModelCache';
import { startEngineServer } from './engineServer';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write('vit-doctor engine: must be started by the extension or the CLI (IPC channel missing).\n');
    process.exit(2);
  }
  // exit with the parent: the CLI or the extension host may die without a goodbye
  process.on('disconnect', () => process.exit(0));
  const choice = (argValue('--backend') ?? 'auto') as BackendChoice;
  const threads = Number(argValue('--threads') ?? 0);
  const transport = createIpcTransport(process);
  let backends;
  try {
    const worker = join(__dirname, 'onnxBuild.js');
    backends = await selectEngineBackends(choice, { threads, cacheDir: defaultCacheDir(), lazyTfjs: true, ...(existsSync(worker) ? { buildWorker: worker } : {}) });
  } catch (e) {
    transport.send({ kind: 'notification', method: 'engine/fatal', params: { code: 'E_BACKEND', message: (e as Error).message } });
    setTimeout(() => process.exit(3), 50);
    return;
  }
  startEngineServer(transport, backends, () => process.exit(0));
}

process.on('uncaughtException', (e) => {
  process.stderr.write(`vit-doctor engine: uncaught ${e.stack ?? e.message}\n`);
  process.exit(1);
});
void main();
