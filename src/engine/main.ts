/** Entry of the engine child process: picks the backend, then serves requests over IPC. */
import './nativeResolve';
import { createIpcTransport } from '../protocol/processTransport';
import { selectBackend, type BackendChoice } from './backend/selectBackend';
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
  const choice = (argValue('--backend') ?? 'auto') as BackendChoice;
  const transport = createIpcTransport(process);
  let backend;
  try {
    backend = await selectBackend(choice);
  } catch (e) {
    transport.send({ kind: 'notification', method: 'engine/fatal', params: { code: 'E_BACKEND', message: (e as Error).message } });
    setTimeout(() => process.exit(3), 50);
    return;
  }
  startEngineServer(transport, backend, () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

process.on('uncaughtException', (e) => {
  process.stderr.write(`vit-doctor engine: uncaught ${e.stack ?? e.message}\n`);
  process.exit(1);
});
void main();
