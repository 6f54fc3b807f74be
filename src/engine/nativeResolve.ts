/**
 * When the extension installed @tensorflow/tfjs-node into its global storage (VIT_DOCTOR_NATIVE_DIR), every
 * `@tensorflow/*` request must resolve there, so that tfjs-core and the native backend are one instance.
 * Imported first by the engine entry, before anything loads tfjs.
 */
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';

const dir = process.env.VIT_DOCTOR_NATIVE_DIR;
if (dir && existsSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json'))) {
  const mod = Module as unknown as { _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string };
  const original = mod._resolveFilename;
  const paths = [join(dir, 'node_modules')];
  mod._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
    if (request.startsWith('@tensorflow/')) {
      try {
        return require.resolve(request, { paths });
      } catch {
        // fall through to the bundled copy
      }
    }
    return original.call(this, request, parent, ...rest);
  };
}
