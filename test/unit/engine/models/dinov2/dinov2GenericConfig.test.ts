import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPresetDir, type LoadedPreset } from '../../../../../src/core/presets/presetLoader';
import { seededRandom } from '../../../../../src/core/seededRandom';
import { tokenLayout } from '../../../../../src/core/presets/tokenLayout';
import { loadOnnxRuntime } from '../../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../../src/engine/backend/selectBackend';
import { mapDINOV2BackboneWeights } from '../../../../../src/engine/models/dinov2/dinov2Weights';
import { writeDINOV2Preset } from '../../../../../src/engine/models/dinov2/dinov2PresetWriter';
import { convertImage } from '../../../../../src/engine/models/vit/vitImageConverter';
import type { ModelRunner } from '../../../../../src/engine/runners/modelRunner';
import { createOnnxViTRunner } from '../../../../../src/engine/runners/onnxViTRunner';
import { createTfjsDinov2Runner } from '../../../../../src/engine/runners/tfjsDinov2Runner';
import { readH5Weights } from '../../../../../src/engine/weights/h5Reader';
import { maxAbsDiff } from '../../../helpers/kerasFixtures';
import { convert64, dinov2Forward64, type Ref64Config } from './dinov2Reference64';

const CACHE = mkdtempSync(join(tmpdir(), 'vtd-onnx-cache-dinov2g-'));

interface Case { name: string; ref: Ref64Config }

const CASES: Case[] = [
  { name: 'larger stored table (70 px, 5×5) interpolated to 42 px (3×3), no antialias', ref: { P: 14, L: 2, D: 16, N: 4, M: 32, R: 0, mask: true, swiglu: false, image: 42, pe: 70, antialias: false } },
  { name: '7×7 table downsampled with antialias, 2 registers, no mask token (embedding index shift)', ref: { P: 14, L: 2, D: 16, N: 2, M: 24, R: 2, mask: false, swiglu: false, image: 42, pe: 98, antialias: true } },
  { name: '3×3 table upsampled to 5×5 with antialias, 1 register', ref: { P: 14, L: 1, D: 8, N: 2, M: 16, R: 1, mask: true, swiglu: false, image: 70, pe: 42, antialias: true } },
  { name: 'SwiGLU (inner (int(M·2/3)+7)//8·8), 11 blocks in numeric order, 45 px (3 pixels past the grid ignored)', ref: { P: 14, L: 11, D: 8, N: 2, M: 48, R: 4, mask: true, swiglu: true, image: 45, pe: 45, antialias: true } },
  { name: 'patch 7, 4 registers, 35 px table interpolated to 28 px without antialias', ref: { P: 7, L: 2, D: 12, N: 3, M: 20, R: 4, mask: true, swiglu: false, image: 28, pe: 35, antialias: false } },
];

async function writeCase(c: Case, seed: number): Promise<LoadedPreset> {
  const dir = join(mkdtempSync(join(tmpdir(), 'vtd-dinov2-gen-')), 'p');
  const r = c.ref;
  await writeDINOV2Preset(dir, {
    backbone: {
      patch_size: r.P, num_layers: r.L, hidden_dim: r.D, num_heads: r.N, intermediate_dim: r.M, layer_scale_init_value: 1.0,
      num_register_tokens: r.R, use_mask_token: r.mask, use_swiglu_ffn: r.swiglu, dropout_rate: 0, drop_path_rate: 0,
      image_shape: [r.image, r.image, 3], position_embedding_shape: [r.pe, r.pe], antialias_in_interpolation: r.antialias, apply_layernorm: false,
    },
    seed, note: 'test',
  });
  return loadPresetDir(dir);
}

function flat3(x: number[][][]): number[] {
  return x.flat(2);
}

function within(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  const { max, at } = maxAbsDiff(got, want);
  assert.ok(max <= tol, `${label}: max |diff| ${max} at ${at} exceeds ${tol} (got ${got[at]}, want ${want[at]})`);
}

describe('DINOv2 generic configs against an independent float64 reference', () => {
  for (const [ci, c] of CASES.entries()) {
    describe(c.name, () => {
      let preset: LoadedPreset;
      let ref: ReturnType<typeof dinov2Forward64>;
      let images: Float32Array;
      const B = 2;
      before(async () => {
        preset = await writeCase(c, 100 + ci);
        const r = c.ref;
        const rand = seededRandom(7 + ci);
        images = new Float32Array(B * r.image * r.image * 3).map(() => (rand() * 2 - 1) * 2);
        ref = dinov2Forward64(r, await readH5Weights(preset.weightsFile), Float64Array.from(images), B);
      });
      it('token layout: CLS, registers, then patches', () => {
        const g = Math.floor(c.ref.image / c.ref.P);
        assert.deepEqual(tokenLayout(preset), { grid: [g, g], classToken: true, registers: c.ref.R, patchStart: 1 + c.ref.R, numTokens: 1 + c.ref.R + g * g });
      });
      it('position table at the built size (interpolated at load when the sizes differ)', async () => {
        const a = mapDINOV2BackboneWeights(preset.dinov2!, await readH5Weights(preset.weightsFile), preset.weightsFile);
        assert.equal(a.interpolated, c.ref.pe !== c.ref.image);
        within('position table', a.positionEmbedding.data, ref.table.flat(), 1e-5);
      });
      for (const backend of ['onnx', 'cpu']) {
        describe(`on ${backend}`, () => {
          let runner: ModelRunner;
          before(async () => {
            await selectBackend('cpu');
            if (backend === 'onnx') {
              const loaded = loadOnnxRuntime();
              assert.ok(!('error' in loaded));
              runner = await createOnnxViTRunner(preset, { ort: loaded.ort, cacheDir: CACHE, threads: 2, notes: [] });
            } else runner = await createTfjsDinov2Runner(preset, { notes: [] });
          });
          after(() => runner.dispose());
          it('embeddings and backbone output match the float64 reference', async () => {
            const out = await runner.run(images, B);
            within('embeddings', out.embeddings.data, flat3(ref.embeddings), 2e-5);
            within('backbone_output', out.backboneOutput.data, flat3(ref.output), 5e-5);
          });
        });
      }
    });
  }
});

describe('DINOv2 converter against the float64 reference (bicubic, crop, antialias)', () => {
  const rand = seededRandom(3);
  for (const [h, w, size, antialias] of [[61, 47, 42, false], [61, 47, 28, true], [30, 60, 56, true], [17, 17, 28, false], [100, 90, 14, true]] as const) {
    it(`${w}×${h} → ${size}×${size}, antialias ${antialias}`, () => {
      const px = new Uint8Array(h * w * 3).map(() => Math.floor(rand() * 256));
      const scale = [1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)];
      const offset = [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225];
      const got = convertImage({ height: h, width: w, channels: 3, data: px }, {
        className: 'DINOV2ImageConverter', imageSize: [size, size], scale, offset, normMean: null, normStd: null,
        interpolation: 'bicubic', antialias, cropToAspectRatio: true, padToAspectRatio: false,
      });
      within('converted', got.data, convert64(px, h, w, size, scale, offset, antialias), 1e-4);
    });
  }
});
