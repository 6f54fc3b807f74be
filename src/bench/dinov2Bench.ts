import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { physicalCores } from '../engine/backend/onnxBackend';
import { writeDINOV2Preset } from '../engine/models/dinov2/dinov2PresetWriter';
import { runMeasured } from './processTreeRss';
import { median } from './benchStats';

const CLI = resolve('dist/cli.js');

/** DINOv2-B/14 as keras' dinov2_base loaded with image_shape=(224, 224, 3): the 37×37 table interpolated to 16×16. */
export const DINOV2_B14_224 = {
  patch_size: 14, num_layers: 12, hidden_dim: 768, num_heads: 12, intermediate_dim: 3072, layer_scale_init_value: 1.0,
  num_register_tokens: 0, use_mask_token: true, use_swiglu_ffn: false, dropout_rate: 0, drop_path_rate: 0,
  image_shape: [224, 224, 3], position_embedding_shape: [518, 518], antialias_in_interpolation: false, apply_layernorm: false,
};

/** Writes the DINOv2-B/14 224 preset (random weights, keras layout). */
export async function writeDinov2B14Preset(dir: string): Promise<void> {
  await writeDINOV2Preset(dir, { backbone: DINOV2_B14_224, seed: 1, note: 'bench' });
}


/**
 * `vit-doctor sanity --json` on DINOv2-B/14 at 224 and 8 PNGs, a fresh process each time: one cold run (builds the ONNX
 * model, interpolating the position table), then `repeats` warm runs. Wall = process start to exit; RSS of the tree.
 */
export async function benchDinov2Sanity(preset: string, imageDir: string, repeats: number): Promise<string> {
  if (!existsSync(CLI)) return `(skipped: ${CLI} missing; run npm run build)`;
  const cacheRoot = mkdtempSync(join(tmpdir(), 'vtd-bench-dinov2-'));
  try {
    const once = async (cache: string) => {
      const run = await runMeasured(process.execPath, [CLI, 'sanity', '--preset', preset, '--images', imageDir, '--json', '--fail-on', 'never'], { ...process.env, VIT_DOCTOR_CACHE_DIR: cache });
      if (run.code !== 0) throw new Error(`vit-doctor sanity failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const rep = JSON.parse(run.stdout.replace(/\n/g, ' ')) as { timings: { forwardMs: number }; preset: { numTokens: number; parameterCount: number } };
      return { wall: run.wallMs, rss: run.peakRssMb, fwd: rep.timings.forwardMs, tokens: rep.preset.numTokens, params: rep.preset.parameterCount };
    };
    const cold = await once(join(cacheRoot, 'c'));
    const warm = [];
    for (let i = 0; i < repeats; i++) warm.push(await once(join(cacheRoot, 'c')));
    const row = (label: string, s: { wall: number; rss: number; fwd: number }[]) => `| ${label} | ${(median(s.map((x) => x.wall)) / 1000).toFixed(2)} | ${(median(s.map((x) => x.fwd)) / 1000).toFixed(2)} | ${median(s.map((x) => x.rss)).toFixed(0)} |`;
    return [
      `| run | wall s | forward s | peak RSS MB (process tree) |`,
      '|---|---|---|---|',
      row('first run (builds the ONNX model)', [cold]),
      row(`warm ONNX cache (median of ${repeats})`, warm),
      '',
      `${cold.tokens} tokens, ${cold.params.toLocaleString('en-US')} parameters as keras counts them (both position tables); ${cpus().length} logical / ${physicalCores()} physical cores. No PyTorch DINOv2 comparison yet.`,
    ].join('\n');
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}
