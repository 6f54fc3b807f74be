import type { Node } from 'web-tree-sitter';

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function stringValue(node: Node): string {
  // string: string_start, string_content*, escape_sequence*, string_end (prefixes such as r"" keep escapes raw)
  const raw = /^[rR]|^[a-zA-Z]*[rR]/.test(node.text.replace(/["'].*$/s, ''));
  let out = '';
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'string_content') out += child.text;
    else if (child.type === 'escape_sequence') out += raw ? child.text : ESCAPES[child.text.slice(1)] ?? child.text;
    else if (child.type === 'interpolation') throw new Error(`f-string at line ${node.startPosition.row + 1}`);
  }
  return out;
}

/** Evaluates a Python literal (strings, numbers, lists, tuples, dicts, True/False/None); throws on anything else. */
export function pyLiteral(node: Node): PyValue {
  switch (node.type) {
    case 'string':
      return stringValue(node);
    case 'concatenated_string':
      return node.namedChildren.map((c) => (c ? stringValue(c) : '')).join('');
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
      if (!inner) throw new Error('empty parentheses');
      return pyLiteral(inner);
    }
    case 'integer':
      return Number(node.text.replace(/_/g, ''));
    case 'float':
      return Number(node.text.replace(/_/g, ''));
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'unary_operator': {
      const v = pyLiteral(node.namedChildren[node.namedChildren.length - 1] as Node);
      if (typeof v !== 'number') throw new Error('unary operator on a non-number');
      return node.text.trim().startsWith('-') ? -v : v;
    }
    case 'list':
    case 'tuple':
      return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map(pyLiteral);
    case 'dictionary': {
      const out: { [key: string]: PyValue } = {};
      for (const pair of node.namedChildren) {
        if (!pair || pair.type !== 'pair') continue;
        const key = pyLiteral(pair.childForFieldName('key') as Node);
        out[String(key)] = pyLiteral(pair.childForFieldName('value') as Node);
      }
      return out;
    }
    default:
      throw new Error(`not a literal: ${node.type} at line ${node.startPosition.row + 1}`);
  }
}
