import { KERAS_HUB_KNOWLEDGE } from './kerasHubKnowledge';
import type { KnownExport } from './kerasHubKnowledgeTypes';

/**
 * Public keras_hub names the rules check against: generated from keras-hub's own API listings
 * (src/core/presets/kerasHubKnowledge.ts, `npm run kb:generate`). Names outside the image families are not judged
 * (unknown is not guilty).
 */
const IMAGE_MODEL_FAMILIES = ['ViT', 'DINOV2', 'DINOV3', 'ResNet', 'EfficientNet', 'MobileNet', 'DenseNet', 'VGG', 'CSPNet', 'MiT', 'HGNetV2', 'DeiT', 'Xception'];
const IMAGE_CONVERTER_FAMILIES = [...IMAGE_MODEL_FAMILIES, 'CLIP', 'BASNet', 'DeepLabV3', 'PaliGemma', 'RetinaNet', 'SAM', 'SegFormer', 'SigLIP', 'Gemma3'];

const exportsOf = (ns: 'models' | 'layers'): Map<string, KnownExport> => new Map(KERAS_HUB_KNOWLEDGE.exports.filter((e) => e.namespace === ns).map((e) => [e.name, e]));
const MODELS = exportsOf('models');
const LAYERS = exportsOf('layers');

/** Names the newest listed keras-hub API exports (a name seen only in another version is not in these sets). */
export const KERAS_HUB_MODELS: ReadonlySet<string> = new Set([...MODELS.values()].filter((e) => e.current).map((e) => e.name));
export const KERAS_HUB_LAYERS: ReadonlySet<string> = new Set([...LAYERS.values()].filter((e) => e.current).map((e) => e.name));

/** The source versions a name was exported by, when the newest API listing does not export it. */
export function otherVersionExport(qualified: string): KnownExport | undefined {
  const m = /^keras_hub\.(models|layers)\.([A-Za-z0-9_]+)$/.exec(qualified);
  if (!m) return undefined;
  const e = (m[1] === 'models' ? MODELS : LAYERS).get(m[2] as string);
  return e && !e.current ? e : undefined;
}

/** Well-known wrong names and the right ones (facts sheet §1). */
export const KNOWN_WRONG: Record<string, string> = {
  'keras_hub.models.ViTImagePreprocessor': 'keras_hub.models.ViTImageClassifierPreprocessor',
  'keras_hub.models.ViTPreprocessor': 'keras_hub.models.ViTImageClassifierPreprocessor',
  'keras_hub.models.ViTImageConverter': 'keras_hub.layers.ViTImageConverter',
  'keras_hub.models.ImageConverter': 'keras_hub.layers.ImageConverter',
  'keras_hub.layers.ViTBackbone': 'keras_hub.models.ViTBackbone',
  'keras_hub.models.DinoV2Backbone': 'keras_hub.models.DINOV2Backbone',
  'keras_hub.models.DINOv2Backbone': 'keras_hub.models.DINOV2Backbone',
  'keras_hub.models.VitBackbone': 'keras_hub.models.ViTBackbone',
  'keras_hub.models.VITBackbone': 'keras_hub.models.ViTBackbone',
  'keras_hub.models.ViTClassifier': 'keras_hub.models.ViTImageClassifier',
};

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

const closestCache = new Map<string, string | undefined>();

/** The candidate nearest to `name` by edit distance, if within `maxDistance` (memoised: the lists are static). */
export function closest(name: string, candidates: Iterable<string>, maxDistance = 3): string | undefined {
  const list = [...candidates];
  const key = `${maxDistance}\u0000${name}\u0000${list.join('\u0001')}`;
  if (closestCache.has(key)) return closestCache.get(key);
  const found = closestUncached(name, list, maxDistance);
  if (closestCache.size > 5000) closestCache.clear();
  closestCache.set(key, found);
  return found;
}

function closestUncached(name: string, candidates: string[], maxDistance: number): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = c.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, c);
    if (dd < bestD) {
      bestD = dd;
      best = c;
    }
  }
  return bestD <= maxDistance ? best : undefined;
}

/**
 * Judges `keras_hub.models.X` / `keras_hub.layers.X`. Returns the right name when X is certainly wrong, null when it is
 * known good or outside the image families we know (unknown is not guilty).
 */
export function checkKerasHubName(qualified: string): { suggestion: string } | null {
  if (KNOWN_WRONG[qualified]) return { suggestion: KNOWN_WRONG[qualified] };
  const m = /^keras_hub\.(models|layers)\.([A-Za-z0-9_]+)$/.exec(qualified);
  if (!m) return null;
  const [, ns, name] = m as unknown as [string, 'models' | 'layers', string];
  const own = ns === 'models' ? KERAS_HUB_MODELS : KERAS_HUB_LAYERS;
  if (own.has(name) || otherVersionExport(qualified)) return null;
  const other = ns === 'models' ? KERAS_HUB_LAYERS : KERAS_HUB_MODELS;
  if (other.has(name)) return { suggestion: `keras_hub.${ns === 'models' ? 'layers' : 'models'}.${name}` };
  // only names of the image families are judged: a close known name there is a typo (ViTImageConvertor)
  const familyish = [...IMAGE_MODEL_FAMILIES, ...IMAGE_CONVERTER_FAMILIES, 'Dino', 'Vit'].some((f) => name.toLowerCase().startsWith(f.toLowerCase()));
  if (!familyish) return null;
  const near = closest(name, own) ?? closest(name, other);
  if (near) return { suggestion: `keras_hub.${own.has(near) ? ns : ns === 'models' ? 'layers' : 'models'}.${near}` };
  return null;
}
