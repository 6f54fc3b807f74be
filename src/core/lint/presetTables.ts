import type { SyntaxNode as Node } from './syntaxNode';
import type { CallInfo, PythonModel } from './pythonModel';

/** One entry of a preset table: the preset, and the class it is loaded with when the entry names one. */
export interface TableEntry {
  /** `EfficientNetBackbone` of `(keras_hub.models.EfficientNetBackbone, "efficientnet_b0_ra_imagenet")`, or the call's own class. */
  className: string | null;
  /** Null when the entry is not a string literal. */
  preset: string | null;
  node: Node;
}

/** A dict or list literal of presets (or of (class, preset) pairs) bound once and never changed, that a from_preset call picks from. */
export interface PresetTable {
  name: string;
  /** The table's assignment. */
  node: Node;
  entries: TableEntry[];
}

const HUB_CLASS = /^(?:keras_hub\.models|keras_hub)\.([A-Za-z0-9_]+)$/;
/** Methods that change a dict or list in place. */
const MUTATORS = new Set(['update', 'setdefault', 'pop', 'popitem', 'clear', 'append', 'extend', 'insert', 'remove', '__setitem__', '__delitem__']);

const unparen = (n: Node | null): Node | null => {
  let x = n;
  while (x?.type === 'parenthesized_expression') x = x.namedChildren[0] ?? null;
  return x;
};

interface Lookup {
  table: string;
  /** Position in the looked-up entry (`cls, preset = TABLE[key]`: 0 and 1), null for the entry itself. */
  index: number | null;
}

/** `TABLE[key]`, `TABLE.get(key)`, or a name bound to one (or to one of its elements by tuple unpacking). */
function lookupOf(model: PythonModel, node: Node | null, depth = 0): Lookup | null {
  const n = unparen(node);
  if (!n || depth > 4) return null;
  if (n.type === 'subscript') {
    const value = n.childForFieldName('value');
    return value?.type === 'identifier' ? { table: value.text, index: null } : null;
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const on = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get' ? fn.childForFieldName('object') : null;
    return on?.type === 'identifier' ? { table: on.text, index: null } : null;
  }
  if (n.type !== 'identifier') return null;
  const a = model.lastAssignment(n.text, n.startIndex);
  if (!a) return null;
  const pattern = a.target.parent;
  if (pattern && /^(pattern_list|tuple_pattern)$/.test(pattern.type)) {
    // backbone_cls, preset = entry: the position of the name in the target
    const right = pattern.parent?.type === 'assignment' ? pattern.parent.childForFieldName('right') : null;
    const inner = lookupOf(model, right, depth + 1);
    const index = pattern.namedChildren.findIndex((c) => c?.id === a.target.id);
    return inner && inner.index === null && index >= 0 ? { table: inner.table, index } : null;
  }
  return a.index === undefined ? lookupOf(model, a.value, depth + 1) : null;
}

/** The literal a table name is bound to, when it is bound once and nothing changes it in place. */
function tableLiteral(model: PythonModel, name: string): Node | null {
  const bound = model.assignments.get(name) ?? [];
  if (bound.length !== 1 || bound[0]!.index !== undefined) return null;
  const value = bound[0]!.value;
  if (!/^(dictionary|list|tuple)$/.test(value.type)) return null;
  const changed = model.references(name).some((r) => {
    const p = r.parent;
    if (!p) return false;
    // TABLE[k] = v, del TABLE[k], TABLE[k] += v
    if (p.type === 'subscript' && p.childForFieldName('value')?.id === r.id) {
      const s = p.parent;
      return (s?.type === 'assignment' || s?.type === 'augmented_assignment') && s.childForFieldName('left')?.id === p.id ? true : s?.type === 'delete_statement';
    }
    if (p.type === 'augmented_assignment' && p.childForFieldName('left')?.id === r.id) return true;
    return p.type === 'attribute' && MUTATORS.has(p.childForFieldName('attribute')?.text ?? '');
  });
  return changed ? null : value;
}

/** The class a class expression of an entry names (`keras_hub.models.ResNetBackbone` → `ResNetBackbone`). */
function classNameOf(model: PythonModel, n: Node | null): string | null {
  const q = n && (n.type === 'identifier' || n.type === 'attribute') ? model.qualify(n) : null;
  return (q && HUB_CLASS.exec(q)?.[1]) ?? null;
}

/**
 * The table a `from_preset` call picks its preset (and, through the same entry, its class) from: `cls, preset =
 * TABLE[key]` / `TABLE.get(key)` then `cls.from_preset(preset)`, or `XBackbone.from_preset(PRESETS[key])`. Null when
 * the preset is not picked from a table bound once to a dict/list literal and never changed in the file.
 */
export function presetTableOf(model: PythonModel, call: CallInfo, callClass: string | null): PresetTable | null {
  const presetArg = call.args[0] ?? call.kwargs.get('preset') ?? null;
  const preset = lookupOf(model, presetArg);
  if (!preset) return null;
  const receiver = call.fn?.type === 'attribute' ? call.fn.childForFieldName('object') : null;
  // the class comes from the same entry, or is written in the call
  const cls = callClass === null ? lookupOf(model, receiver) : null;
  if (callClass === null && (!cls || cls.table !== preset.table || cls.index === null || cls.index === preset.index)) return null;
  const literal = tableLiteral(model, preset.table);
  if (!literal) return null;
  const items = literal.type === 'dictionary' ? literal.namedChildren.map((p) => (p?.type === 'pair' ? p.childForFieldName('value') : null)) : literal.namedChildren.filter((c) => c?.type !== 'comment');
  if (items.length === 0 || items.some((i) => !i)) return null;
  const entries = (items as Node[]).map((item): TableEntry => {
    const parts = unparen(item)?.type === 'tuple' || unparen(item)?.type === 'list' ? unparen(item)!.namedChildren.filter((c) => c?.type !== 'comment') : [];
    const at = (i: number | null): Node | null => (i === null ? unparen(item) : (parts[i] ?? null));
    return { className: callClass ?? classNameOf(model, at(cls?.index ?? null)), preset: model.stringValue(at(preset.index)), node: item };
  });
  const stmt = model.statementOf(literal);
  return { name: preset.table, node: stmt, entries };
}
