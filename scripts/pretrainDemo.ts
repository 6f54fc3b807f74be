/**
 * Pretrains the bundled demo preset with the project's own training code, so that the preprocessing A/B shows on the
 * demo what it shows with real pretrained weights (random weights learned nothing under the right input contract).
 *
 * 1. a Keras-style random initialisation of the demo ViT (scripts/demoSpec.ts) is written as a preset;
 * 2. a synthetic 8-class shape set (PRETRAIN_CLASSES, seed 7000, not the demo images) is generated;
 * 3. `runTraining` fine-tunes everything (mode full) under the preset's converter (x / 127.5 - 1);
 * 4. the result (backbone + 8-class head, keras-hub preset layout) replaces media/demo/preset.
 * Run: node esbuild.mjs --tests && node out/scripts/pretrainDemo.js [--epochs 12] [--per-class 150]
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selectBackend } from '../src/engine/backend/selectBackend';
import { initViTBackboneArrays, initViTHeadArrays } from '../src/engine/models/vit/vitInit';
import { writeViTPreset } from '../src/engine/models/vit/vitPresetWriter';
import { runTraining } from '../src/engine/train/trainRun';
import { DEMO_BACKBONE, DEMO_CONVERTER, PRETRAIN_CLASSES, writeDemoImages } from './demoSpec';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const epochs = arg('epochs', 12);
  const perClass = arg('per-class', 150);
  const backend = await selectBackend('auto');
  const tmp = mkdtempSync(join(tmpdir(), 'vtd-pretrain-'));
  try {
    const init = join(tmp, 'init');
    const task = { className: 'ViTImageClassifier', numClasses: PRETRAIN_CLASSES.length, pooling: 'token', activation: null, dropout: 0, intermediateDim: null };
    await writeViTPreset(init, { backbone: DEMO_BACKBONE, converter: DEMO_CONVERTER, task, backboneArrays: initViTBackboneArrays(DEMO_BACKBONE, 7), headArrays: initViTHeadArrays(task, DEMO_BACKBONE.hiddenDim, 8), note: 'random init' });
    const data = join(tmp, 'data');
    await writeDemoImages(data, perClass, 7000, PRETRAIN_CLASSES);
    const out = join(tmp, 'pretrained');
    const result = await runTraining(
      { preset: init, data, mode: 'full', epochs, lr: 1e-3, batch: 32, optimizer: 'adamw', warmupSteps: 30, validationSplit: 0.15, seed: 11, out },
      {
        signal: new AbortController().signal,
        backend: backend.name,
        emit: (e) => {
          if (e.type === 'epoch') process.stdout.write(`epoch ${e.epoch}: train acc ${(e.trainAccuracy * 100).toFixed(1)}%  val loss ${e.valLoss.toFixed(3)} acc ${(e.valAccuracy * 100).toFixed(1)}%\n`);
          else if (e.type === 'plan') process.stdout.write(`${e.mode}: ${e.trainableParams} params, ${e.stepsPerEpoch} steps/epoch on ${backend.name}\n`);
        },
      },
    );
    const dest = resolve('media/demo/preset');
    rmSync(dest, { recursive: true, force: true });
    cpSync(out, dest, { recursive: true });
    const last = result.epochs[result.epochs.length - 1];
    process.stdout.write(`pretrained in ${result.seconds.toFixed(0)} s; final val accuracy ${((last?.valAccuracy ?? 0) * 100).toFixed(1)}%; written to ${dest}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
