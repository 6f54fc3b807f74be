import { KERAS_HUB_KNOWLEDGE } from './kerasHubKnowledge';
import { familyForPreset } from './presetContract';

/**
 * Input contracts of the Keras Hub (and KerasCV) image families that the lint rules and hovers need.
 * Every fact records its source (keras-team/keras-hub paths unless said otherwise).
 */
export type ContractKind = 'minus1to1' | 'imagenet' | 'clip' | 'unit' | 'inside-model';

export interface FamilyInfo {
  family: string;
  /** Class-name prefix used by keras_hub, e.g. "ViT" → ViTBackbone. */
  classPrefix: string;
  /** Output of backbone(x): token sequence (B, T, D), feature map (B, h, w, C), or a dict. */
  output: 'tokens' | 'feature-map' | 'dict';
  contract: ContractKind;
  /** y = x * scale + offset per channel, for x in 0–255. */
  scale: number[];
  offset: number[];
  formula: string;
  range: string;
  interpolation: string;
  classToken: boolean | null;
  presets: FamilyPreset[];
  source: string;
  convertersAre: string;
}

export interface FamilyPreset {
  name: string;
  imageSize: number | null;
  patchSize?: number;
  note?: string;
  /** Current name of a preset an earlier keras-hub version listed under this name. */
  renamedTo?: string;
  renamedAt?: string;
}

/**
 * A family's presets as the generated keras-hub knowledge lists them (every name of every release read, with
 * renames; sizes from the names, descriptions or the reviewed table). Sizes no source gives come from `sizes`.
 */
function generatedPresets(presetsFamily: string, sizes?: { imageSize: number | null; patchSize?: number }): FamilyPreset[] {
  const listed = KERAS_HUB_KNOWLEDGE.presets.filter((p) => p.family === presetsFamily);
  return listed.map((p): FamilyPreset => {
    const imageSize = p.imageSize ?? sizes?.imageSize ?? null;
    const patchSize = p.patchSize ?? sizes?.patchSize;
    return {
      name: p.name,
      imageSize,
      ...(patchSize ? { patchSize } : {}),
      ...(!p.current && p.renamedTo ? { renamedTo: p.renamedTo, renamedAt: `${presetsFamily}_presets.py lists "${p.name}" in keras-hub ${p.releases.held.map(([a, b]) => (a === b ? a : `${a}–${b}`)).join(', ')}; from ${p.renamedIn} it is "${p.renamedTo}"` } : {}),
    };
  });
}

