import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { familyByPrefix, familyOfPreset } from './familyCatalog';
import { inputContract } from './inputContract';
import type { PresetFacts, PresetLookup } from './presetFacts';
import { loadPresetDir } from './presetLoader';
import { resolvePreset } from './presetResolver';
import { findDINOV2Preset } from './dinov2Catalog';
import { dinov2PresetFacts } from './dinov2PresetFacts';
import { findViTPreset } from './vitCatalog';

/**
 * A PresetLookup that reads real preset files: a folder relative to `baseDirs` (the script's folder, the workspace)
 * or the kagglehub cache. Errors in the files make it fall back to the built-in table (the sanity batch reports them).
 */
export function diskPresetLookup(baseDirs: string[], env?: Record<string, string | undefined>): PresetLookup {
  const cache = new Map<string, PresetFacts | undefined>();
  return (preset) => {
    if (cache.has(preset)) return cache.get(preset);
    let facts: PresetFacts | undefined;
    try {
      const looksLikePath = preset.includes('/') || preset.includes('\\') || preset.startsWith('.');
      let dir: string | undefined;
      if (looksLikePath && !preset.includes('://')) {
        for (const b of baseDirs) {
          const p = isAbsolute(preset) ? preset : join(b, preset);
          if (existsSync(join(p, 'config.json'))) {
            dir = p;
            break;
          }
        }
      } else dir = resolvePreset(preset, { env, cwd: baseDirs[0] }).dir;
      if (dir) {
        const p = loadPresetDir(dir);
        const c = p.converter ? inputContract(p.converter) : null;
        const name = preset.split(/[\\/]/).filter(Boolean).pop() ?? preset;
        const fam = familyByPrefix(p.backboneClass.replace(/Backbone$/, '')) ?? familyOfPreset(name)?.family ?? null;
        const vit = findViTPreset(name);
        const published = typeof p.metadata?.parameter_count === 'number' ? p.metadata.parameter_count : null;
        if (p.dinov2) {
          const dino = findDINOV2Preset(name);
          facts = dinov2PresetFacts(preset, p.dinov2, p.converter, {
            ...(dino ? { size: dino.size, description: dino.description } : {}),
            ...(published !== null ? { params: published } : {}), dir, source: `preset files in ${dir}`,
          });
        } else facts = {
          preset, family: fam, known: true,
          imageSize: [p.backbone.imageShape[0], p.backbone.imageShape[1]],
          patchSize: p.backbone.patchSize, useClassToken: p.backbone.useClassToken,
          hiddenDim: p.backbone.hiddenDim, numLayers: p.backbone.numLayers, numHeads: p.backbone.numHeads,
          scale: c?.scale ?? null, offset: c?.offset ?? null, formula: c?.formula ?? null, range: c?.rangeText ?? null,
          taskClasses: p.task ? p.task.numClasses : null, taskActivation: p.task?.activation,
          pretraining: vit ? (vit.pretraining === 'imagenet21k' ? 'ImageNet-21k (backbone only)' : 'ImageNet-21k pre-trained, ImageNet-1k fine-tuned') : null,
          params: typeof p.metadata?.parameter_count === 'number' ? p.metadata.parameter_count : null,
          dir, source: `preset files in ${dir}`,
        };
      }
    } catch {
      facts = undefined;
    }
    cache.set(preset, facts);
    return facts;
  };
}
