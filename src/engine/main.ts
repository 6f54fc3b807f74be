/**
 * dist/engine.js. Run as a child process (the extension, `VIT_DOCTOR_ENGINE=fork` in the CLI): picks the backend, then
 * serves requests over IPC. Required by the CLI (`require.main` is then the CLI): starts nothing and exports the
 * in-process engine, so both ways run the same bundle.
 */
import './nativeResolve';
import { createIpcTransport } from '../protocol/processTransport';
import type { BackendChoice } from '../protocol/engineProtocol';
import { selectBundledEngineBackends } from './backend/bundledBackends';
import { startEngineServer } from './engineServer';

export { startInProcessEngine } from './inProcessEngine';

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
    backends = await selectBundledEngineBackends(choice, threads, __dirname);
  } catch (e) {
    transport.send({ kind: 'notification', method: 'engine/fatal', params: { code: 'E_BACKEND', message: (e as Error).message } });
    setTimeout(() => process.exit(3), 50);
    return;
  }
  startEngineServer(transport, backends, () => process.exit(0));
}

if (require.main === module) {
  process.on('uncaughtException', (e) => {
    process.stderr.write(`vit-doctor engine: uncaught ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
  void main();
}
