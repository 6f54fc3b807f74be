import { effectiveAffine } from './inputContract';
import type { ImageConverterConfig } from './presetSchema';

/** One side of a preset comparison: the raw JSON files and the parsed converter. */
export interface PresetDiffSide {
  label: string;
  files: Record<string, unknown>;
  converter: ImageConverterConfig | null;
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

export interface EffectiveMappingDiff {
  left: { scale: number[]; offset: number[]; imageSize: [number, number] | null; resize: string } | null;
  right: { scale: number[]; offset: number[]; imageSize: [number, number] | null; resize: string } | null;
  /** Same input mapping, whatever the spelling (scale/offset vs norm_mean/norm_std). */
  sameMapping: boolean;
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
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(file: string, a: unknown, b: unknown, path: string, out: DiffEntry[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(file, a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  const last = path.split('.').pop() ?? path;
  const same = JSON.stringify(a) === JSON.stringify(b);
  const kind: DiffEntry['kind'] = same ? 'same' : a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
  out.push({ file, key: path, left: a, right: b, kind, ...(same ? {} : MEANINGS[last] ? { meaning: MEANINGS[last] } : {}) });
}

/** Key-by-key diff of every JSON file of two presets (nested Keras objects flattened to dotted paths). */
export function diffPresetFiles(left: PresetDiffSide, right: PresetDiffSide): DiffEntry[] {
  const out: DiffEntry[] = [];
  const files = [...new Set([...Object.keys(left.files), ...Object.keys(right.files)])].sort();
  for (const f of files) walk(f, left.files[f], right.files[f], '', out);
  return out;
}

function summarise(c: ImageConverterConfig | null): EffectiveMappingDiff['left'] {
  if (!c) return null;
  const a = effectiveAffine(c);
  return { ...a, imageSize: c.imageSize, resize: `${c.imageSize ? `${c.imageSize[0]}×${c.imageSize[1]}` : 'none'}, ${c.interpolation}${c.cropToAspectRatio ? ', crop to aspect' : c.padToAspectRatio ? ', pad to aspect' : ''}${c.antialias ? ', antialias' : ''}` };
}

/** Compares what the two converters do to a 0–255 pixel, not how their JSON spells it. */
export function diffEffectiveMapping(left: PresetDiffSide, right: PresetDiffSide): EffectiveMappingDiff {
  const l = summarise(left.converter);
  const r = summarise(right.converter);
  if (!l || !r) {
    return { left: l, right: r, sameMapping: l === r, explanation: !l && !r ? 'Neither preset has an image converter.' : `Only ${l ? left.label : right.label} has an image converter: the other's input contract is unknown.` };
  }
  const close = (x: number[], y: number[]): boolean => x.length === y.length && x.every((v, i) => Math.abs(v - (y[i] as number)) <= 1e-6 * Math.max(1, Math.abs(v)));
  const sameAffine = close(l.scale, r.scale) && close(l.offset, r.offset);
  const sameResize = l.resize === r.resize;
  const explanation = sameAffine
    ? sameResize
      ? 'Same input mapping: pixels preprocessed for one are correct for the other (even if the JSON spells it differently).'
      : `Same pixel mapping, different resize (${l.resize} vs ${r.resize}).`
    : `Different input mapping: ${left.label} maps 0–255 to [${(l.offset[0] as number).toFixed(3)}, ${(255 * (l.scale[0] as number) + (l.offset[0] as number)).toFixed(3)}], ${right.label} to [${(r.offset[0] as number).toFixed(3)}, ${(255 * (r.scale[0] as number) + (r.offset[0] as number)).toFixed(3)}]. Preprocessing written for one is wrong for the other.`;
  return { left: l, right: r, sameMapping: sameAffine, explanation };
}
