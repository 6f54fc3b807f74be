import type { LoadedPreset } from '../../core/presets/presetLoader';
import type { TokenLayout } from '../../core/presets/tokenLayout';
import type { PresetSummary, UserPooling } from '../../protocol/engineProtocol';

/** The texts of the stage list that depend on the family: where the tokens sit, what a block does, what pooling takes. */
export interface FamilyStageTexts {
  patches: string;
  tokens: string;
  block: string;
  backboneOutput: string;
  pooled: string;
}

function positionTableText(preset: LoadedPreset): string {
  const d = preset.dinov2;
  if (!d) return '';
  const g = Math.floor(d.imageShape[0] / d.patchSize);
  const s0 = Math.floor(d.positionEmbeddingShape[0] / d.patchSize);
  const same = d.positionEmbeddingShape[0] === d.imageShape[0] && d.positionEmbeddingShape[1] === d.imageShape[1];
  return same
    ? `; position table ${g}×${g} as stored`
    : `; position table interpolated at build time from the stored ${s0}×${s0} to ${g}×${g} (bicubic${d.antialiasInInterpolation ? ', antialias' : ''})`;
}

/** Stage details for the preset's family (ViT: [CLS] + patches; DINOv2: CLS, registers, patches, LayerScale). */
export function familyStageTexts(preset: LoadedPreset, layout: TokenLayout, pooling: UserPooling): FamilyStageTexts {
  const cfg = preset.backbone;
  const [gh, gw] = layout.grid;
  const P = cfg.patchSize;
  const C = cfg.imageShape[2];
  const dropped = cfg.imageShape[0] - gh * P[0];
  const patches = `${gh}×${gw} patches of ${P[0]}×${P[1]}×${C}${dropped > 0 ? ` (the last ${dropped} pixel rows and columns are never seen: ${cfg.imageShape[0]} is not divisible by ${P[0]})` : ''}`;
  const n = gh * gw;
  const R = layout.registers;
  let tokens: string;
  if (preset.dinov2) {
    tokens = R > 0
      ? `CLS at 0, ${R} registers at 1–${R} (no position embedding), ${n} patches at ${layout.patchStart}–${layout.numTokens - 1}${positionTableText(preset)}`
      : `CLS at 0 + ${n} patch tokens${positionTableText(preset)}`;
  } else {
    tokens = layout.classToken ? `CLS at index 0 + ${n} patch tokens` : `${n} patch tokens, no class token`;
  }
  const d = preset.dinov2;
  const block = d
    ? `pre-LN MHA (${cfg.numHeads} heads) × LayerScale + ${d.useSwigluFfn ? `SwiGLU ${cfg.mlpDim}` : `MLP ${cfg.mlpDim} (GELU)`} × LayerScale`
    : `pre-LN MHA (${cfg.numHeads} heads) + MLP ${cfg.mlpDim}`;
  const backboneOutput = d ? 'final LayerNorm (eps 1e-6) — what DINOV2Backbone returns' : 'final LayerNorm';
  const T = layout.numTokens;
  const pooled = pooling === 'token'
    ? (layout.classToken ? 'features[:, 0, :] — the CLS token' : 'features[:, 0, :] — the top-left PATCH (no class token!)')
    : pooling === 'patch_mean'
      ? `mean of the ${n} patch tokens features[:, ${layout.patchStart}:, :]${R > 0 ? ` (the ${R} registers excluded)` : ''}`
      : pooling === 'after_cls_mean'
        ? `mean of features[:, 1:, :] — ${R > 0 ? `the ${R} REGISTERS and ${n} patches` : `the ${n} patch tokens`}`
        : `mean over ${T} tokens${layout.classToken ? ` (CLS${R > 0 ? ` and ${R} registers` : ''} included, as pooling="gap")` : ''}`;
  return { patches, tokens, block, backboneOutput, pooled };
}

/** The family fields of the report's preset summary. */
export function familySummary(preset: LoadedPreset, layout: TokenLayout): Pick<PresetSummary, 'family' | 'tokenLayout' | 'positionTable'> {
  const d = preset.dinov2;
  const summary: Pick<PresetSummary, 'family' | 'tokenLayout' | 'positionTable'> = {
    family: preset.family,
    tokenLayout: { grid: layout.grid, classToken: layout.classToken, registers: layout.registers, patchStart: layout.patchStart },
  };
  if (d) {
    const s0: [number, number] = [Math.floor(d.positionEmbeddingShape[0] / d.patchSize), Math.floor(d.positionEmbeddingShape[1] / d.patchSize)];
    const interpolated = d.positionEmbeddingShape[0] !== d.imageShape[0] || d.positionEmbeddingShape[1] !== d.imageShape[1];
    summary.positionTable = { storedGrid: s0, builtGrid: layout.grid, interpolated, antialias: d.antialiasInInterpolation };
  }
  return summary;
}
