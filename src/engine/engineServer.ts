import { namedFsError } from '../core/fsErrors';
import { Endpoint } from '../protocol/endpoint';
import { PROTOCOL_VERSION } from '../protocol/envelope';
import type { EngineNotifications, EngineRequests, HostNotifications } from '../protocol/engineProtocol';
import type { Transport } from '../protocol/transport';
import { ensureTfjs, type EngineBackends } from './backend/engineBackends';
import { runSanityPass } from './sanity/sanityPass';
import { trainingBackends } from './train/trainingBackends';

import { ENGINE_VERSION } from './engineVersion';

/** A file-system error no call site named still reaches the user as a UserError naming the path, never as "EISDIR: …". */
async function namingFsErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw namedFsError(e);
  }
}

export type EngineEndpoint = Endpoint<Record<string, never>, EngineNotifications, EngineRequests, HostNotifications>;

/** Wires the engine's request handlers onto a transport and announces readiness. */
export function startEngineServer(transport: Transport, backends: EngineBackends, onShutdown: () => void): EngineEndpoint {
  const ep: EngineEndpoint = new Endpoint(transport);
  ep.onRequest('engine/sanityPass', (params, ctx) =>
    namingFsErrors(() => runSanityPass(params, {
      signal: ctx.signal,
      backends,
      progress: (stage, fraction, message) => ep.notify('engine/progress', { requestId: ctx.id, stage, fraction, message }),
    })),
  );
  // training and the checks run on ONNX Runtime when it is loaded (prefix on the inference session, gradients as graphs).
  // Their modules (and TF.js, which they may use) are imported on the first such request, not at engine start.
  const training = async () => {
    await ensureTfjs(backends);
    return trainingBackends(backends);
  };
  ep.onRequest('engine/train', (params, ctx) =>
    namingFsErrors(async () => {
      const [{ runTraining }, forward] = await Promise.all([import('./train/trainRun'), training()]);
      return runTraining(params, { signal: ctx.signal, ...forward, emit: (event) => ep.notify('engine/trainProgress', { requestId: ctx.id, event }) });
    }),
  );
  ep.onRequest('engine/checkPipeline', (params, ctx) =>
    namingFsErrors(async () => {
      const [{ runPipelineChecks }, forward] = await Promise.all([import('./train/pipelineChecks'), training()]);
      return runPipelineChecks(params, { signal: ctx.signal, ...forward, emit: (event) => ep.notify('engine/trainProgress', { requestId: ctx.id, event }) });
    }),
  );
  ep.onRequest('engine/shutdown', () => {
    setImmediate(onShutdown);
    return null;
  });
  ep.notify('engine/ready', { protocolVersion: PROTOCOL_VERSION, engineVersion: ENGINE_VERSION, node: process.version, backend: backends.forward });
  return ep;
}
