import { effectiveAffine } from './inputContract';
import type { ImageConverterConfig } from './presetSchema';
import type { TokenLayout } from './tokenLayout';

/** What the backbone makes of the converted image: its family, built size and token layout. */
export interface DiffBackbone {
  /** 'vit' | 'dinov2' (the family folder) */
  family: string;
  builtSize: [number, number];
  patch: [number, number];
  layout: TokenLayout;
  /** DINOv2: pixel size of the stored position table and whether building at another size resizes it with antialias. */
  positionTableSize?: [number, number];
  tableAntialias?: boolean;
}

/** One side of a preset comparison: the raw JSON files, the parsed converter, and the backbone when known. */
export interface PresetDiffSide {
  label: string;
  files: Record<string, unknown>;
  converter: ImageConverterConfig | null;
  backbone?: DiffBackbone | null;
}

export interface DiffEntry {
  file: string;
  /** Dotted key path, e.g. `config.image_shape`. */
  key: string;
  left: unknown;
  right: unknown;
  kind: 'same' | 'changed' | 'added' | 'removed';
  /** What the difference means for fine-tuning, when known. */
  meaning?: string;
}

export interface MappingSummary {
  scale: number[];
  offset: number[];
  /** The same map as (x / 255 - mean) / std. */
  mean: number[];
  std: number[];
  imageSize: [number, number] | null;
  resize: string;
}

export interface EffectiveMappingDiff {
  left: MappingSummary | null;
  right: MappingSummary | null;
  /** Same input mapping, whatever the spelling (scale/offset vs norm_mean/norm_std). */
  sameMapping: boolean;
  /** Same resize (size, method, crop, antialias); null when a side has no converter. */
  sameResize: boolean | null;
  /** Token layout of each backbone at its built size, e.g. "1 CLS + 4 registers + 37×37 patches = 1374". */
  tokens: { left: string | null; right: string | null; same: boolean | null };
  explanation: string;
}

const MEANINGS: Record<string, string> = {
  image_shape: 'Input resolution differs: position embeddings are fixed per size, so weights are not interchangeable.',
  patch_size: 'Patch size differs: a different token grid and patch-embedding kernel.',
  num_layers: 'Depth differs: a different model size.',
  hidden_dim: 'Token width differs: heads sized for one do not fit the other.',
  num_heads: 'Attention heads differ.',
  mlp_dim: 'MLP width differs.',
  use_class_token: 'Class token presence differs: features[:, 0, :] is the CLS token only where it is true.',
  layer_norm_epsilon: 'LayerNorm epsilon differs: small numeric differences (≈1e-5 on logits for 1e-6 vs 1e-12).',
  num_classes: 'Head size differs: the classifier heads are not interchangeable.',
  activation: 'Head activation differs: logits vs probabilities; set from_logits accordingly.',
  pooling: 'Pooling differs: CLS token vs mean of tokens.',
  dropout_rate: 'Dropout differs: only matters while training.',
  interpolation: 'Resize interpolation differs: small input differences.',
  crop_to_aspect_ratio: 'Crop vs squash on non-square images: different pixels reach the model.',
  keras_hub_version: 'Saved by different keras-hub versions.',
  class_name: 'Different classes: another model family or converter, with its own input contract and token layout.',
  num_register_tokens: 'Register tokens differ: they sit between the CLS token and the patches, so the patch tokens start at a different index.',
  position_embedding_shape: 'The stored position table was trained for another size: a different table is interpolated to image_shape.',
  antialias_in_interpolation: 'Antialias of the position-table resize differs: different position embeddings whenever image_shape differs from the table.',
  use_swiglu_ffn: 'SwiGLU feed-forward instead of the GELU MLP (the giant presets): a different block.',
  intermediate_dim: 'MLP width differs.',
  layer_scale_init_value: 'LayerScale initial value differs: only matters for newly initialised blocks (weights overwrite it).',
  apply_layernorm: 'Whether the final LayerNorm is applied to the pyramid outputs too (the main output is the same).',
  use_mask_token: 'Mask token presence differs: unused at inference, changes the weight file layout.',
  drop_path_rate: 'Stochastic depth differs: only matters while training.',
  antialias: 'Converter antialias differs: different pixels when downsampling.',
  scale: 'Converter scale differs: compare the effective mapping above.',
  offset: 'Converter offset differs: compare the effective mapping above.',
  image_size: 'Converter output size differs: it must equal the backbone\'s image_shape.',
};

/** DINOv2 interpolates its position table to image_shape, so a different image_shape is not a weight mismatch. */
const DINOV2_IMAGE_SHAPE = 'Built size differs: DINOv2 interpolates its stored position table to image_shape at load (the weights fit both); the token count follows, and the converter\'s image_size must match it.';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(file: string, a: unknown, b: unknown, path: string, out: DiffEntry[], meanings: Record<string, string>): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(file, a[k], b[k], path ? `${path}.${k}` : k, out, meanings);
    return;
  }
  const last = path.split('.').pop() ?? path;
  const same = JSON.stringify(a) === JSON.stringify(b);
  const kind: DiffEntry['kind'] = same ? 'same' : a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
  out.push({ file, key: path, left: a, right: b, kind, ...(same ? {} : meanings[last] ? { meaning: meanings[last] } : {}) });
}

