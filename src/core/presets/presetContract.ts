import type { ContractKind, FamilyInfo } from './familyCatalog';
import { KERAS_HUB_KNOWLEDGE } from './kerasHubKnowledge';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
const near = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => Math.abs(x - (b[i] as number)) < 1e-6);

/** The contract a preset's own mean/std describe, when the generated knowledge gives them. */
function contractOf(mean: number[], std: number[]): { contract: ContractKind; formula: string; range: string } | null {
  if (near(mean, [0, 0, 0]) && near(std, [1, 1, 1])) return { contract: 'unit', formula: 'x / 255', range: '[0, 1]' };
  if (near(mean, [0.5, 0.5, 0.5]) && near(std, [0.5, 0.5, 0.5])) return { contract: 'minus1to1', formula: 'x / 127.5 - 1', range: '[-1, 1]' };
  if (near(mean, IMAGENET_MEAN) && near(std, IMAGENET_STD)) return { contract: 'imagenet', formula: '(x / 255 - ImageNet mean) / ImageNet std', range: '≈ [-2.12, 2.64]' };
  return null;
}

const cache = new Map<string, FamilyInfo>();

/**
 * The family as one preset sees it: when the generated knowledge gives the preset its own statistics (from a
 * conversion script's upstream checkpoint, via the reviewed table) and they differ from the family's, a copy of the
 * family with the preset's contract, scale and offset; otherwise the family itself.
 * Example: mobilenet_v3_large_100_imagenet_21k (timm miil_in21k_ft_in1k, mean 0 / std 1) takes x / 255.
 */
export function familyForPreset(family: FamilyInfo, preset: string): FamilyInfo {
  const key = `${family.family}\u0000${preset}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const input = KERAS_HUB_KNOWLEDGE.presets.find((p) => p.name === preset)?.input;
  const own = input?.mean && input.std ? contractOf(input.mean, input.std) : null;
  const result =
    own && own.contract !== family.contract
      ? {
          ...family,
          ...own,
          scale: (input?.std as number[]).map((s) => 1 / 255 / s),
          offset: (input?.mean as number[]).map((m, i) => (m === 0 ? 0 : -m / ((input?.std as number[])[i] as number))),
          ...(input?.interpolation ? { interpolation: input.interpolation } : {}),
          source: `${family.source}; ${preset}: ${(input?.sources ?? []).map((s) => { const key = /^reviewed table \((.+)\)$/.exec(s)?.[1]; return key ? `${s}: ${KERAS_HUB_KNOWLEDGE.reviewedSources[key] ?? ''}` : s; }).join('; ')}`,
        }
      : family;
  cache.set(key, result);
  return result;
}
