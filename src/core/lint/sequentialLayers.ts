import type { SyntaxNode as Node } from './syntaxNode';
import { boundName } from './kerasValues';
import type { CallInfo, PythonModel } from './pythonModel';

/** A layer given to a Sequential: an element of its list, or the argument of a `s.add(layer)` call. */
export interface SequentialLayer {
  /** The layer expression (list element or add() argument). */
  node: Node;
  /** `for layer in m.layers: s.add(layer)`: the expression of the model whose layers are copied (`m`); else null. */
  copiedFrom: Node | null;
  /** The add() call; null for a list element. */
  add: CallInfo | null;
  /** Runs once at its place in the program: a list element, or an add() not inside a branch or loop (the copy loop aside). */
  straight: boolean;
}

/** The layers of a Sequential in program order: its list, then its add() calls. */
export interface SequentialLayers {
  layers: SequentialLayer[];
  /** The receiver name of the add() calls (`classifier`), null when the Sequential is not bound to a name. */
  name: string | null;
}

const addIndex = new WeakMap<PythonModel, Map<string, CallInfo[]>>();

/** `name.add(x)` calls of the file by receiver text, in source order (found once per parsed file). */
function addCallsOf(model: PythonModel): Map<string, CallInfo[]> {
  let index = addIndex.get(model);
  if (index) return index;
  index = new Map();
  for (const c of model.calls) {
    if (!c.fnText.endsWith('.add') || c.fn?.type !== 'attribute') continue;
    const recv = c.fnText.slice(0, -4);
    const list = index.get(recv);
    if (list) list.push(c);
    else index.set(recv, [c]);
  }
  addIndex.set(model, index);
  return index;
}

/** `m.layers`, `m.layers[:-1]`: the model `m` whose layers a loop iterates, else null. */
function layersOwner(iterable: Node | null): Node | null {
  const e = iterable?.type === 'subscript' ? iterable.childForFieldName('value') : iterable;
  return e?.type === 'attribute' && e.childForFieldName('attribute')?.text === 'layers' ? e.childForFieldName('object') : null;
}

/**
 * Where an add() call sits: the loop copying a model's layers when it is `for layer in m.layers: s.add(layer)` (the add
 * directly in the loop body), and whether it runs once in order (no if/try/while or other loop between it and its
 * function or the module; `with` blocks are straight).
 */
function placeOf(model: PythonModel, add: CallInfo, seq: Node): { copiedFrom: Node | null; straight: boolean } {
  const arg = add.args[0];
  const stmt = model.statementOf(add.node);
  let copiedFrom: Node | null = null;
  let from: Node = stmt;
  const loop = stmt.type === 'expression_statement' && stmt.parent?.type === 'block' ? stmt.parent.parent : null;
  if (loop?.type === 'for_statement' && arg?.type === 'identifier' && loop.childForFieldName('left')?.text === arg.text) {
    copiedFrom = layersOwner(loop.childForFieldName('right'));
    if (copiedFrom) from = loop;
  }
  // an add in another function than the Sequential's runs whenever that function is called: its order is not known
  if (stmt.type !== 'expression_statement' || model.scopes.scopeAt(add.node.startIndex) !== model.scopes.scopeAt(seq.startIndex)) return { copiedFrom, straight: false };
  for (let p = from.parent; p && p.type !== 'module' && p.type !== 'function_definition'; p = p.parent) {
    if (p.type !== 'block' && p.type !== 'with_statement') return { copiedFrom, straight: false };
  }
  return { copiedFrom, straight: true };
}

/**
 * The layers of the Sequential built by `seq` (a `Sequential(...)` call), in program order: the elements of its list,
 * then the `s.add(x)` calls on the name it is bound to whose receiver is this Sequential at that point (`isThis`),
 * in source order (notebook cells in order). `for layer in m.layers: s.add(layer)` copies `m`'s layers (`copiedFrom`).
 */
export function sequentialLayersOf(model: PythonModel, seq: Node, isThis: (receiver: Node | null) => boolean): SequentialLayers {
  const layers: SequentialLayer[] = [];
  const c = model.callAt(seq);
  const list = c ? model.resolve(c.args[0] ?? c.kwargs.get('layers') ?? null) : null;
  for (const el of list?.type === 'list' ? list.namedChildren : []) if (el) layers.push({ node: el, copiedFrom: null, add: null, straight: true });
  const name = boundName(seq);
  for (const add of name ? addCallsOf(model).get(name) ?? [] : []) {
    const arg = add.args[0];
    if (!arg || add.node.startIndex < seq.endIndex || !isThis(add.fn?.childForFieldName('object') ?? null)) continue;
    layers.push({ node: arg, add, ...placeOf(model, add, seq) });
  }
  return { layers, name };
}

/**
 * The layers before the first one that holds a model (`holds`), the stages the data goes through on its way into it;
 * `guessed` names the link when the add() order is not known (an add before it, or the add of the model itself, in a
 * branch, a loop or another function): then no stage is told. Null when no layer holds the model.
 */
export function stagesBefore(layers: SequentialLayers, holds: (layer: SequentialLayer) => boolean): { stages: Node[]; guessed: string | null } | null {
  const at = layers.layers.findIndex(holds);
  if (at < 0) return null;
  const before = layers.layers.slice(0, at);
  const adds = layers.layers.slice(0, at + 1).filter((l) => l.add);
  // only the add() calls up to the model's matter: a loop after it in the same function runs after it
  if (before.some((l) => l.add) && adds.some((l) => !l.straight)) {
    return { stages: [], guessed: `the order of the ${layers.name ?? 'Sequential'}.add() calls (one runs in a branch, a loop or another function)` };
  }
  return { stages: before.map((l) => l.node), guessed: null };
}
