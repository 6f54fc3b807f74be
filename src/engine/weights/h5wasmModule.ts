import type * as H5wasm from 'h5wasm/node';

export type H5wasmModule = typeof H5wasm;

let loading: Promise<H5wasmModule> | null = null;

/**
 * h5wasm, imported and its WebAssembly compiled on first use only: a cache hit reads no weights file, so the engine
 * does not pay for it at start (esbuild turns the import() of the bundled module into a lazy init).
 */
export function loadH5wasm(): Promise<H5wasmModule> {
  loading ??= import('h5wasm/node').then(async (m) => {
    await m.ready;
    return m;
  });
  return loading;
}
