/**
 * Writes the bundled demo: synthetic labelled images (media/demo/images/<class>/…) and a small ViT preset in the
 * Keras Hub format (media/demo/preset). Deterministic: same seed, same files.
 * Run: node esbuild.mjs --tests && node out/scripts/makeDemo.js [--out media/demo]
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_BACKBONE, DEMO_CONVERTER, DEMO_TASK, writeDemoImages } from './demoSpec';
import { initViTBackboneArrays, initViTHeadArrays } from '../src/engine/models/vit/vitInit';
import { writeViTPreset } from '../src/engine/models/vit/vitPresetWriter';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out');
  const out = resolve(i >= 0 ? (process.argv[i + 1] as string) : 'media/demo');
  rmSync(join(out, 'images'), { recursive: true, force: true });
  rmSync(join(out, 'preset'), { recursive: true, force: true });
  await writeDemoImages(join(out, 'images'), 40, 2026);
  await writeViTPreset(join(out, 'preset'), {
    backbone: DEMO_BACKBONE,
    converter: DEMO_CONVERTER,
    task: DEMO_TASK,
    backboneArrays: initViTBackboneArrays(DEMO_BACKBONE, 7),
    headArrays: initViTHeadArrays(DEMO_TASK, DEMO_BACKBONE.hiddenDim, 8),
    note: 'vit-doctor scripts/makeDemo.ts (seeded random initialisation)',
  });
  process.stdout.write(`demo written to ${out}\n`);
}

void main();