/** The converter class keras-hub's newest API listing exports for a family, or the base class. */
function converterOf(classPrefix: string): string {
  const own = KERAS_HUB_KNOWLEDGE.exports.find((e) => e.namespace === 'layers' && e.current && e.name === `${classPrefix}ImageConverter`);
  return own ? `keras_hub.layers.${own.name}` : `keras_hub.layers.ImageConverter (keras-hub ${KERAS_HUB_KNOWLEDGE.releases.filter((r) => r.version !== 'main').pop()?.version ?? ''} exports no ${classPrefix}ImageConverter)`;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
const affine = (mean: number[], std: number[]): { scale: number[]; offset: number[] } => ({
  scale: std.map((s) => 1 / 255 / s),
  offset: mean.map((m, i) => -m / (std[i] as number)),
});

export const FAMILIES: readonly FamilyInfo[] = [
  {
    family: 'vit', classPrefix: 'ViT', output: 'tokens', contract: 'minus1to1',
    scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1], formula: 'x / 127.5 - 1', range: '[-1, 1]', interpolation: 'bilinear', classToken: true,
    presets: generatedPresets('vit'),
    source: 'presets: generated from keras_hub/src/models/vit/vit_presets.py; contract: tools/checkpoint_conversion/convert_vit_checkpoints.py (scale (1/255)/0.5, offset -1) @71453d0',
    convertersAre: converterOf('ViT'),
  },
  {
    family: 'dinov2', classPrefix: 'DINOV2', output: 'tokens', contract: 'imagenet', ...affine(IMAGENET_MEAN, IMAGENET_STD),
    formula: '(x / 255 - ImageNet mean) / ImageNet std', range: '≈ [-2.12, 2.64]', interpolation: 'bicubic', classToken: true,
    // dinov2_presets.py states no sizes: the generated knowledge has them (518, patch 14) from the reviewed table
    presets: generatedPresets('dinov2'),
    source: 'presets: generated from keras_hub/src/models/dinov2/dinov2_presets.py, sizes from scripts/knowledge/reviewedFacts.json; contract: tools/checkpoint_conversion/convert_dinov2_checkpoints.py @71453d0 (DINOV2ImageConverter image_size 518, ImageNet mean/std as scale/offset, bicubic; crop_to_aspect_ratio default true)',
    convertersAre: converterOf('DINOV2'),
  },
  {
    family: 'resnet', classPrefix: 'ResNet', output: 'feature-map', contract: 'imagenet', ...affine(IMAGENET_MEAN, IMAGENET_STD),
    formula: '(x / 255 - ImageNet mean) / ImageNet std', range: '≈ [-2.12, 2.64]', interpolation: 'bicubic', classToken: null,
    presets: generatedPresets('resnet', { imageSize: 224 }),
    source: 'presets: generated from keras_hub/src/models/resnet/resnet_presets.py at every release; contract: tools/checkpoint_conversion/convert_resnet_checkpoints.py (timm *.a1_in1k); keras_hub/src/utils/timm/preset_loader.py (scale 1/255/std, offset -mean/std)',
    convertersAre: converterOf('ResNet'),
  },
  {
    family: 'efficientnet', classPrefix: 'EfficientNet', output: 'feature-map', contract: 'imagenet', ...affine(IMAGENET_MEAN, IMAGENET_STD),
    formula: '(x / 255 - ImageNet mean) / ImageNet std', range: '≈ [-2.12, 2.64]', interpolation: 'bicubic', classToken: null,
    presets: generatedPresets('efficientnet'),
    source: 'presets: generated from keras_hub/src/models/efficientnet/efficientnet_presets.py at every release; image sizes from the names or the timm checkpoint (reviewedFacts.json); contract: tools/checkpoint_conversion/convert_efficientnet_checkpoints.py (timm); keras_hub/src/utils/timm/preset_loader.py (the ra4 presets: IMAGENET_INCEPTION mean/std, [-1, 1], see presetContract.ts)',
    convertersAre: converterOf('EfficientNet'),
  },
  {
    family: 'mobilenet', classPrefix: 'MobileNet', output: 'feature-map', contract: 'imagenet', ...affine(IMAGENET_MEAN, IMAGENET_STD),
    formula: '(x / 255 - ImageNet mean) / ImageNet std', range: '≈ [-2.12, 2.64]', interpolation: 'bilinear', classToken: null,
    presets: generatedPresets('mobilenet', { imageSize: 224 }),
    source: 'presets: generated from keras_hub/src/models/mobilenet/mobilenet_presets.py; contract: tools/checkpoint_conversion/convert_mobilenet_checkpoints.py (timm mobilenetv3 checkpoints, ImageNet mean/std)',
    convertersAre: converterOf('MobileNet'),
  },
  {
    family: 'clip', classPrefix: 'CLIP', output: 'dict', contract: 'clip', ...affine(CLIP_MEAN, CLIP_STD),
    formula: '(x / 255 - CLIP mean) / CLIP std', range: '≈ [-1.79, 2.15]', interpolation: 'bicubic', classToken: true,
    presets: generatedPresets('clip', { imageSize: 224 }),
    source: 'presets: generated from keras_hub/src/models/clip/clip_presets.py; contract: tools/checkpoint_conversion/convert_clip_checkpoints.py (HF crop_size, image_mean/std, bicubic)',
    convertersAre: converterOf('CLIP'),
  },
  {
    family: 'convnext', classPrefix: 'ConvNeXt', output: 'feature-map', contract: 'inside-model', scale: [1, 1, 1], offset: [0, 0, 0],
    formula: 'raw 0–255 (normalisation inside the model)', range: '[0, 255]', interpolation: 'bilinear', classToken: null,
    presets: [],
    source: 'keras.applications.ConvNeXt* (include_preprocessing=True by default: the model normalises 0–255 input itself); no keras_hub ConvNeXt preset at hub@71453d0',
    convertersAre: 'none (keras.applications.convnext.preprocess_input is a pass-through)',
  },
];

export function familyByPrefix(classPrefix: string): FamilyInfo | undefined {
  return FAMILIES.find((f) => f.classPrefix.toLowerCase() === classPrefix.toLowerCase());
}

/** Family of a preset name: exact catalog match first, then the name's prefix. */
export function familyOfPreset(preset: string): { family: FamilyInfo; known: boolean; imageSize: number | null; patchSize?: number } | undefined {
  for (const f of FAMILIES) {
    const p = f.presets.find((x) => x.name === preset);
    if (p) return { family: familyForPreset(f, preset), known: true, imageSize: p.imageSize, patchSize: p.patchSize };
  }
  const lower = preset.toLowerCase();
  const byPrefix = FAMILIES.find((f) => f.presets.length > 0 && lower.startsWith(`${f.family}_`)) ?? FAMILIES.find((f) => f.presets.length > 0 && lower.startsWith(f.family));
  return byPrefix ? { family: byPrefix, known: false, imageSize: null } : undefined;
}

/** KerasCV backbones (keras_cv.models.*Backbone.from_preset) rescale inside the model when include_rescaling=True. */
export const KERAS_CV_NOTE = 'KerasCV backbones (keras_cv.models.*Backbone) take include_rescaling: when True, the model applies Rescaling(1/255) itself.';
