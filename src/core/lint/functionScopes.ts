import type { SyntaxNode as Node } from './syntaxNode';

/** One `def` of the file: its extent, parameters and where it sits. */
export interface FunctionScope {
  node: Node;
  name: string;
  start: number;
  end: number;
  /** Index of the enclosing function, -1 at module level. */
  parent: number;
  /** A method (defined directly in a class body): only `__init__` is followed, through `ClassName(...)` calls. */
  isMethod: boolean;
  /** The class a method belongs to. */
  className: string | null;
  /** The `class_definition` node of a method's class. */
  classNode: Node | null;
  params: { name: string; default: Node | null }[];
}

function paramsOf(def: Node): FunctionScope['params'] {
  const out: FunctionScope['params'] = [];
  for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === 'identifier') out.push({ name: p.text, default: null });
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const name = p.childForFieldName('name')?.text;
      if (name) out.push({ name, default: p.childForFieldName('value') });
    } else if (p.type === 'typed_parameter') {
      const name = p.namedChildren.find((c) => c?.type === 'identifier')?.text;
      if (name) out.push({ name, default: null });
    }
  }
  return out;
}

/** Python's function scopes of one file, found by extent (no tree walks per lookup). */
export class FunctionScopes {
  readonly list: FunctionScope[] = [];
  /** Every def of each name, methods included, in source order. */
  private readonly byName = new Map<string, number[]>();

  constructor(defs: Node[]) {
    const sorted = [...defs].sort((a, b) => a.startIndex - b.startIndex);
    for (const def of sorted) {
      const name = def.childForFieldName('name')?.text ?? '';
      const parent = this.scopeAt(def.startIndex);
      const holder = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
      const cls = holder?.type === 'block' && holder.parent?.type === 'class_definition' ? holder.parent : null;
      const isMethod = cls !== null;
      const className = cls?.childForFieldName('name')?.text ?? null;
      this.list.push({ node: def, name, start: def.startIndex, end: def.endIndex, parent, isMethod, className, classNode: cls, params: paramsOf(def) });
      const idx = this.list.length - 1;
      const same = this.byName.get(name);
      if (same) same.push(idx);
      else this.byName.set(name, [idx]);
    }
  }

  /** Innermost function containing the offset, -1 for module level. */
  scopeAt(offset: number): number {
    // the last function starting at or before the offset, else the innermost of its enclosing functions that
    // contains it (functions are tree nodes: one that contains the offset and starts earlier encloses that one)
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.list[mid] as FunctionScope).start <= offset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i = (this.list[i] as FunctionScope).parent) if (offset < (this.list[i] as FunctionScope).end) return i;
    return -1;
  }

  /** The plain (non-method, uniquely named) function of that name. */
  functionNamed(name: string): number | null {
    // a name defined twice is ambiguous: its calls are not followed
    const all = this.byName.get(name);
    return all?.length === 1 && !(this.list[all[0]!] as FunctionScope).isMethod ? all[0]! : null;
  }

  /**
   * The plain function a name read at `offset` calls, with Python's scoping: a `def` of that name in the innermost
   * enclosing function that has one, else the module's. Null when none, a method, or defined more than once in that
   * scope (a notebook cell redefining it: which one runs is not known).
   */
  functionVisibleAt(name: string, offset: number): number | null {
    const all = this.byName.get(name);
    if (!all) return null;
    const readScope = this.scopeAt(offset);
    for (let s = readScope; ; s = (this.list[s] as FunctionScope).parent) {
      const here = all.filter((i) => (this.list[i] as FunctionScope).parent === s);
      if (here.length > 1 && s === readScope) return this.inForceAt(here, s, offset);
      if (here.length > 0) return here.length === 1 && !(this.list[here[0]!] as FunctionScope).isMethod ? here[0]! : null;
      if (s < 0) return null;
    }
  }

  /**
   * A name defined several times in the scope it is read in, the read itself straight-line code of that scope (a
   * notebook's later section redefining a helper): the last def before the read runs, when every def is a statement of
   * that scope (not in an if/try arm). Null otherwise.
   */
  private inForceAt(defs: number[], scope: number, offset: number): number | null {
    const body = scope < 0 ? null : (this.list[scope] as FunctionScope).node.childForFieldName('body');
    const direct = defs.every((i) => {
      const def = (this.list[i] as FunctionScope).node;
      const holder = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
      return !(this.list[i] as FunctionScope).isMethod && (scope < 0 ? holder?.type === 'module' : holder?.id === body?.id);
    });
    if (!direct) return null;
    const before = defs.filter((i) => (this.list[i] as FunctionScope).end <= offset);
    return before.length > 0 ? before[before.length - 1]! : null;
  }

  isParam(scope: number, name: string): boolean {
    return scope >= 0 && (this.list[scope] as FunctionScope).params.some((p) => p.name === name);
  }
}
