import { swigluInnerDim, type DINOV2BackboneConfig } from './dinov2Config';
import { dinov2ParameterCount } from './dinov2Params';
import { familyByPrefix } from './familyCatalog';
import { inputContract } from './inputContract';
import type { PresetFacts } from './presetFacts';
import type { ImageConverterConfig } from './presetSchema';

/** A side the hover uses as an example of from_preset(image_shape=...): the ViT-style 224, else 14 patches smaller. */
function exampleSide(built: number, patch: number): number {
  const s = 16 * patch;
  return s !== built ? s : 8 * patch;
}

/**
 * The hover rows of a DINOv2 backbone, computed from its config: built size (not the constructor's 224), token layout
 * (CLS, registers, patches), what image_shape= in from_preset does. keras-hub behaviour: dinov2_backbone.py and
 * dinov2_layers.py @71453d0 (shared/docs/keras-hub-dinov2.md §3.1, §3.2).
 */
export function dinov2FamilyRows(name: string, cfg: DINOV2BackboneConfig, size?: string): [string, string][] {
  const P = cfg.patchSize;
  const H = cfg.imageShape[0];
  const g = Math.floor(H / P);
  const R = cfg.numRegisterTokens;
  const g0 = Math.floor(cfg.positionEmbeddingShape[0] / P);
  const rows: [string, string][] = [];
  const ffn = cfg.useSwigluFfn ? `SwiGLU FFN ${swigluInnerDim(cfg.intermediateDim)} (intermediate_dim ${cfg.intermediateDim})` : `GELU MLP ${cfg.intermediateDim}`;
  rows.push(['Image size', `${H}×${H} — the size this preset is built for (its image_shape; \`DINOV2Backbone(...)\` without a preset defaults to 224×224)${H % P ? `; ${H - g * P} pixels on the bottom/right are ignored (not a multiple of ${P})` : ''}`]);
  rows.push(['Hidden size', `${size ? `${size}: ` : ''}${cfg.hiddenDim}, ${cfg.numLayers} layers, ${cfg.numHeads} heads, ${ffn}, LayerScale`]);
  const regs = R ? ` + ${R} registers (indices 1–${R}, no position embedding)` : '';
  rows.push(['Tokens', `1 CLS${regs} + ${g}×${g} = ${g * g} patches = **${1 + R + g * g}** at ${H}×${H}; patch tokens are \`features[:, ${1 + R}:, :]\`${R ? ` (not \`[:, 1:]\`, which includes the ${R} registers)` : ''}`]);
  rows.push(['Head', 'none — keras-hub has no DINOv2 task or preprocessor: put your own head on the CLS token `features[:, 0, :]` or the mean of the patch tokens, and apply the converter yourself']);
  const ex = exampleSide(H, P);
  const ge = Math.floor(ex / P);
  rows.push(['image_shape=', `\`from_preset(${JSON.stringify(name)}, image_shape=(${ex}, ${ex}, 3))\` builds the backbone at ${ex}×${ex} (${1 + R + ge * ge} tokens): the stored ${g0}×${g0} position table is resized bicubic${cfg.antialiasInInterpolation ? ' with antialias' : ''} once, at load. The size must be a multiple of ${P}; load the converter with \`image_size=(${ex}, ${ex})\` too.`]);
  return rows;
}

/**
 * The row for an image_shape=(H, W, C) given in this from_preset call: the size built, the tokens, whether the position
 * table is interpolated, and what goes wrong (not square: keras-hub raises; not a multiple of the patch: the 'valid'
 * patch convolution ignores the remaining pixels on the bottom/right, silently).
 */
export function dinov2ImageShapeRow(cfg: DINOV2BackboneConfig, shape: [number, number]): [string, string] {
  const [h, w] = shape;
  const P = cfg.patchSize;
  if (h !== w) return ['In this call', `image_shape ${h}×${w} is not square: DINOV2Backbone raises (height must equal width).`];
  const g = Math.floor(h / P);
  const R = cfg.numRegisterTokens;
  const g0 = Math.floor(cfg.positionEmbeddingShape[0] / P);
  const table = g === g0 && h === cfg.positionEmbeddingShape[0] ? 'the stored position table is used as is' : `the stored ${g0}×${g0} position table is interpolated to ${g}×${g} at load`;
  const rest = h % P ? ` — ${h} is not a multiple of ${P}: the patch grid covers ${g * P} pixels and the last ${h - g * P} rows and columns are ignored silently; use ${g * P} or ${(g + 1) * P}` : '';
  return ['In this call', `built at ${h}×${w}: ${1 + R + g * g} tokens (1 CLS${R ? ` + ${R} registers` : ''} + ${g}×${g}); ${table}; the converter needs \`image_size=(${h}, ${w})\`${rest}`];
}

/** PresetFacts of a DINOv2 backbone config and converter (from disk, or the catalog's). */
export function dinov2PresetFacts(preset: string, cfg: DINOV2BackboneConfig, conv: ImageConverterConfig | null, extra: Partial<PresetFacts> & { source: string; size?: string }): PresetFacts {
  const c = conv ? inputContract(conv) : null;
  const { size, ...rest } = extra;
  return {
    preset,
    family: familyByPrefix('DINOV2') ?? null,
    known: true,
    imageSize: [cfg.imageShape[0], cfg.imageShape[1]],
    patchSize: [cfg.patchSize, cfg.patchSize],
    useClassToken: true,
    hiddenDim: cfg.hiddenDim,
    numLayers: cfg.numLayers,
    numHeads: cfg.numHeads,
    scale: c?.scale ?? null,
    offset: c?.offset ?? null,
    formula: c ? familyFormula(c.scale, c.offset) ?? c.formula : null,
    range: c ? (familyFormula(c.scale, c.offset) ? familyByPrefix('DINOV2')?.range ?? c.rangeText : c.rangeText) : null,
    taskClasses: null,
    pretraining: 'self-supervised (DINOv2); backbone only, no classification head',
    params: dinov2ParameterCount(cfg),
    familyRows: dinov2FamilyRows(preset, cfg, size),
    dinov2: cfg,
    ...(c ? { resize: c.resize } : {}),
    ...rest,
  };
}

/** The family's readable formula when the converter's affine map is the family's (ImageNet mean/std for DINOv2). */
function familyFormula(scale: number[], offset: number[]): string | undefined {
  const f = familyByPrefix('DINOV2');
  if (!f) return undefined;
  const close = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => Math.abs(v - (b[i] as number)) <= 1e-6 * Math.max(1, Math.abs(v)));
  return close(scale, f.scale) && close(offset, f.offset) ? f.formula : undefined;
}
