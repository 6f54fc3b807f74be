import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendChoice } from '../../protocol/engineProtocol';
import { defaultCacheDir } from '../onnx/onnxModelCache';
import { selectEngineBackends, type EngineBackends } from './engineBackends';

/**
 * The backends of an engine started from its bundle, forked or in the CLI's process alike: TF.js deferred while ONNX
 * Runtime serves forward passes, the ONNX graph built in the worker dist/onnxBuild.js when it lies in `bundleDir`.
 */
export function selectBundledEngineBackends(choice: BackendChoice, threads: number, bundleDir: string): Promise<EngineBackends> {
  const worker = join(bundleDir, 'onnxBuild.js');
  return selectEngineBackends(choice, { threads, cacheDir: defaultCacheDir(), lazyTfjs: true, ...(existsSync(worker) ? { buildWorker: worker } : {}) });
}
