import type { Tree, TreeCursor } from 'web-tree-sitter';
import { SyntaxNode, type SyntaxText } from './syntaxNode';

/**
 * The wasm functions behind web-tree-sitter's TreeCursor. Emscripten builds the module on the options object given to
 * `Parser.init`, so the caller that made that object can call them directly: each getter of the public TreeCursor
 * first copies the cursor into wasm memory and back (eight JS-side stores and loads per step), which is most of the
 * cost of a walk. Between these calls the cursor stays in tree-sitter's transfer buffer.
 */
export interface CursorBinding {
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  getValue(ptr: number, type: string): number;
}

/** The binding and the address of tree-sitter's transfer buffer (where the cursor lives between calls). */
export interface MirrorBinding {
  functions: CursorBinding;
  buffer: number;
}

const BINDING_FUNCTIONS = ['_ts_init', '_ts_tree_cursor_goto_first_child_wasm', '_ts_tree_cursor_goto_next_sibling_wasm', '_ts_tree_cursor_goto_parent_wasm', '_ts_tree_cursor_current_node_type_id_wasm', '_ts_tree_cursor_current_node_is_named_wasm', '_ts_tree_cursor_current_field_id_wasm', '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm', 'getValue'];

/**
 * The module object if it has every function the fast walk needs (another layout of web-tree-sitter: null, the public
 * API is used). Call right after `Parser.init`, never during a walk (`_ts_init` writes to the transfer buffer).
 */
export function cursorBinding(module: object): MirrorBinding | null {
  const m = module as Record<string, unknown>;
  if (!BINDING_FUNCTIONS.every((f) => typeof m[f] === 'function')) return null;
  const functions = module as CursorBinding;
  return { functions, buffer: functions._ts_init() };
}

/** One step of a walk, whichever way the cursor is driven. */
interface Steps {
  typeId(): number;
  isNamed(): boolean;
  fieldId(): number;
  start(): number;
  end(): number;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  done(): void;
}

function rawSteps({ functions: b, buffer }: MirrorBinding, tree: Tree, cursor: TreeCursor): Steps {
  const t = (tree as unknown as { 0: number })[0];
  return {
    typeId: () => b._ts_tree_cursor_current_node_type_id_wasm(t),
    isNamed: () => b._ts_tree_cursor_current_node_is_named_wasm(t) === 1,
    fieldId: () => b._ts_tree_cursor_current_field_id_wasm(t),
    start: () => b._ts_tree_cursor_start_index_wasm(t),
    end: () => b._ts_tree_cursor_end_index_wasm(t),
    firstChild: () => b._ts_tree_cursor_goto_first_child_wasm(t) === 1,
    nextSibling: () => b._ts_tree_cursor_goto_next_sibling_wasm(t) === 1,
    parent: () => b._ts_tree_cursor_goto_parent_wasm(t) === 1,
    done: () => {
      // the cursor's stack may have grown (moved) during the walk: hand its current state back before freeing it
      const c = cursor as unknown as Record<number, number>;
      for (let i = 0; i < 4; i++) c[i] = b.getValue(buffer + 4 * i, 'i32');
      cursor.delete();
    },
  };
}

function publicSteps(cursor: TreeCursor): Steps {
  return {
    typeId: () => cursor.nodeTypeId,
    isNamed: () => cursor.nodeIsNamed,
    fieldId: () => cursor.currentFieldId,
    start: () => cursor.startIndex,
    end: () => cursor.endIndex,
    firstChild: () => cursor.gotoFirstChild(),
    nextSibling: () => cursor.gotoNextSibling(),
    parent: () => cursor.gotoParent(),
    done: () => cursor.delete(),
  };
}

/**
 * What a re-parse may take from the previous version's mirror. Offsets are in the new text: the text before
 * `editStart` is unchanged, the text from `editEnd` on is the old text moved by `delta`; `changed` are the ranges
 * whose syntactic structure tree-sitter reports as changed (`Tree.getChangedRanges`).
 */
export interface MirrorReuse {
  prev: SyntaxNode;
  editStart: number;
  editEnd: number;
  delta: number;
  changed: readonly { startIndex: number; endIndex: number }[];
}

/** Nodes made so far by walking the wasm tree and by copying a previous mirror (for tests and the bench). */
export const mirrorCounts = { walked: 0, copied: 0 };

/** [s, e] and [a, b] share a point (touching counts: when in doubt, copy again). */
const touches = (s: number, e: number, a: number, b: number): boolean => s <= b && a <= e;

