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
 * Third-party code the engine needs only on some paths is its own file in dist/, required when first used, so that
 * the CLI and the engine do not parse it at every start; test bundles (out/) keep it inside. Each chunk is a
 * self-contained bundle that shares no module of ours (only tfjs-core, which stays in node_modules):
 * - h5wasm: libhdf5 as 5.8 MB of inlined WebAssembly, used when a weights file is read (a warm ONNX cache reads none);
 * - tfjsGradients: tfjs-core's ESM gradient registrations (~0.3 MB), used when TF.js is (training, TF.js backends).
 */
const lazyChunks = [
  { specifier: 'h5wasm/node', file: 'h5wasm.js' },
  { specifier: '@tensorflow/tfjs-core/dist/register_all_gradients', file: 'tfjsGradients.js' },
];
const lazyChunkRequires = {
  name: 'lazy-chunks',
  setup(b) {
    for (const { specifier, file } of lazyChunks) {
      // a CommonJS stub that requires the sibling file (an external import() would stay an ES module import)
      const filter = new RegExp(`^${specifier.replace(/[/.]/g, '\\$&')}$`);
      b.onResolve({ filter }, () => ({ path: file, namespace: 'lazy-chunk' }));
    }
    b.onLoad({ filter: /.*/, namespace: 'lazy-chunk' }, (a) => ({ contents: `module.exports = require('./${a.path}');`, loader: 'js' }));
    b.onResolve({ filter: /^\.\/[\w]+\.js$/, namespace: 'lazy-chunk' }, (a) => ({ path: a.path, external: true }));
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

/** What every bundle in dist/ shares: the lazy chunks from their own files. */
const distCommon = { ...nodeCommon, plugins: [lazyChunkRequires, ...nodeCommon.plugins] };

const builds = [
  ...lazyChunks.map(({ specifier, file }) =>
    esbuild.build({ ...nodeCommon, stdin: { contents: `export * from '${specifier}';`, resolveDir: '.', sourcefile: file }, outfile: `dist/${file}`, sourcemap: false }),
  ),
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
