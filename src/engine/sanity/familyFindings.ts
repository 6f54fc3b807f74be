import type { InputContract } from '../../core/presets/inputContract';
import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { TokenLayout } from '../../core/presets/tokenLayout';
import { affineFit } from '../../core/stats/channelStats';
import type { Finding, UserPooling } from '../../protocol/engineProtocol';

export interface FamilyFindingsInput {
  preset: LoadedPreset;
  layout: TokenLayout;
  contract: InputContract | null;
  fed: Float32Array;
  expected: Float32Array;
  userPooling: UserPooling;
  presetName: string;
  /** DINOv2: max |saved − recomputed| position table (see dinov2SavedTableDrift), null when not comparable */
  savedTableDrift?: number | null;
}

/**
 * fed ≈ ViT's x / 127.5 - 1 while the preset expects another mapping (DINOv2: ImageNet mean/std): per channel, the
 * fitted fed = a·expected + b matches what x / 127.5 - 1 is in terms of the preset's own y = x·s + o.
 */
export function isVitMapping(contract: InputContract, fed: Float32Array, expected: Float32Array, channels: number): boolean {
  const tf = contract.scale.map((s, c) => {
    const a = 2 / 255 / s;
    return { a, b: -1 - (contract.offset[c] as number) * a };
  });
  if (tf.every((t) => Math.abs(t.a - 1) < 0.05 && Math.abs(t.b) < 0.05)) return false;
  return tf.every((t, c) => {
    const f = affineFit(expected, fed, channels, c);
    return !Number.isNaN(f.a) && f.r2 > 0.99 && Math.abs(f.a - t.a) <= 0.02 * Math.abs(t.a) && Math.abs(f.b - t.b) <= 0.02 + 0.02 * Math.abs(t.b);
  });
}

/** Findings that exist because of the family: DINOv2's grid, position table, registers and ImageNet contract. */
export function familyFindings(inp: FamilyFindingsInput): Finding[] {
  const out: Finding[] = [];
  const d = inp.preset.dinov2;
  const converterLine = `keras_hub.layers.ImageConverter.from_preset("${inp.presetName}")`;
  if (inp.contract && isVitMapping(inp.contract, inp.fed, inp.expected, inp.preset.backbone.imageShape[2])) {
    out.push({
      code: 'SAN013', name: 'vit-mapping-instead-of-preset', severity: 'warning',
      title: `ViT's [-1, 1] mapping (x / 127.5 - 1) instead of the preset's ${inp.contract.formula}`,
      detail: `${inp.preset.backboneClass} was trained on ${inp.contract.formula} (range ${inp.contract.rangeText}${d ? ', ImageNet mean/std' : ''}). x / 127.5 - 1 is a different affine map per channel: every patch embedding is shifted and scaled, which fine-tuning has to undo.`,
      fix: `${converterLine}; x = converter(images)`,
    });
  }
  if (!d) return out;
  const P = d.patchSize;
  const H = d.imageShape[0];
  const g = Math.floor(H / P);
  if (H % P !== 0) {
    out.push({
      code: 'SAN014', name: 'image-size-not-divisible-by-patch', severity: 'warning',
      title: `image_shape ${H}×${H} is not divisible by patch ${P}: the last ${H - g * P} pixel rows and columns are never seen`,
      detail: `DINOV2Backbone's patch convolution is 'valid': a ${g}×${g} grid covers ${g * P}×${g * P} pixels and the rest is dropped silently (keras-hub raises nothing).`,
      fix: `Build the backbone at a multiple of ${P}: from_preset(..., image_shape=(${g * P}, ${g * P}, 3)) or (${(g + 1) * P}, ${(g + 1) * P}, 3), and the converter with the same image_size.`,
    });
  }
  const same = d.positionEmbeddingShape[0] === d.imageShape[0] && d.positionEmbeddingShape[1] === d.imageShape[1];
  if (!same) {
    const s0 = Math.floor(d.positionEmbeddingShape[0] / P);
    out.push({
      code: 'SAN015', name: 'position-table-interpolated', severity: 'info',
      title: `Built at ${H}×${H}: the ${s0}×${s0} position table is interpolated to ${g}×${g} at build time`,
      detail: `keras-hub resizes the stored table once, when the backbone is built or loaded (bicubic${d.antialiasInInterpolation ? ', antialias' : ', no antialias'}); the preset was trained at ${d.positionEmbeddingShape[0]}×${d.positionEmbeddingShape[1]}. `
        + 'This engine computes it as keras\' numpy/jax backends do; keras\' torch backend uses torch bicubic (a = -0.75, clamped edges), which differs by about 0.02–0.07 without antialias, and HF transformers differs again.',
      fix: `Expected when you pass image_shape=; to use the table as trained, build at ${d.positionEmbeddingShape[0]}×${d.positionEmbeddingShape[1]} (and set the converter's image_size to match).`,
    });
  }
  const drift = inp.savedTableDrift ?? null;
  if (drift !== null && drift > 1e-3) {
    out.push({
      code: 'SAN017', name: 'fine-tuned-position-table-dropped', severity: 'warning',
      title: `The position table this preset ran with when saved differs from the one keras-hub loads (max |diff| ${drift.toPrecision(2)})`,
      detail: 'model.weights.h5 keeps the stored table and the interpolated one the model used; on load keras-hub ignores the second and recomputes it from the first. '
        + 'DINOV2Embedding.save_own_variables copies a fine-tuned table back into the stored one only when a signed sum of the changes exceeds 1e-7, so a fine-tuned table can be silently lost on save_to_preset (and at another grid the copy-back is lossy). This report runs what keras-hub would load.',
      fix: 'Keep the position embeddings frozen when fine-tuning (or save the weights with model.save_weights / a checkpoint, which keeps both variables), and compare the outputs after reloading the preset.',
    });
  }
  if (inp.userPooling === 'after_cls_mean' && inp.layout.registers > 0) {
    const R = inp.layout.registers;
    out.push({
      code: 'SAN016', name: 'registers-in-patch-pooling', severity: 'warning',
      title: `features[:, 1:, :] averages the ${R} register tokens in with the patches`,
      detail: `Tokens are [CLS, ${R} registers, ${g * g} patches]: registers sit at 1–${R}, carry no position and no image region, and are known to hold high-norm global artefacts. The patch tokens start at index ${1 + R}.`,
      fix: `patch_tokens = features[:, ${1 + R}:, :]  # 1 + num_register_tokens`,
    });
  }
  return out;
}
