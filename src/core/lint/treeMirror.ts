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

/** Nodes made so far by walking the wasm tree, and taken over (moved) from a previous mirror (for tests and the bench). */
export const mirrorCounts = { walked: 0, copied: 0 };

/** [s, e] and [a, b] share a point (touching counts: when in doubt, copy again). */
const touches = (s: number, e: number, a: number, b: number): boolean => s <= b && a <= e;

/** The index of the offset `start` in the ascending `starts`, or -1. */
function indexOfStart(starts: readonly number[], start: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return starts[lo] === start ? lo : -1;
}

/** Ids of mirror nodes: unique across every parse of the process, so that nodes taken over keep theirs. */
let nextId = 0;

/**
 * Copies a parsed tree into plain JS objects in one cursor walk. `source.text` must be the text the tree was parsed
 * from. `binding`: the wasm functions when the caller owns the module (fast), else null (the public cursor API).
 * `reuse`: a top-level statement whose text did not change, whose structure tree-sitter reports unchanged, and that
 * the previous mirror holds with the same type and extent (moved by the edit) is taken over from that mirror instead
 * of walked in wasm: the same objects, moved to the new text in place (offsets shifted, `source` and parent set), so
 * that the previous mirror's statements below its root belong to the new one afterwards.
 */
export function mirrorTree(tree: Tree, source: SyntaxText, binding: MirrorBinding | null, reuse?: MirrorReuse | null): SyntaxNode {
  const cursor = tree.walk();
  const s = binding ? rawSteps(binding, tree, cursor) : publicSteps(cursor);
  const types = tree.language.types;
  const fields = tree.language.fields;
  // whether a node is named depends on its (alias-resolved) symbol only: asked once per symbol
  const named: (boolean | undefined)[] = [];
  const make = (parent: SyntaxNode | null): SyntaxNode => {
    const typeId = s.typeId();
    const isNamed = named[typeId] ??= s.isNamed();
    const n = new SyntaxNode(nextId++, types[typeId] || 'ERROR', isNamed, s.start(), s.end(), parent, source);
    mirrorCounts.walked++;
    if (parent) {
      n.field = fields[s.fieldId()] ?? null;
      if (n.field) parent.hasFields = true;
    }
    return n;
  };
  // the previous mirror's top-level statements and their extents before any of them is moved
  const prevTop = reuse ? reuse.prev.children : [];
  const prevStarts = prevTop.map((c) => c.startIndex);
  const prevEnds = prevTop.map((c) => c.endIndex);
  const takenOver = new Uint8Array(prevTop.length);
  /** The previous mirror's node for a top-level node just made, moved into the new tree, or null (walk it). */
  const reused = (n: SyntaxNode): SyntaxNode | null => {
    if (!reuse || n.parent?.parent !== null) return null;
    const { startIndex: a, endIndex: b } = n;
    if (touches(a, b, reuse.editStart, reuse.editEnd) || reuse.changed.some((r) => touches(a, b, r.startIndex, r.endIndex))) return null;
    const shift = a >= reuse.editEnd ? reuse.delta : 0;
    const k = indexOfStart(prevStarts, a - shift);
    const old = k >= 0 && !takenOver[k] ? prevTop[k]! : null;
    if (!old || prevEnds[k] !== b - shift || old.type !== n.type || old.isNamed !== n.isNamed || old.field !== n.field) return null;
    takenOver[k] = 1;
    old.parent = n.parent;
    old.indexInParent = n.indexInParent;
    moveSubtree(old, shift, source);
    return old;
  };
  try {
    const root = make(null);
    // the nodes whose children are being collected (the top is the current node's parent), and those children
    const open: SyntaxNode[] = [];
    const kids: SyntaxNode[][] = [];
    let node = root;
    // the current node was taken over from the previous mirror: do not walk into it
    let taken = false;
    /** The node just made at the end of `siblings`, or the previous mirror's node in its place. */
    const takeOver = (siblings: SyntaxNode[]): void => {
      const old = reused(node);
      taken = old !== null;
      if (old) node = siblings[siblings.length - 1] = old;
    };
    for (;;) {
      if (!taken && s.firstChild()) {
        open.push(node);
        node = make(node);
        const siblings = [node];
        kids.push(siblings);
        takeOver(siblings);
        continue;
      }
      taken = false;
      for (;;) {
        if (open.length === 0) return root;
        if (s.nextSibling()) {
          const siblings = kids[kids.length - 1]!;
          node = make(open[open.length - 1]!);
          node.indexInParent = siblings.length;
          siblings.push(node);
          takeOver(siblings);
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

/** Moves a subtree taken over from a previous mirror: offsets shifted by `shift`, every node reading `source`. */
function moveSubtree(top: SyntaxNode, shift: number, source: SyntaxText): void {
  const stack: SyntaxNode[] = [top];
  while (stack.length) {
    const n = stack.pop()!;
    n.startIndex += shift;
    n.endIndex += shift;
    n.source = source;
    mirrorCounts.copied++;
    const c = n.children;
    for (let i = 0; i < c.length; i++) stack.push(c[i]!);
  }
}
