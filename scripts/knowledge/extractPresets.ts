import type { Node, Parser } from 'web-tree-sitter';
import { pyLiteral } from './pythonLiteral';

export interface ExtractedPreset {
  name: string;
  family: string;
  params: number | null;
  description: string;
  kaggleHandle: string;
}

function stringKey(pair: Node): string | null {
  const key = pair.childForFieldName('key');
  if (!key || key.type !== 'string') return null;
  const v = pyLiteral(key);
  return typeof v === 'string' ? v : null;
}

/**
 * Presets of a keras-hub `*_presets.py`: every `"name": {"metadata": {...}, "kaggle_handle": "..."}` entry, wherever
 * the dict literal sits (backbone_presets, classifier_presets, merged dicts).
 */
export function extractPresets(parser: Parser, text: string): ExtractedPreset[] {
  const tree = parser.parse(text);
  if (!tree) throw new Error('the Python parser returned no tree');
  const out: ExtractedPreset[] = [];
  for (const pair of tree.rootNode.descendantsOfType('pair')) {
    if (!pair) continue;
    const value = pair.childForFieldName('value');
    if (!value || value.type !== 'dictionary') continue;
    const hasHandle = value.namedChildren.some((p) => p?.type === 'pair' && stringKey(p) === 'kaggle_handle');
    const name = stringKey(pair);
    if (!hasHandle || !name) continue;
    const entry = pyLiteral(value) as Record<string, unknown>;
    const meta = (entry.metadata ?? {}) as Record<string, unknown>;
    out.push({
      name,
      family: typeof meta.path === 'string' ? meta.path : '',
      params: typeof meta.params === 'number' ? meta.params : null,
      description: typeof meta.description === 'string' ? meta.description.trim() : '',
      kaggleHandle: String(entry.kaggle_handle),
    });
  }
  tree.delete();
  return out;
}
