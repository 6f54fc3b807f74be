import { familyOfPreset, type FamilyInfo } from './familyCatalog';
import { KERAS_HUB_KNOWLEDGE } from './kerasHubKnowledge';
import { findDINOV2Preset } from './dinov2Catalog';
import type { DINOV2BackboneConfig } from './dinov2Config';
import { dinov2PresetFacts } from './dinov2PresetFacts';
import { findViTPreset } from './vitCatalog';

/** What the rules and the hover know about one preset: built-in tables, or the real files when on disk. */
export interface PresetFacts {
  preset: string;
  family: FamilyInfo | null;
  /** An official name, or read from disk. */
  known: boolean;
  imageSize: [number, number] | null;
  patchSize: [number, number] | null;
  useClassToken: boolean | null;
  hiddenDim: number | null;
  numLayers: number | null;
  numHeads: number | null;
  scale: number[] | null;
  offset: number[] | null;
  formula: string | null;
  range: string | null;
  /** Classes of the shipped head; null = backbone only; undefined = unknown. */
  taskClasses: number | null | undefined;
  taskActivation?: string | null;
  pretraining: string | null;
  params: number | null;
  /** keras-hub's own description of the preset (its *_presets.py metadata). */
  description?: string;
  /** Which keras-hub releases list the preset, e.g. "dinov2_presets.py since 0.22.0". */
  listedIn?: string;
  /** Preset folder when the facts come from disk. */
  dir?: string;
  /** Family-specific rows the hover shows (DINOv2: size, registers and token layout, built size, image_shape=). */
  familyRows?: [string, string][];
  /** The resize the converter applies, e.g. "centre-crop to aspect ratio, then bicubic resize to 518x518". */
  resize?: string;
  /** The DINOV2Backbone config (the hover explains an image_shape= given in the call with it). */
  dinov2?: DINOV2BackboneConfig;
  source: string;
}

/** Looks a preset up on disk (workspace folder or kagglehub cache); supplied by the host and the CLI. */
export type PresetLookup = (preset: string) => PresetFacts | undefined;

export function builtinPresetFacts(preset: string): PresetFacts | undefined {
  const fam = familyOfPreset(preset);
  if (!fam) return undefined;
  const vit = findViTPreset(preset);
  const f = fam.family;
  const listed = KERAS_HUB_KNOWLEDGE.presets.find((p) => p.name === preset);
  const generic: PresetFacts = {
    preset,
    family: f,
    known: fam.known,
    imageSize: fam.imageSize ? [fam.imageSize, fam.imageSize] : null,
    patchSize: fam.patchSize ? [fam.patchSize, fam.patchSize] : null,
    useClassToken: f.classToken,
    hiddenDim: vit?.hiddenDim ?? null,
    numLayers: vit?.numLayers ?? null,
    numHeads: vit?.numHeads ?? null,
    scale: f.scale,
    offset: f.offset,
    formula: f.formula,
    range: f.range,
    taskClasses: vit ? vit.taskClasses : undefined,
    taskActivation: vit?.taskClasses ? null : undefined,
    pretraining: vit ? (vit.pretraining === 'imagenet21k' ? 'ImageNet-21k (backbone only)' : 'ImageNet-21k pre-trained, ImageNet-1k fine-tuned') : null,
    params: vit?.params ?? listed?.params ?? null,
    ...(listed ? { description: listed.description, listedIn: `${listed.family}_presets.py ${listed.releases.history}${listed.renamedTo ? ` (renamed ${listed.renamedTo} in ${listed.renamedIn})` : ''}` } : {}),
    source: `built-in table (${f.source})`,
  };
  // DINOv2: the config the preset holds (generated names and counts + the reviewed table), the family's converter
  const dino = findDINOV2Preset(preset);
  if (!dino) return generic;
  const { description, listedIn } = generic;
  return dinov2PresetFacts(preset, dino.config, dino.converter, {
    size: dino.size, params: dino.params, ...(description ? { description } : {}), ...(listedIn ? { listedIn } : {}),
    source: `generated keras-hub knowledge (dinov2_presets.py, convert_dinov2_checkpoints.py, reviewedFacts.json); architecture: the ${dino.upstream} row of reviewedFacts.json`,
  });
}

/** Disk facts win over the built-in table. */
export function presetFacts(preset: string, lookup?: PresetLookup): PresetFacts | undefined {
  return lookup?.(preset) ?? builtinPresetFacts(preset);
}
