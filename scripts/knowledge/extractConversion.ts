import type { Node, Parser } from 'web-tree-sitter';
import { pyLiteral } from './pythonLiteral';

export interface ExtractedConversion {
  presetMap: Record<string, string>;
  converterArgs: Record<string, string>;
  cropPct?: string;
}

function upstreamOf(value: Node): string | null {
  try {
    const v = pyLiteral(value);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  } catch {
    /* not a literal: no upstream */
  }
  return null;
}

/**
 * What a checkpoint conversion script (tools/checkpoint_conversion/convert_*_checkpoints.py) states: its module-level
 * `PRESET_MAP` (preset → upstream checkpoint), the keyword arguments of the `*ImageConverter(...)` it builds, and a
 * `data_config["crop_pct"] = …` override. Only literals are evaluated; other arguments are kept as source text.
 */
export function extractConversion(parser: Parser, text: string): ExtractedConversion {
  const tree = parser.parse(text);
  if (!tree) throw new Error('the Python parser returned no tree');
  const presetMap: Record<string, string> = {};
  const converterArgs: Record<string, string> = {};
  for (const stmt of tree.rootNode.namedChildren) {
    const assign = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    if (assign?.type !== 'assignment' || !/^PRESET_MAP\w*$/.test(assign.childForFieldName('left')?.text ?? '')) continue;
    const right = assign.childForFieldName('right');
    if (right?.type !== 'dictionary') continue;
    for (const pair of right.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = pair.childForFieldName('key');
      const value = pair.childForFieldName('value');
      const name = key?.type === 'string' ? pyLiteral(key) : null;
      const up = value ? upstreamOf(value) : null;
      if (typeof name === 'string' && up) presetMap[name] = up;
    }
  }
  for (const call of tree.rootNode.descendantsOfType('call')) {
    if (!call || !/ImageConverter$/.test(call.childForFieldName('function')?.text ?? '')) continue;
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg?.type !== 'keyword_argument') continue;
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value')?.text;
      if (name && value !== undefined) converterArgs[name] = value.replace(/\s+/g, ' ');
    }
  }
  const crop = /data_config\[\s*["']crop_pct["']\s*\]\s*=\s*([^\n#]+)/.exec(text)?.[1]?.trim();
  tree.delete();
  return { presetMap, converterArgs, ...(crop ? { cropPct: crop } : {}) };
}
