// One build script for every bundle. Usage: node esbuild.mjs [--production] [--tests]
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * tfjs-core's node build registers no gradients; its ESM `register_all_gradients` is bundled into the engine instead.
 * Kernel and gradient registries, the engine and the Tensor class are global singletons in tfjs, so the bundled
 * gradient code registers into the same registry as the external tfjs-core.
 */
const tfjsGradients = {
  name: 'tfjs-gradients',
  setup(b) {
    b.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/register_all_gradients$/ }, () => ({
      path: requireHere.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'),
    }));
  },
};

const production = process.argv.includes('--production');
const withTests = process.argv.includes('--tests');

// h5wasm ships only an ESM build that reads import.meta.url; bundling it into CJS needs this shim.
const importMetaShim = {
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/** Native or wasm-file-loading packages stay in node_modules; everything else is bundled. */
const nodeExternals = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  'onnxruntime-node',
  'sharp',
  'web-tree-sitter',
  'tree-sitter-python',
  'vscode',
];

/**
 * h5wasm (libhdf5 as 5.8 MB of inlined WebAssembly) is its own bundle, dist/h5wasm.js, required only when a weights
 * file is read (a warm ONNX cache reads none): the bundles in dist/ leave `import('h5wasm/node')` as a require of the
 * sibling file instead of parsing 5.8 MB at every start. Test bundles (out/) keep it inside.
 */
const h5wasmChunk = {
  name: 'h5wasm-chunk',
  setup(b) {
    // a CommonJS stub that requires the sibling file (an external import() would stay an ES module import)
    b.onResolve({ filter: /^h5wasm\/node$/ }, () => ({ path: 'h5wasm', namespace: 'h5wasm-chunk' }));
    b.onLoad({ filter: /.*/, namespace: 'h5wasm-chunk' }, () => ({ contents: "module.exports = require('./h5wasm.js');", loader: 'js' }));
    b.onResolve({ filter: /^\.\/h5wasm\.js$/, namespace: 'h5wasm-chunk' }, () => ({ path: './h5wasm.js', external: true }));
  },
};

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  external: nodeExternals,
  logLevel: 'warning',
  plugins: [tfjsGradients],
  ...importMetaShim,
};

function listTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** What every bundle in dist/ shares: h5wasm from its own file. */
const distCommon = { ...nodeCommon, plugins: [...nodeCommon.plugins, h5wasmChunk] };

const builds = [
  esbuild.build({ ...nodeCommon, stdin: { contents: "export * from 'h5wasm/node';", resolveDir: '.', sourcefile: 'h5wasmChunk.js' }, outfile: 'dist/h5wasm.js', sourcemap: false }),
  esbuild.build({ ...distCommon, entryPoints: { engine: 'src/engine/main.ts', onnxBuild: 'src/engine/onnx/onnxBuildWorker.ts' }, outdir: 'dist' }),
  esbuild.build({
    ...distCommon,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node\n' + importMetaShim.banner.js },
  }),
  esbuild.build({ ...distCommon, entryPoints: { bench: 'src/bench/main.ts' }, outdir: 'dist' }),
];
builds.push(
  esbuild.build({
    ...distCommon,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
  }),
  esbuild.build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: { report: 'webview/report/main.ts', stats: 'webview/stats/main.ts', presetDiff: 'webview/presetDiff/main.ts', training: 'webview/training/main.ts' },
    outdir: 'dist/webview',
  }),
);
if (process.argv.includes('--e2e')) {
  builds.push(
    esbuild.build({
      ...nodeCommon,
      external: [...nodeExternals, 'mocha'],
      entryPoints: { index: 'test/e2e/suite/index.ts', 'extension.test': 'test/e2e/suite/extension.test.ts' },
      outdir: 'out/test/e2e',
    }),
  );
}
if (withTests) {
  builds.push(
    esbuild.build({
      ...nodeCommon,
      entryPoints: listTests('test/unit'),
      outdir: 'out/test/unit',
      outbase: 'test/unit',
      sourcemap: true,
    }),
    esbuild.build({
      ...nodeCommon,
      entryPoints: listTests('test/fuzz'),
      outdir: 'out/test/fuzz',
      outbase: 'test/fuzz',
      sourcemap: true,
    }),
    esbuild.build({
      ...nodeCommon,
      external: [...nodeExternals, 'playwright-core'],
      entryPoints: listTests('test/browser'),
      outdir: 'out/test/browser',
      outbase: 'test/browser',
      sourcemap: true,
    }),
    esbuild.build({
      ...nodeCommon,
      entryPoints: { makeDemo: 'scripts/makeDemo.ts', pretrainDemo: 'scripts/pretrainDemo.ts' },
      outdir: 'out/scripts',
    }),
  );
}
await Promise.all(builds);