/** The child of `parent` that starts at `start`, by binary search (children are in order). */
function childAt(parent: SyntaxNode, start: number): SyntaxNode | null {
  const c = parent.children;
  let lo = 0;
  let hi = c.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c[mid]!.startIndex < start) lo = mid + 1;
    else hi = mid;
  }
  return c[lo]?.startIndex === start ? c[lo]! : null;
}

/**
 * Copies a parsed tree into plain JS objects in one cursor walk. `source.text` must be the text the tree was parsed
 * from. `binding`: the wasm functions when the caller owns the module (fast), else null (the public cursor API).
 * `reuse`: a top-level statement whose text did not change, whose structure tree-sitter reports unchanged, and that
 * the previous mirror holds with the same type and extent (moved by the edit) is copied from that mirror (plain JS,
 * offsets moved) instead of walked in wasm; ids stay the pre-order numbers a fresh copy gives.
 */
export function mirrorTree(tree: Tree, source: SyntaxText, binding: MirrorBinding | null, reuse?: MirrorReuse | null): SyntaxNode {
  const cursor = tree.walk();
  const s = binding ? rawSteps(binding, tree, cursor) : publicSteps(cursor);
  const types = tree.language.types;
  const fields = tree.language.fields;
  let id = 0;
  // whether a node is named depends on its (alias-resolved) symbol only: asked once per symbol
  const named: (boolean | undefined)[] = [];
  const make = (parent: SyntaxNode | null): SyntaxNode => {
    const typeId = s.typeId();
    const isNamed = named[typeId] ??= s.isNamed();
    const n = new SyntaxNode(id++, types[typeId] || 'ERROR', isNamed, s.start(), s.end(), parent, source);
    mirrorCounts.walked++;
    if (parent) {
      n.field = fields[s.fieldId()] ?? null;
      if (n.field) parent.hasFields = true;
    }
    return n;
  };
  /** The previous mirror's copy of a top-level node just made, moved to the new text, or null (walk it). */
  const reused = (n: SyntaxNode): SyntaxNode | null => {
    if (!reuse || n.parent?.parent !== null) return null;
    const { startIndex: a, endIndex: b } = n;
    if (touches(a, b, reuse.editStart, reuse.editEnd) || reuse.changed.some((r) => touches(a, b, r.startIndex, r.endIndex))) return null;
    const shift = a >= reuse.editEnd ? reuse.delta : 0;
    const old = childAt(reuse.prev, a - shift);
    if (!old || old.endIndex !== b - shift || old.type !== n.type || old.isNamed !== n.isNamed || old.field !== n.field) return null;
    return copyShifted(old, n, shift);
  };
  /** A copy of `old`'s subtree under `top` (made from the new tree), pre-order ids continuing from top's. */
  const copyShifted = (old: SyntaxNode, top: SyntaxNode, shift: number): SyntaxNode => {
    top.hasFields = old.hasFields;
    // three parallel stacks (old node, new parent, index in it): no tuple per node
    const olds: SyntaxNode[] = [];
    const parents: SyntaxNode[] = [];
    const indexes: number[] = [];
    const open = (o: SyntaxNode, n: SyntaxNode): void => {
      if (o.children.length === 0) return;
      n.children = new Array<SyntaxNode>(o.children.length);
      for (let i = o.children.length - 1; i >= 0; i--) {
        olds.push(o.children[i]!);
        parents.push(n);
        indexes.push(i);
      }
    };
    open(old, top);
    while (olds.length) {
      const o = olds.pop()!;
      const parent = parents.pop()!;
      const i = indexes.pop()!;
      const n = new SyntaxNode(id++, o.type, o.isNamed, o.startIndex + shift, o.endIndex + shift, parent, source);
      n.field = o.field;
      n.hasFields = o.hasFields;
      n.indexInParent = i;
      (parent.children as SyntaxNode[])[i] = n;
      open(o, n);
      mirrorCounts.copied++;
    }
    return top;
  };
  try {
    const root = make(null);
    // the nodes whose children are being collected (the top is the current node's parent), and those children
    const open: SyntaxNode[] = [];
    const kids: SyntaxNode[][] = [];
    let node = root;
    // the current node was copied from the previous mirror: do not walk into it
    let copied = false;
    for (;;) {
      if (!copied && s.firstChild()) {
        open.push(node);
        node = make(node);
        kids.push([node]);
        copied = reused(node) !== null;
        continue;
      }
      copied = false;
      for (;;) {
        if (open.length === 0) return root;
        if (s.nextSibling()) {
          const siblings = kids[kids.length - 1]!;
          node = make(open[open.length - 1]!);
          node.indexInParent = siblings.length;
          siblings.push(node);
          copied = reused(node) !== null;
          break;
        }
        s.parent();
        node = open.pop()!;
        node.children = kids.pop()!;
      }
    }
  } finally {
    s.done();
  }
}
