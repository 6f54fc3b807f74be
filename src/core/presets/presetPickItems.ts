import { DINOV2_CATALOG } from './dinov2Catalog';
import { familyByPrefix } from './familyCatalog';
import { VIT_CATALOG } from './vitCatalog';

/** One group of the preset picker: a heading and its preset names with a short description. */
export interface PresetPickGroup {
  heading: string;
  items: { label: string; description: string }[];
}

/** The official presets the picker offers (Run Sanity Batch, Compare Presets, Show Preset Config): ViT, then DINOv2. */
export function catalogPickGroups(): PresetPickGroup[] {
  return [
    {
      heading: 'Keras Hub ViT presets',
      items: VIT_CATALOG.map((e) => ({ label: e.name, description: `${e.imageSize}px, patch ${e.patchSize}, ${e.pretraining === 'imagenet21k' ? '21k backbone' : '1k fine-tuned'}` })),
    },
    {
      heading: 'Keras Hub DINOv2 presets',
      items: DINOV2_CATALOG.filter((e) => e.current).map((e) => {
        const c = e.config;
        const g = Math.floor(c.imageShape[0] / c.patchSize);
        const tokens = 1 + c.numRegisterTokens + g * g;
        return { label: e.name, description: `${c.imageShape[0]}px, patch ${c.patchSize}, ${e.size}${c.numRegisterTokens ? `, ${c.numRegisterTokens} registers` : ''}, ${tokens} tokens, backbone only` };
      }),
    },
  ];
}

/** The family of a preset folder from its config.json text ("ViT", "DINOv2", another backbone class's prefix), or null. */
export function presetFolderFamily(configText: string): string | null {
  const m = /"class_name"\s*:\s*"(\w+)Backbone"/.exec(configText);
  if (!m) return null;
  const prefix = m[1] as string;
  return prefix === 'DINOV2' ? 'DINOv2' : familyByPrefix(prefix)?.classPrefix ?? prefix;
}
