/** The cursor operations a pre-order walk needs (web-tree-sitter's TreeCursor and the lint mirror's both have them). */
export interface WalkableCursor {
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  delete(): void;
}

/** `visit(cursor)` at every node in document order (children before siblings), then the cursor is deleted. */
export function walkCursor<C extends WalkableCursor, T>(c: C, visit: (c: C) => T): T[] {
  const out: T[] = [];
  for (;;) {
    out.push(visit(c));
    if (c.gotoFirstChild() || c.gotoNextSibling()) continue;
    let up = true;
    while (up && !c.gotoNextSibling()) up = c.gotoParent();
    if (!up) break;
  }
  c.delete();
  return out;
}
