/**
 * A syntax tree held in plain JS objects: the subset of web-tree-sitter's `Node` API the lint rules and the hover use.
 * web-tree-sitter answers every `.type`, `.parent`, `.children`, `.childForFieldName` and `.text` with a call into
 * wasm and a new object; the rules ask such questions hundreds of thousands of times per file. The tree is copied
 * into these objects once per parse (see `treeMirror.ts`) and the rules never cross into wasm again.
 */

/** What every node of one tree shares: the text it was parsed from and where its lines start. */
export interface SyntaxText {
  /** The text the tree was parsed from (notebook shell lines blanked), which `.text` reads. */
  readonly text: string;
  readonly lineStarts: readonly number[];
}

export interface SyntaxPoint {
  row: number;
  column: number;
}

const NO_CHILDREN: readonly SyntaxNode[] = Object.freeze([]);

export class SyntaxNode {
  /** Index of this node among its parent's children (all of them, anonymous ones included). */
  indexInParent = 0;
  children: readonly SyntaxNode[] = NO_CHILDREN;
  /** The field of the parent this node fills (`left`, `function`, ...), or null. */
  field: string | null = null;
  /** Whether any child fills a field (a block or a module's statements do not: no scan for one). */
  hasFields = false;
  private namedCache: SyntaxNode[] | null = null;
  private textCache: string | null = null;

  constructor(
    /**
     * Unique among all nodes made in this process (a node a re-parse takes over from the previous version keeps its
     * id); says nothing about order.
     */
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    /** Moved when a re-parse takes the node over into a later version of the text (see treeMirror.ts). */
    public startIndex: number,
    public endIndex: number,
    public parent: SyntaxNode | null,
    public source: SyntaxText,
  ) {}

  get text(): string {
    return (this.textCache ??= this.source.text.slice(this.startIndex, this.endIndex));
  }

  get namedChildren(): SyntaxNode[] {
    if (!this.namedCache) {
      this.namedCache = [];
      for (const c of this.children) if (c.isNamed) this.namedCache.push(c);
    }
    return this.namedCache;
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  get firstChild(): SyntaxNode | null {
    return this.children[0] ?? null;
  }

  get lastChild(): SyntaxNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  get nextSibling(): SyntaxNode | null {
    return this.parent?.children[this.indexInParent + 1] ?? null;
  }

  get previousSibling(): SyntaxNode | null {
    return this.parent?.children[this.indexInParent - 1] ?? null;
  }

  get nextNamedSibling(): SyntaxNode | null {
    const sibs = this.parent?.children ?? NO_CHILDREN;
    for (let i = this.indexInParent + 1; i < sibs.length; i++) if (sibs[i]!.isNamed) return sibs[i]!;
    return null;
  }

  get previousNamedSibling(): SyntaxNode | null {
    const sibs = this.parent?.children ?? NO_CHILDREN;
    for (let i = this.indexInParent - 1; i >= 0; i--) if (sibs[i]!.isNamed) return sibs[i]!;
    return null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    if (!this.hasFields) return null;
    const children = this.children;
    for (let i = 0; i < children.length; i++) if (children[i]!.field === name) return children[i]!;
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.field === name);
  }

  get startPosition(): SyntaxPoint {
    return pointOf(this.source.lineStarts, this.startIndex);
  }

  get endPosition(): SyntaxPoint {
    return pointOf(this.source.lineStarts, this.endIndex);
  }

  /** Descendants (this node included) of the given types, in document order. */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const want = new Set(typeof types === 'string' ? [types] : types);
    const out: SyntaxNode[] = [];
    const stack: SyntaxNode[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      if (want.has(n.type)) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    return out;
  }

  /** The smallest node that spans [start, end), as tree-sitter's `descendantForIndex` finds it. */
  descendantForIndex(start: number, end = start): SyntaxNode {
    return this.descendantFor(start, end, true);
  }

  /** The smallest named node that spans [start, end). */
  namedDescendantForIndex(start: number, end = start): SyntaxNode {
    return this.descendantFor(start, end, false);
  }

  private descendantFor(start: number, end: number, anonymous: boolean): SyntaxNode {
    let last: SyntaxNode | null = null;
    for (let node = firstCovering(this.children, start, end); node; node = firstCovering(node.children, start, end)) {
      if (anonymous || node.isNamed) last = node;
    }
    return last ?? this;
  }

  /** A cursor over this node's subtree, with the part of web-tree-sitter's TreeCursor API the rules use. */
  walk(): SyntaxCursor {
    return new SyntaxCursor(this);
  }

  toString(): string {
    return `(${this.type}${this.namedChildren.map((c) => ` ${c.field ? `${c.field}: ` : ''}${c.toString()}`).join('')})`;
  }
}

export class SyntaxCursor {
  private depth = 0;

  constructor(private node: SyntaxNode) {}

  get currentNode(): SyntaxNode {
    return this.node;
  }

  get nodeType(): string {
    return this.node.type;
  }

  get nodeIsNamed(): boolean {
    return this.node.isNamed;
  }

  get nodeText(): string {
    return this.node.text;
  }

  get currentFieldName(): string | undefined {
    return this.depth > 0 ? this.node.field ?? undefined : undefined;
  }

  gotoFirstChild(): boolean {
    const c = this.node.children[0];
    if (!c) return false;
    this.node = c;
    this.depth++;
    return true;
  }

  gotoNextSibling(): boolean {
    if (this.depth === 0) return false;
    const s = this.node.nextSibling;
    if (!s) return false;
    this.node = s;
    return true;
  }

  gotoParent(): boolean {
    if (this.depth === 0 || !this.node.parent) return false;
    this.node = this.node.parent;
    this.depth--;
    return true;
  }

  delete(): void {
    // nothing to free: the cursor is plain JS
  }
}

/**
 * The first child that spans [start, end), by tree-sitter's test (ts_node__descendant_for_byte_range): the first
 * child ending at or after `end` and after `start`, if it starts at or before `start`. Children are in order and
 * do not overlap, so their ends are non-decreasing: a binary search finds the first candidate.
 */
function firstCovering(children: readonly SyntaxNode[], start: number, end: number): SyntaxNode | null {
  let lo = 0;
  let hi = children.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = children[mid]!.endIndex;
    if (e < end || e <= start) lo = mid + 1;
    else hi = mid;
  }
  const c = children[lo];
  return c && c.startIndex <= start ? c : null;
}

/** 0-based row and column (UTF-16 code units) of an offset. */
export function pointOf(lineStarts: readonly number[], offset: number): SyntaxPoint {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { row: lo, column: offset - (lineStarts[lo] as number) };
}
