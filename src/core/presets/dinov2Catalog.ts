import { familyByPrefix } from './familyCatalog';
import { KERAS_HUB_KNOWLEDGE } from './kerasHubKnowledge';
import type { DINOV2BackboneConfig } from './dinov2Config';
import { architectureFacts } from './presetFactsReviewed';
import type { ImageConverterConfig } from './presetSchema';

/**
 * Every DINOv2 preset keras-hub has listed: names, parameter counts, descriptions and handles from the generated
 * knowledge (kerasHubKnowledge.ts, whose image size and patch come from scripts/knowledge/reviewedFacts.json), the
 * dimensions and registers from the upstream checkpoint's row of the same table (via presetFactsReviewed.ts), the converter from the family's
 * contract (familyCatalog.ts). Nothing here is typed per preset.
 */
export interface DINOV2CatalogEntry {
  name: string;
  size: string;
  /** The checkpoint convert_dinov2_checkpoints.py converts it from. */
  upstream: string;
  current: boolean;
  renamedTo?: string;
  kaggleHandle: string;
  description: string;
  /** keras-hub's published parameter count (dinov2_presets.py metadata). */
  params: number | null;
  /** config.json the preset holds (as the conversion script builds it). */
  config: DINOV2BackboneConfig;
  converter: ImageConverterConfig;
  sources: string[];
}

function entryOf(p: (typeof KERAS_HUB_KNOWLEDGE.presets)[number]): DINOV2CatalogEntry | undefined {
  const arch = architectureFacts(p.upstream);
  const fam = familyByPrefix('DINOV2');
  if (!arch || !fam || !p.imageSize || !p.patchSize) return undefined;
  const f = arch.facts;
  return {
    name: p.name,
    size: f.size,
    upstream: arch.upstream,
    current: p.current,
    ...(p.renamedTo ? { renamedTo: p.renamedTo } : {}),
    kaggleHandle: p.kaggleHandle,
    description: p.description,
    params: p.params,
    config: {
      // the conversion sets position_embedding_shape = image_shape = the upstream image size
      imageShape: [p.imageSize, p.imageSize, 3], patchSize: p.patchSize, numLayers: f.numLayers, numHeads: f.numHeads, hiddenDim: f.hiddenDim,
      intermediateDim: f.intermediateDim, layerScaleInitValue: 1, numRegisterTokens: f.registers, useMaskToken: true, useSwigluFfn: f.swiglu,
      dropoutRate: 0, dropPathRate: 0, positionEmbeddingShape: [p.imageSize, p.imageSize],
      antialiasInInterpolation: f.antialias, applyLayernorm: false, dtype: 'float32',
    },
    converter: {
      className: 'DINOV2ImageConverter', imageSize: [p.imageSize, p.imageSize], scale: [...fam.scale], offset: [...fam.offset], normMean: null, normStd: null,
      interpolation: fam.interpolation, antialias: false, cropToAspectRatio: true, padToAspectRatio: false,
    },
    sources: [
      `name, parameters, description, upstream: generated from ${p.family}_presets.py and convert_dinov2_checkpoints.py (kerasHubKnowledge.ts)`,
      `image size ${p.imageSize}, patch ${p.patchSize}: ${p.imageSizeSource ?? 'kerasHubKnowledge.ts'}`,
      `dimensions, registers, antialias: ${arch.source}`,
      `converter: ${fam.source}`,
    ],
  };
}

/** Current presets first, then names earlier keras-hub versions listed. */
export const DINOV2_CATALOG: readonly DINOV2CatalogEntry[] = KERAS_HUB_KNOWLEDGE.presets
  .filter((p) => p.family === 'dinov2')
  .map(entryOf)
  .filter((e): e is DINOV2CatalogEntry => !!e)
  .sort((a, b) => Number(b.current) - Number(a.current));

export function findDINOV2Preset(name: string): DINOV2CatalogEntry | undefined {
  return DINOV2_CATALOG.find((e) => e.name === name);
}
