/**
 * Worker-thread entry (dist/onnxBuild.js): prepares the ONNX model off the engine's main thread, so that the weights
 * read from model.weights.h5 (the size of the model) are freed when the worker exits, before the session runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { namedFsError } from '../../core/fsErrors';
import { UserError } from '../../core/userError';
import { prepareOnnxModel, type OnnxModelRequest } from './prepareOnnxModel';

prepareOnnxModel(workerData as OnnxModelRequest).then(
  (result) => parentPort?.postMessage({ result }),
  (thrown: unknown) => {
    const e = namedFsError(thrown);
    parentPort?.postMessage({ error: e instanceof UserError ? { ...e.wire, user: true } : { code: 'E_INTERNAL', message: (e as Error).message } });
  },
);
