import type { Node, Parser } from 'web-tree-sitter';
import { pyLiteral } from './pythonLiteral';

export interface ExtractedCvPreset {
  name: string;
  family: string;
  params: number | null;
  /** config.include_rescaling when the entry states it (directly or through `other["name"]["config"]`). */
  includeRescaling: boolean | null;
}

const keyOf = (pair: Node): string | null => {
  const key = pair.childForFieldName('key');
  if (key?.type !== 'string') return null;
  const v = pyLiteral(key);
  return typeof v === 'string' ? v : null;
};
const field = (dict: Node, name: string): Node | null =>
  dict.namedChildren.find((p) => p?.type === 'pair' && keyOf(p) === name)?.childForFieldName('value') ?? null;

/**
 * Presets of a keras-cv `*_backbone_presets.py`: every `"name": {"metadata": {...}, ...}` entry. Older releases
 * carry the backbone config inline (`"config": {..., "include_rescaling": True}`) or by reference
 * (`backbone_presets_no_weights["resnet50"]["config"]`); later ones keep it on Kaggle (null here).
 */
export function extractKerasCvPresets(parser: Parser, text: string): ExtractedCvPreset[] {
  const tree = parser.parse(text);
  if (!tree) throw new Error('the Python parser returned no tree');
  const out: ExtractedCvPreset[] = [];
  for (const pair of tree.rootNode.descendantsOfType('pair')) {
    const value = pair?.childForFieldName('value');
    const name = pair ? keyOf(pair) : null;
    if (!pair || !name || value?.type !== 'dictionary') continue;
    const metaNode = field(value, 'metadata');
    if (metaNode?.type !== 'dictionary') continue;
    let meta: Record<string, unknown> = {};
    try {
      meta = pyLiteral(metaNode) as Record<string, unknown>;
    } catch {
      /* metadata with non-literals: name only */
    }
    const config = field(value, 'config');
    let includeRescaling: boolean | null = null;
    if (config?.type === 'dictionary') {
      const ir = field(config, 'include_rescaling');
      includeRescaling = ir?.type === 'true' ? true : ir?.type === 'false' ? false : null;
    } else if (config?.type === 'subscript') {
      const ref = /\[\s*["']([^"']+)["']\s*\]\s*\[\s*["']config["']\s*\]$/.exec(config.text)?.[1];
      includeRescaling = out.find((p) => p.name === ref)?.includeRescaling ?? null;
    }
    out.push({ name, family: typeof meta.path === 'string' ? meta.path : '', params: typeof meta.params === 'number' ? meta.params : null, includeRescaling });
  }
  tree.delete();
  return out;
}
