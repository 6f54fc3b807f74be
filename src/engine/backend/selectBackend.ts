import * as tf from '@tensorflow/tfjs-core';
// training needs every kernel's gradient (bundled by esbuild.mjs, see the tfjs-gradients plugin there)
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: string;
  /** Why this backend was chosen, and what was tried before it. */
  notes: string[];
}

async function tryNode(): Promise<string | null> {
  try {
    // Optional dependency: present only where libtensorflow could be downloaded at install time.
    require('@tensorflow/tfjs-node');
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'cannot be loaded';
  }
}

async function tryWasm(): Promise<string | null> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'cannot be loaded';
  }
}

async function activate(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * Picks the TensorFlow.js backend: tfjs-node (native) when it loads, else wasm (SIMD), else cpu.
 * An explicit choice that cannot be loaded is an error, not a silent fallback.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  tf.env().set('PROD', true); // no "install tfjs-node" banner on stderr; no debug checks
  require('@tensorflow/tfjs-backend-cpu');
  const notes: string[] = [];
  const order: ('tensorflow' | 'wasm' | 'cpu')[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    const loadError = name === 'tensorflow' ? await tryNode() : name === 'wasm' ? await tryWasm() : null;
    if (loadError === null && (await activate(name))) {
      await tf.ready();
      notes.push(`using ${name}`);
      return { name: tf.getBackend(), notes };
    }
    notes.push(`${name}: ${loadError ?? 'failed to initialise'}`);
  }
  throw new Error(`Backend "${choice}" is not available: ${notes.join('; ')}`);
}
