import { Worker } from 'node:worker_threads';
import { UserError } from '../../core/userError';
import type { WireError } from '../../protocol/envelope';
import type { OnnxModelRequest, PreparedOnnxModel } from './prepareOnnxModel';

type WorkerReply = { result?: PreparedOnnxModel; error?: WireError & { user?: boolean } };

/**
 * Runs prepareOnnxModel in a worker thread (`script` = dist/onnxBuild.js) and settles when the worker has exited,
 * so that the weights it read are freed before the caller creates a session.
 */
export function prepareInWorker(script: string, req: OnnxModelRequest): Promise<PreparedOnnxModel> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: req, stderr: false });
    let reply: WorkerReply | null = null;
    let failure: Error | null = null;
    worker.once('message', (m: WorkerReply) => {
      reply = m;
    });
    worker.once('error', (e) => {
      failure = e;
    });
    worker.once('exit', (code) => {
      const m = reply as WorkerReply | null;
      if (m?.result) resolve(m.result);
      else if (m?.error?.user) reject(new UserError(m.error.code, m.error.message, { ...(m.error.file ? { file: m.error.file } : {}), ...(m.error.hint ? { hint: m.error.hint } : {}) }));
      else reject(failure ?? new Error(m?.error?.message ?? `the model build worker exited with code ${code}`));
    });
  });
}