/** Key-by-key diff of every JSON file of two presets (nested Keras objects flattened to dotted paths). */
export function diffPresetFiles(left: PresetDiffSide, right: PresetDiffSide): DiffEntry[] {
  const out: DiffEntry[] = [];
  const bothDinov2 = left.backbone?.family === 'dinov2' && right.backbone?.family === 'dinov2';
  const meanings = bothDinov2 ? { ...MEANINGS, image_shape: DINOV2_IMAGE_SHAPE } : MEANINGS;
  const files = [...new Set([...Object.keys(left.files), ...Object.keys(right.files)])].sort();
  for (const f of files) walk(f, left.files[f], right.files[f], '', out, meanings);
  return out;
}

/** "1 CLS + 4 registers + 37×37 patches = 1374 (patches from index 5)". */
export function tokenText(b: DiffBackbone): string {
  const l = b.layout;
  const parts = [...(l.classToken ? ['1 CLS'] : []), ...(l.registers ? [`${l.registers} registers`] : []), `${l.grid[0]}×${l.grid[1]} patches`];
  return `${parts.join(' + ')} = ${l.numTokens} at ${b.builtSize[0]}×${b.builtSize[1]} (patches from index ${l.patchStart})`;
}

function summarise(c: ImageConverterConfig | null): MappingSummary | null {
  if (!c) return null;
  const a = effectiveAffine(c);
  // y = x·scale + offset = (x/255 − mean)/std  ⇒  std = 1/(255·scale), mean = −offset·std
  const std = a.scale.map((v) => 1 / (255 * v));
  const mean = a.offset.map((o, i) => -o * (std[i] as number));
  return { ...a, mean, std, imageSize: c.imageSize, resize: `${c.imageSize ? `${c.imageSize[0]}×${c.imageSize[1]}` : 'none'}, ${c.interpolation}${c.cropToAspectRatio ? ', crop to aspect' : c.padToAspectRatio ? ', pad to aspect' : ''}${c.antialias ? ', antialias' : ''}` };
}

function tokensDiff(left: PresetDiffSide, right: PresetDiffSide): EffectiveMappingDiff['tokens'] {
  const l = left.backbone ? tokenText(left.backbone) : null;
  const r = right.backbone ? tokenText(right.backbone) : null;
  return { left: l, right: r, same: l && r ? l === r : null };
}

function tokensExplanation(left: PresetDiffSide, right: PresetDiffSide): string {
  const a = left.backbone;
  const b = right.backbone;
  if (!a || !b) return '';
  const out: string[] = [];
  if (a.layout.numTokens !== b.layout.numTokens || a.layout.patchStart !== b.layout.patchStart) {
    out.push(`Tokens differ: ${left.label} gives ${a.layout.numTokens}, ${right.label} ${b.layout.numTokens}.`);
  }
  if (a.layout.patchStart !== b.layout.patchStart) {
    out.push(`Patch tokens start at index ${a.layout.patchStart} vs ${b.layout.patchStart}${a.layout.registers || b.layout.registers ? ' (register tokens sit between the CLS token and the patches)' : ''}: a slice such as features[:, ${Math.min(a.layout.patchStart, b.layout.patchStart)}:] is right for only one.`);
  }
  return out.join(' ');
}

/** Compares what the two converters do to a 0–255 pixel, not how their JSON spells it, and the tokens each backbone makes. */
export function diffEffectiveMapping(left: PresetDiffSide, right: PresetDiffSide): EffectiveMappingDiff {
  const l = summarise(left.converter);
  const r = summarise(right.converter);
  const tokens = tokensDiff(left, right);
  const tokenNote = tokensExplanation(left, right);
  const withTokens = (text: string): string => (tokenNote ? `${text} ${tokenNote}` : text);
  if (!l || !r) {
    return { left: l, right: r, sameMapping: l === r, sameResize: null, tokens, explanation: withTokens(!l && !r ? 'Neither preset has an image converter.' : `Only ${l ? left.label : right.label} has an image converter: the other's input contract is unknown.`) };
  }
  const close = (x: number[], y: number[]): boolean => x.length === y.length && x.every((v, i) => Math.abs(v - (y[i] as number)) <= 1e-6 * Math.max(1, Math.abs(v)));
  const sameAffine = close(l.scale, r.scale) && close(l.offset, r.offset);
  const sameResize = l.resize === r.resize;
  const explanation = sameAffine
    ? sameResize
      ? 'Same input mapping: pixels preprocessed for one are correct for the other (even if the JSON spells it differently).'
      : `Same pixel mapping, different resize (${l.resize} vs ${r.resize}).`
    : `Different input mapping: ${left.label} maps 0–255 to [${(l.offset[0] as number).toFixed(3)}, ${(255 * (l.scale[0] as number) + (l.offset[0] as number)).toFixed(3)}], ${right.label} to [${(r.offset[0] as number).toFixed(3)}, ${(255 * (r.scale[0] as number) + (r.offset[0] as number)).toFixed(3)}]. Preprocessing written for one is wrong for the other.${sameResize ? '' : ` Resize differs too (${l.resize} vs ${r.resize}).`}`;
  return { left: l, right: r, sameMapping: sameAffine, sameResize, tokens, explanation: withTokens(explanation) };
}
