import type { Node, Parser } from 'web-tree-sitter';
import type { LayerGuard, PreprocessMode } from '../../src/core/presets/kerasApplicationsKnowledgeTypes';

/** A Rescaling/Normalization call or a call of another function, in a function's body, with the `if`s around it. */
export type BodyEvent =
  | { kind: 'layer'; layer: 'Rescaling' | 'Normalization'; guards: LayerGuard[]; scale: number | null; offset: number | null; mean: number | null }
  | { kind: 'call'; callee: string; guards: LayerGuard[] };

export interface ExtractedFunction {
  /** `@keras_export(...)` names. */
  exports: string[];
  /** Parameter defaults as written. */
  defaults: Record<string, string>;
  /** Inside layers and calls, in source order. */
  events: BodyEvent[];
}

/** What one keras.applications module file holds. */
export interface ApplicationsFile {
  preprocessInput: PreprocessMode | null;
  functions: Record<string, ExtractedFunction>;
}

const LAYER = /(^|\.)(Rescaling|Normalization)$/;
const CALLEE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/;

/** A number written as arithmetic on literals (`1.0 / 255.0`, `0.485 * 255`, `-1`), or null. */
export function numberOf(node: Node | null | undefined): number | null {
  if (!node) return null;
  switch (node.type) {
    case 'integer':
    case 'float':
      return Number(node.text.replace(/_/g, ''));
    case 'parenthesized_expression':
      return numberOf(node.namedChildren[0]);
    case 'unary_operator': {
      const v = numberOf(node.childForFieldName('argument'));
      return v === null ? null : node.text.trim().startsWith('-') ? -v : v;
    }
    case 'binary_operator': {
      const a = numberOf(node.childForFieldName('left'));
      const b = numberOf(node.childForFieldName('right'));
      if (a === null || b === null) return null;
      const op = node.childForFieldName('operator')?.text;
      return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : op === '**' ? a ** b : null;
    }
    case 'list':
    case 'tuple':
      return numberOf(node.namedChildren[0]);
    default:
      return null;
  }
}

/** What an `if` condition tests: include_preprocessing, weights, or else the input (channels, variant name). */
const guardOf = (cond: string, negated: boolean): LayerGuard => {
  const what = /\binclude_preprocessing\b/.test(cond) ? 'include_preprocessing' : /\bweights\b/.test(cond) ? 'weights' : 'input';
  return negated !== /^not\b/.test(cond.trim()) ? `!${what}` : what;
};

/** The `if` statements between a node and its function, by what they test (`!` in an else branch). */
function guardsOf(node: Node, stop: Node): LayerGuard[] {
  const out: LayerGuard[] = [];
  for (let n: Node | null = node; n && n.id !== stop.id; n = n.parent) {
    const p = n.parent;
    if (!p) break;
    if (p.type === 'if_statement') {
      const cond = p.childForFieldName('condition')?.text ?? '';
      if (p.childForFieldName('consequence')?.id === n.id) out.push(guardOf(cond, false));
      else if (n.type === 'else_clause' || n.type === 'elif_clause') out.push(guardOf(cond, true));
    } else if (p.type === 'elif_clause' && p.childForFieldName('consequence')?.id === n.id) {
      out.push(guardOf(p.childForFieldName('condition')?.text ?? '', false));
    }
  }
  return out.reverse();
}

function exportsOf(decorated: Node): string[] {
  const out: string[] = [];
  for (const d of decorated.namedChildren) {
    if (d?.type !== 'decorator') continue;
    const call = d.namedChildren[0];
    if (call?.type !== 'call' || !/(^|\.)keras_export$/.test(call.childForFieldName('function')?.text ?? '')) continue;
    for (const s of call.childForFieldName('arguments')?.descendantsOfType('string') ?? []) {
      const text = s?.text.replace(/^[rRbBuU]*["']|["']$/g, '');
      if (text && /^keras\.applications\./.test(text)) out.push(text);
    }
  }
  return out;
}

function argOf(call: Node, index: number | null, name: string): Node | null {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
  const kw = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name);
  if (kw) return kw.childForFieldName('value');
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  return index === null ? null : positional[index] ?? null;
}

function eventsOf(fn: Node): BodyEvent[] {
  const out: BodyEvent[] = [];
  for (const call of fn.descendantsOfType('call')) {
    if (!call) continue;
    const callee = call.childForFieldName('function')?.text ?? '';
    if (LAYER.test(callee)) {
      const scaleNode = argOf(call, 0, 'scale');
      out.push({
        kind: 'layer',
        layer: /Rescaling$/.test(callee) ? 'Rescaling' : 'Normalization',
        guards: [...new Set(guardsOf(call, fn))],
        scale: /Rescaling$/.test(callee) ? numberOf(scaleNode) : null,
        offset: /Rescaling$/.test(callee) ? numberOf(argOf(call, 1, 'offset')) ?? 0 : null,
        mean: /Normalization$/.test(callee) ? numberOf(argOf(call, null, 'mean')) : null,
      });
    } else if (CALLEE.test(callee)) out.push({ kind: 'call', callee, guards: [...new Set(guardsOf(call, fn))] });
  }
  return out;
}

/** What preprocess_input's body does: `imagenet_utils.preprocess_input(..., mode="tf")`, or `return x`. */
function modeOf(fn: Node): PreprocessMode | null {
  for (const call of fn.descendantsOfType('call')) {
    if (!call || !/(^|\.)preprocess_input$/.test(call.childForFieldName('function')?.text ?? '')) continue;
    const mode = argOf(call, null, 'mode')?.text.replace(/["']/g, '');
    if (mode === 'caffe' || mode === 'tf' || mode === 'torch') return mode;
  }
  const param = fn.childForFieldName('parameters')?.namedChildren[0]?.text;
  const returns = fn.descendantsOfType('return_statement').filter((r): r is Node => !!r);
  if (param && returns.length > 0 && returns.every((r) => r.namedChildren[0]?.text === param)) return 'passthrough';
  return null;
}

/** The model functions, helpers and preprocess_input of a keras.applications module file (nothing is executed). */
export function extractApplicationsFile(parser: Parser, text: string): ApplicationsFile {
  const tree = parser.parse(text);
  if (!tree) throw new Error('the Python parser returned no tree');
  const out: ApplicationsFile = { preprocessInput: null, functions: {} };
  try {
    for (const top of tree.rootNode.namedChildren) {
      if (!top) continue;
      const fn = top.type === 'decorated_definition' ? top.childForFieldName('definition') : top;
      if (fn?.type !== 'function_definition') continue;
      const name = fn.childForFieldName('name')?.text ?? '';
      const defaults: Record<string, string> = {};
      for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
        if (p?.type !== 'default_parameter' && p?.type !== 'typed_default_parameter') continue;
        const key = p.childForFieldName('name')?.text;
        const value = p.childForFieldName('value')?.text;
        if (key && value !== undefined) defaults[key] = value;
      }
      if (name === 'preprocess_input') out.preprocessInput = modeOf(fn);
      out.functions[name] = { exports: top.type === 'decorated_definition' ? exportsOf(top) : [], defaults, events: eventsOf(fn) };
    }
  } finally {
    tree.delete();
  }
  return out;
}
