/**
 * Built-in facts about every official Keras Hub ViT preset, for use when the files are not on disk.
 * Source: keras-hub keras_hub/src/models/vit/vit_presets.py and tools/checkpoint_conversion/convert_vit_checkpoints.py
 * at commit 71453d08 (2026-08-21), summarised in shared/docs/keras-hub-vit.md §9.
 */
export interface ViTCatalogEntry {
  name: string;
  kaggleHandle: string;
  hfSource: string;
  imageSize: number;
  patchSize: number;
  numLayers: number;
  numHeads: number;
  hiddenDim: number;
  mlpDim: number;
  useClassToken: boolean;
  /** Published backbone parameter count. */
  params: number;
  pretraining: 'imagenet21k+imagenet1k' | 'imagenet21k';
  description: string;
  /** Number of classes of the bundled ImageClassifier head, or null for backbone-only presets. */
  taskClasses: number | null;
}

const CONVERTER_NOTE = 'x / 127.5 - 1';

function entry(
  name: string,
  version: number,
  hf: string,
  image: number,
  patch: number,
  size: 'base' | 'large' | 'huge',
  params: number,
): ViTCatalogEntry {
  const dims = { base: [12, 12, 768, 3072], large: [24, 16, 1024, 4096], huge: [32, 16, 1280, 5120] }[size] as [number, number, number, number];
  const is21k = name.endsWith('_imagenet21k');
  return {
    name,
    kaggleHandle: `kaggle://keras/vit/keras/${name}/${version}`,
    hfSource: hf,
    imageSize: image,
    patchSize: patch,
    numLayers: dims[0],
    numHeads: dims[1],
    hiddenDim: dims[2],
    mlpDim: dims[3],
    useClassToken: true,
    params,
    pretraining: is21k ? 'imagenet21k' : 'imagenet21k+imagenet1k',
    description: is21k
      ? 'Backbone pre-trained on ImageNet-21k (no classification head).'
      : 'Pre-trained on ImageNet-21k, fine-tuned on ImageNet-1k; ships a 1000-class head (logits).',
    taskClasses: is21k ? null : 1000,
  };
}

export const VIT_CATALOG: readonly ViTCatalogEntry[] = [
  entry('vit_base_patch16_224_imagenet', 4, 'google/vit-base-patch16-224', 224, 16, 'base', 85_798_656),
  entry('vit_base_patch16_384_imagenet', 4, 'google/vit-base-patch16-384', 384, 16, 'base', 86_090_496),
  entry('vit_large_patch16_224_imagenet', 4, 'google/vit-large-patch16-224', 224, 16, 'large', 303_301_632),
  entry('vit_large_patch16_384_imagenet', 4, 'google/vit-large-patch16-384', 384, 16, 'large', 303_690_752),
  entry('vit_base_patch32_384_imagenet', 3, 'google/vit-base-patch32-384', 384, 32, 'base', 87_528_192),
  entry('vit_large_patch32_384_imagenet', 3, 'google/vit-large-patch32-384', 384, 32, 'large', 305_607_680),
  entry('vit_base_patch16_224_imagenet21k', 3, 'google/vit-base-patch16-224-in21k', 224, 16, 'base', 85_798_656),
  entry('vit_base_patch32_224_imagenet21k', 3, 'google/vit-base-patch32-224-in21k', 224, 32, 'base', 87_455_232),
  entry('vit_huge_patch14_224_imagenet21k', 3, 'google/vit-huge-patch14-224-in21k', 224, 14, 'huge', 630_764_800),
  entry('vit_large_patch16_224_imagenet21k', 3, 'google/vit-large-patch16-224-in21k', 224, 16, 'large', 303_301_632),
  entry('vit_large_patch32_224_imagenet21k', 3, 'google/vit-large-patch32-224-in21k', 224, 32, 'large', 305_510_400),
];

/** The converter of every official ViT preset: scale 2/255, offset -1 per channel. */
export const VIT_OFFICIAL_CONVERTER = { scale: 2 / 255, offset: -1, formula: CONVERTER_NOTE, range: '[-1, 1]' } as const;

export function findViTPreset(name: string): ViTCatalogEntry | undefined {
  return VIT_CATALOG.find((e) => e.name === name);
}

/** Backbone parameter count of a ViT (all biases on, class token as given); formula of the facts sheet §3.6. */
export function vitParameterCount(c: {
  numLayers: number; hiddenDim: number; mlpDim: number; patchSize: [number, number]; channels: number; numPositions: number;
  useClassToken: boolean; useMhaBias?: boolean; useMlpBias?: boolean; usePatchBias?: boolean; numHeads?: number;
}): number {
  const D = c.hiddenDim;
  const M = c.mlpDim;
  const mhaBias = c.useMhaBias === false ? 0 : 4 * D;
  const mlpBias = c.useMlpBias === false ? 0 : M + D;
  const perBlock = 4 * D * D + mhaBias + 2 * D * M + mlpBias + 4 * D;
  const patch = c.patchSize[0] * c.patchSize[1] * c.channels * D + (c.usePatchBias === false ? 0 : D);
  return c.numLayers * perBlock + patch + (c.useClassToken ? D : 0) + c.numPositions * D + 2 * D;
}
