import type { SyntaxNode as Node } from './syntaxNode';
import { branchTruth, type Literal } from './branchGuards';
import { FunctionScopes } from './functionScopes';
import type { PythonSource } from './pythonSource';
import { classAt, classNamed, methodOf, type UserClass } from './userClasses';

/** `name = value`, or the `index`-th element of a tuple unpacked from `value` (`a, b = build()`). */
export interface Assignment {
  target: Node;
  value: Node;
  /** Extent of `value`, read once (the tree's getters are calls into wasm). */
  valueStart: number;
  valueEnd: number;
  /** Function the assignment is local to (FunctionScopes index), -1 at module level. */
  scope: number;
  index?: number;
}

export interface CallInfo {
  node: Node;
  /** The called expression (`keras.layers.Dense`, `backbone`, `f(x)`), and its source text. */
  fn: Node | null;
  fnText: string;
  /** Qualified dotted callee (imports and aliases resolved), e.g. `keras_hub.models.Backbone.from_preset`. */
  callee: string | null;
  args: Node[];
  kwargs: Map<string, Node>;
}

/** A call's arguments, read from the tree the first time a rule asks (most calls are never asked). */
class LazyCall implements CallInfo {
  callee: string | null = null;
  private parsed: { args: Node[]; kwargs: Map<string, Node> } | null = null;

  constructor(readonly node: Node, readonly fn: Node | null, readonly fnText: string) {}

  get args(): Node[] {
    return (this.parsed ??= parseArguments(this.node)).args;
  }

  get kwargs(): Map<string, Node> {
    return (this.parsed ??= parseArguments(this.node)).kwargs;
  }
}

function parseArguments(call: Node): { args: Node[]; kwargs: Map<string, Node> } {
  const args: Node[] = [];
  const kwargs = new Map<string, Node>();
  const list = call.childForFieldName('arguments');
  for (const a of list?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (k && v) kwargs.set(k, v);
    } else args.push(a);
  }
  return { args, kwargs };
}

/** Modules whose callables are "known" (their behaviour is modelled or irrelevant); anything else imported is unknown code. */
const KNOWN_MODULES = ['keras_hub', 'keras', 'keras_core', 'keras_cv', 'keras_nlp', 'tensorflow', 'tf', 'numpy', 'np', 'os', 'sys', 'pathlib', 'glob', 'math', 'random', 'json', 'time', 'matplotlib', 'PIL', 'pandas', 'sklearn', 'collections', 'typing', 'functools', 'itertools', 'argparse', 'logging', 'shutil', 'tqdm', 'datetime', 're', 'dataclasses', 'kagglehub', 'jax', 'torch', 'seaborn', 'IPython', 'google', 'warnings', 'pickle', 'csv', 'zipfile', 'tarfile', 'urllib', 'requests', 'copy', 'gc', 'wandb', 'absl', 'cv2'];

/** Modules of otherwise unknown packages whose callables only list files (imutils.paths.list_images): known, no pixels. */
const FILE_LISTERS = /^imutils\.paths(\.|$)/;

/** OpenCV loads, converts and resizes 0–255 images; its `normalize` rescales them (then its calls stay unknown code). */
const OPENCV_RESCALES = /\bcv2\.normalize\b/;

/** The names a nested assignment target binds: `(a, b)` in `(a, b), c = ...`, at any depth. */
function nestedTargets(pattern: Node): Node[] {
  const out: Node[] = [];
  for (const c of pattern.namedChildren) {
    if (!c) continue;
    if (c.type === 'identifier' || c.type === 'attribute') out.push(c);
    else if (/^(tuple_pattern|list_pattern|parenthesized_expression)$/.test(c.type)) out.push(...nestedTargets(c));
  }
  return out;
}

/** [A-Za-z0-9_]. */
const isWordCode = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

function normaliseQualified(q: string): string {
  // every pattern below starts with tensorflow, tf or keras: most names (np.x, plt.x, user names) match none
  if (q.charCodeAt(0) !== 116 && !q.startsWith('keras')) return q;
  return q
    .replace(/^tensorflow\.keras(?=\.|$)/, 'keras')
    .replace(/^tf\.keras(?=\.|$)/, 'keras')
    // keras_core: the Keras 3 preview, the same API under another name
    .replace(/^keras_core(?=\.|$)/, 'keras')
    .replace(/^keras\.src\./, 'keras.')
    .replace(/^keras_nlp\.models\./, 'keras_hub.models.')
    // keras_hub.src.models.vit.vit_image_converter.ViTImageConverter is exported as keras_hub.layers.ViTImageConverter
    .replace(/^keras_hub\.src\.models\.[a-z0-9_]+\.[a-z0-9_]+\.(?=[A-Za-z0-9]*(ImageConverter|AudioConverter)$)/, 'keras_hub.layers.')
    .replace(/^keras_hub\.src\.models\.[a-z0-9_]+\.[a-z0-9_]+\./, 'keras_hub.models.');
}

/** Imports, assignments and calls of one Python file, with name resolution good enough for the lint rules. */
export class PythonModel {
  readonly imports = new Map<string, string>();
  /** Local names bound by imports from modules outside KNOWN_MODULES (user code: behaviour unknown). */
  readonly unknownImports = new Set<string>();
  /** A `from <user module> import *`: unbound names may come from it. */
  unknownWildcard = false;
  readonly assignments = new Map<string, Assignment[]>();
  readonly calls: CallInfo[] = [];
  readonly comments: Node[] = [];
  readonly functionDefs = new Map<string, Node>();
  scopes: FunctionScopes = new FunctionScopes([]);
  private readonly defNodes: Node[] = [];
  private readonly returns: Node[] = [];
  private readonly pendingAssignments: { name: string; target: Node; value: Node; index?: number }[] = [];
  private readonly qualifyCache = new Map<number, string | null>();
  private readonly callById = new Map<number, CallInfo>();
  private readonly referencesCache = new Map<string, Node[]>();
  private readonly byType = new Map<string, Node[]>();
  /** Indexed by type for the rules. Identifiers (half of all nodes) are not indexed: see `references`. */
  private static readonly INDEXED = new Set(['subscript', 'binary_operator', 'augmented_assignment', 'float', 'for_statement', 'import_from_statement']);

  constructor(readonly src: PythonSource) {
    this.collect(src.root);
    this.scopes = new FunctionScopes(this.defNodes);
    for (const a of this.pendingAssignments) this.addAssignment(a.name, a.target, a.value, a.index);
    for (const c of this.calls) c.callee = this.qualify(c.fn);
  }

  /** Node types the model materialises. */
  private static readonly VISITED = new Set([...PythonModel.INDEXED, 'import_statement', 'import_from_statement', 'assignment', 'as_pattern', 'call', 'comment', 'function_definition', 'return_statement']);

  private collect(root: Node): void {
    // one walk of the mirrored tree (plain JS, see syntaxNode.ts) for the node types the model needs
    for (const n of root.descendantsOfType([...PythonModel.VISITED])) if (n) this.visit(n);
    this.calls.sort((a, b) => a.node.startIndex - b.node.startIndex);
    for (const l of this.byType.values()) l.sort((a, b) => a.startIndex - b.startIndex);
  }

  private visit(n: Node): void {
    {
      if (PythonModel.INDEXED.has(n.type)) {
        let list = this.byType.get(n.type);
        if (!list) this.byType.set(n.type, (list = []));
        list.push(n);
      }
      switch (n.type) {
        case 'import_statement':
          for (const child of n.namedChildren) {
            if (!child) continue;
            if (child.type === 'dotted_name') {
              const full = child.text;
              this.addImport(full.split('.')[0] as string, full.split('.')[0] as string);
            } else if (child.type === 'aliased_import') {
              const name = child.childForFieldName('name')?.text;
              const alias = child.childForFieldName('alias')?.text;
              if (name && alias) this.addImport(alias, name);
            }
          }
          break;
        case 'import_from_statement': {
          const mod = n.childForFieldName('module_name')?.text ?? '';
          // from my_utils import *: names nobody defines here may be that module's (unknown) code
          if (n.namedChildren.some((c) => c?.type === 'wildcard_import') && !KNOWN_MODULES.includes(mod.split('.')[0] as string)) this.unknownWildcard = true;
          for (const child of n.namedChildren) {
            if (!child || child.id === n.childForFieldName('module_name')?.id) continue;
            if (child.type === 'dotted_name') this.addImport(child.text.split('.').pop() as string, `${mod}.${child.text}`);
            else if (child.type === 'aliased_import') {
              const name = child.childForFieldName('name')?.text;
              const alias = child.childForFieldName('alias')?.text;
              if (name && alias) this.addImport(alias, `${mod}.${name}`);
            }
          }
          break;
        }
        case 'assignment': {
          const first = this.pendingAssignments.length;
          const left = n.childForFieldName('left');
          const right = n.childForFieldName('right');
          if (left && right) {
            if (left.type === 'identifier' || left.type === 'attribute') this.pendingAssignments.push({ name: left.text, target: left, value: right });
            else if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && (right.type === 'expression_list' || right.type === 'tuple')) {
              const ls = left.namedChildren.filter(Boolean) as Node[];
              const rs = right.namedChildren.filter(Boolean) as Node[];
              ls.forEach((l, i) => rs[i] && (l.type === 'identifier' || l.type === 'attribute') && this.pendingAssignments.push({ name: l.text, target: l, value: rs[i] as Node }));
            } else if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && right.type === 'call') {
              // model, preprocess = build("vit"): element i of what the call returns; (x_train, y_train), (x_test, y_test)
              // = load_data(): the names of a nested target are bound by element i too (its parts are not told apart)
              (left.namedChildren.filter(Boolean) as Node[]).forEach((l, index) => {
                if (l.type === 'identifier' || l.type === 'attribute') this.pendingAssignments.push({ name: l.text, target: l, value: right, index });
                else if (/^(tuple_pattern|list_pattern|parenthesized_expression)$/.test(l.type)) for (const n of nestedTargets(l)) this.pendingAssignments.push({ name: n.text, target: n, value: right, index });
              });
            }
            if (left.type !== 'identifier' && left.type !== 'attribute') this.bindRest(left, right, first);
          }
          break;
        }
        case 'as_pattern': {
          // with load() as f: / with load() as (a, b): the names are bound to what the with item makes
          const alias = n.parent?.type === 'with_item' ? n.childForFieldName('alias') : null;
          const value = n.namedChildren[0];
          if (alias && value) this.bindRest(alias, value, this.pendingAssignments.length);
          break;
        }
        case 'call': {
          const fn = n.childForFieldName('function');
          const info = new LazyCall(n, fn, fn?.text ?? '');
          this.calls.push(info);
          this.callById.set(n.id, info);
          break;
        }
        case 'comment':
          this.comments.push(n);
          break;
        case 'function_definition': {
          const name = n.childForFieldName('name')?.text;
          if (name) this.functionDefs.set(name, n);
          this.defNodes.push(n);
          break;
        }
        case 'return_statement':
          this.returns.push(n);
          break;
      }
    }
  }

  /**
   * The names of a target that the branches above leave unbound (a starred `*rest`, `[a, b] = …`, a tuple unpacked
   * from a name or nested in a written tuple, `with … as (a, b)`): each is bound to some element of the right side
   * (index -1: which one is not told, so a read resolves to nothing earlier; the slice still follows the right side).
   */
  private bindRest(left: Node, right: Node, first: number): void {
    const bound = new Set(this.pendingAssignments.slice(first).map((a) => a.target.id));
    const visit = (t: Node): void => {
      if (t.type === 'identifier' || t.type === 'attribute') {
        if (!bound.has(t.id)) this.pendingAssignments.push({ name: t.text, target: t, value: right, index: -1 });
      } else if (/^(pattern_list|tuple_pattern|list_pattern|tuple|list|parenthesized_expression|list_splat_pattern|list_splat|as_pattern_target)$/.test(t.type)) {
        for (const c of t.namedChildren) if (c) visit(c);
      }
    };
    visit(left);
  }

  private addImport(local: string, qualified: string): void {
    this.imports.set(local, normaliseQualified(qualified));
    const top = qualified.split('.')[0] as string;
    if (FILE_LISTERS.test(qualified)) return;
    if (!KNOWN_MODULES.includes(top) || (top === 'cv2' && OPENCV_RESCALES.test(this.src.text))) this.unknownImports.add(local);
  }

  private addAssignment(name: string, target: Node, value: Node, index?: number): void {
    let list = this.assignments.get(name);
    if (!list) this.assignments.set(name, (list = []));
    const scope = name.includes('.') ? -1 : this.scopes.scopeAt(target.startIndex);
    const extent = { valueStart: value.startIndex, valueEnd: value.endIndex };
    list.push(index === undefined ? { target, value, scope, ...extent } : { target, value, scope, index, ...extent });
  }

  /**
   * The assignment a read of `name` at `before` sees, with Python's scoping: a name assigned (or a parameter) in the
   * enclosing function is local to it (the last assignment before the read, or none: a parameter); otherwise the
   * enclosing functions', then the module's (the last before the read, or for reads inside functions the last at all).
   * Without `before`, or for `self.x`, the last assignment before it anywhere (or the last at all).
   */
  lastAssignment(name: string, before?: number): Assignment | undefined {
    const list = this.assignments.get(name);
    if (!list) return undefined;
    if (before === undefined) return list[list.length - 1];
    // one scan per scope, no arrays: the last assignment (of the scope) and the last one before the read
    if (name.includes('.')) {
      let prior: Assignment | undefined;
      for (const a of list) if (a.target.startIndex < before) prior = a;
      return prior ?? (name.startsWith('self.') ? list[list.length - 1] : undefined);
    }
    const readScope = this.scopes.scopeAt(before);
    for (let s = readScope; ; s = (this.scopes.list[s] as { parent: number }).parent) {
      let local: Assignment | undefined;
      let prior: Assignment | undefined;
      for (const a of list) {
        if (a.scope !== s) continue;
        local = a;
        if (a.target.startIndex < before) prior = a;
      }
      if (local !== undefined || this.scopes.isParam(s, name)) {
        if (prior) return prior;
        return s === readScope ? undefined : local;
      }
      if (s < 0) return undefined;
    }
  }

  /** Follows identifiers (and `self.x`) to the expression last assigned to them, a few steps deep. */
  resolve(node: Node | null, depth = 0): Node | null {
    if (!node || depth > 8) return node;
    if (node.type === 'parenthesized_expression') return this.resolve(node.namedChildren[0] ?? null, depth + 1);
    if (node.type === 'identifier' || (node.type === 'attribute' && node.text.startsWith('self.'))) {
      if (this.imports.has(node.text)) return node;
      const start = node.startIndex;
      const end = node.endIndex;
      let a = this.lastAssignment(node.text, start);
      // x = f(x): the x read on the right is the one assigned before this statement
      if (a && a.valueStart <= start && a.valueEnd >= end) a = this.lastAssignment(node.text, a.target.startIndex);
      if (a && a.index !== undefined) {
        const element = a.index < 0 ? null : this.returnedBy(a.value, a.index);
        return element ? this.resolve(element, depth + 1) : node;
      }
      if (a && a.value !== node && !(a.valueStart <= start && a.valueEnd >= end)) return this.resolve(a.value, depth + 1);
      if (!a && node.type === 'identifier') {
        const bound = this.parameterValue(node);
        if (bound) return this.resolve(bound, depth + 1);
      }
    }
    if (node.type === 'call') {
      const returned = this.returnedBy(node);
      if (returned) return this.resolve(returned, depth + 1);
    }
    return node;
  }

  /** Literal value of an expression (strings, numbers, booleans, None), resolved through names. */
  literalOf(node: Node): Literal {
    const n = this.resolve(node);
    if (!n) return undefined;
    if (n.type === 'none') return { v: null };
    if (n.type === 'true') return { v: true };
    if (n.type === 'false') return { v: false };
    const s = this.stringValue(n);
    if (s !== null) return { v: s };
    const x = this.numberValue(n);
    return x === null ? undefined : { v: x };
  }

  /** The argument a parameter of a plain function receives at its one call site in the file, or its default. */
  private parameterValue(ident: Node): Node | null {
    const s = this.scopes.scopeAt(ident.startIndex);
    if (s < 0 || this.indexingSites || !this.scopes.isParam(s, ident.text)) return null;
    const fn = this.scopes.list[s]!;
    // a constructor's parameters come from `ClassName(...)`, other methods' from calls we do not follow
    const sites = this.callSitesOf(s);
    // a method other than the constructor: only the calls found on instances of its class (never its default)
    if (fn.isMethod && fn.name !== '__init__' && sites.length === 0) return null;
    // called several times: one value only when every call leaves the parameter at its default
    if (sites.length > 1) {
      const def = fn.params.find((p) => p.name === ident.text)?.default ?? null;
      return def && sites.every((c) => this.argumentFor(s, c.node, ident.text) === def) ? def : null;
    }
    // called once: that call's argument; never called in this file: the default the code would run with
    if (sites.length === 0) return fn.params.find((p) => p.name === ident.text)?.default ?? null;
    return this.argumentFor(s, sites[0]!.node, ident.text);
  }

  private sitesByScope: Map<number, CallInfo[]> | null = null;

  /** The calls of a plain function (`build(...)`) or, for a constructor, of its class (`Model(...)`), indexed once. */
  callSitesOf(scope: number): CallInfo[] {
    if (!this.sitesByScope) {
      this.sitesByScope = new Map();
      // resolving a method's receiver may read a parameter: not from this index while it is being built
      this.indexingSites = true;
      const ctorByClass = new Map<string, number>();
      this.scopes.list.forEach((f, i) => f.isMethod && f.name === '__init__' && f.className && ctorByClass.set(f.className, i));
      for (const c of this.calls) {
        const target = this.calledFunction(c.node) ?? ctorByClass.get(c.fnText) ?? null;
        if (target === null) continue;
        let list = this.sitesByScope.get(target);
        if (!list) this.sitesByScope.set(target, (list = []));
        list.push(c);
      }
      this.indexingSites = false;
    }
    return this.sitesByScope.get(scope) ?? [];
  }

  private indexingSites = false;

  /** The argument a call passes for a parameter of the function at `scope` (its default when left out). */
  argumentFor(scope: number, call: Node, param: string): Node | null {
    const fn = this.scopes.list[scope]!;
    const info = this.callAt(call);
    if (!info) return null;
    const i = fn.params.findIndex((p) => p.name === param);
    if (i < 0) return null;
    const positional = fn.isMethod ? i - 1 : i; // `self` is not passed
    return info.kwargs.get(param) ?? (positional >= 0 ? info.args[positional] : undefined) ?? fn.params[i]!.default;
  }

  /**
   * Whether code inside a plain function of this file can run, judged from the if/elif/else branches around it with the
   * arguments each call of the function in the file passes (its defaults where a call leaves them out): false when no
   * call reaches it (`def load(p, scale=False): ... if scale: return img / 255.` with every call leaving `scale` out),
   * null when it cannot be told (a method, the function passed as a value, never called, a condition on other names).
   */
  runsInSomeCall(node: Node): boolean | null {
    const s = this.scopes.scopeAt(node.startIndex);
    if (s < 0) return null;
    const fn = this.scopes.list[s]!;
    if (fn.isMethod) return null;
    const sites = this.callSitesOf(s);
    const refs = this.identifiersNamed(fn.name).filter((r) => r.parent?.type !== 'function_definition');
    // passed as a value (ds.map(load), a callback): called with arguments the file does not show
    if (sites.length === 0 || refs.some((r) => !(r.parent?.type === 'call' && r.parent.childForFieldName('function')?.id === r.id))) return null;
    let out: boolean | null = false;
    for (const c of sites) {
      const lit = (n: Node): Literal => {
        if (n.type === 'identifier' && this.scopes.isParam(s, n.text) && this.lastAssignment(n.text, n.startIndex) === undefined) {
          const arg = this.argumentFor(s, c.node, n.text);
          return arg ? this.literalOf(arg) : undefined;
        }
        return n.type === 'identifier' && this.scopes.scopeAt(n.startIndex) === s ? undefined : this.literalOf(n);
      };
      const t = branchTruth(node, fn.node, lit);
      if (t === true) return true;
      if (t === null) out = null;
    }
    return out;
  }

  /**
   * What a call of a plain function of this file returns (the `index`-th tuple element when given), judged with the
   * arguments of that call: `if name == "vit":` branches that cannot run are left out. Null when it cannot be told
   * (several returns or assignments stay possible, a method, a recursive or unknown function).
   */
  returnedBy(call: Node, index?: number): Node | null {
    const s = this.calledFunction(call);
    if (s === null || this.returnDepth > 3) return null;
    this.returnDepth++;
    try {
      return this.returnedByScope(s, call, index);
    } finally {
      this.returnDepth--;
    }
  }

  private returnDepth = 0;

  private returnedByScope(s: number, call: Node, index?: number): Node | null {
    const fn = this.scopes.list[s]!;
    const lit = (n: Node): Literal => {
      if (n.type === 'identifier' && this.scopes.isParam(s, n.text) && this.lastAssignment(n.text, n.startIndex) === undefined) {
        const arg = this.argumentFor(s, call, n.text);
        return arg ? this.literalOf(arg) : undefined;
      }
      return n.type === 'identifier' && this.scopes.scopeAt(n.startIndex) === s ? undefined : this.literalOf(n);
    };
    const pick = (nodes: Node[]): Node | null => {
      // the first that certainly runs, unless one that may run comes before it
      for (const n of nodes) {
        const t = branchTruth(n, fn.node, lit);
        if (t === true) return n;
        if (t === null) return null;
      }
      return null;
    };
    const returns = this.returns.filter((r) => this.scopes.scopeAt(r.startIndex) === s);
    const ret = pick(returns);
    let value = ret?.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
    if (!value) return null;
    if (index !== undefined) {
      if (value.type !== 'expression_list' && value.type !== 'tuple') return null;
      value = value.namedChildren.filter((c) => c && c.type !== 'comment')[index] ?? null;
      if (!value) return null;
    }
    if (value.type !== 'identifier') return value;
    // a local name: the assignment that runs last before the return, if the branches tell which
    const local = (this.assignments.get(value.text) ?? []).filter((a) => a.scope === s && a.target.startIndex < value!.startIndex && a.index === undefined);
    if (local.length === 0) {
      const arg = this.scopes.isParam(s, value.text) ? this.argumentFor(s, call, value.text) : null;
      return arg;
    }
    const chosen = pick([...local].reverse().map((a) => a.target));
    const a = chosen ? local.find((x) => x.target.id === chosen.id) : undefined;
    return a ? a.value : null;
  }

  /** Dotted qualified name of an identifier/attribute chain, resolving imports and simple aliases. */
  qualify(node: Node | null, depth = 0): string | null {
    if (!node || depth > 8) return null;
    const cached = depth === 0 ? this.qualifyCache.get(node.id) : undefined;
    if (cached !== undefined) return cached;
    let out: string | null = null;
    if (node.type === 'identifier' || node.type === 'attribute') {
      const text = node.text;
      if (/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/.test(text)) {
        // a plain dotted chain: qualify its head from the text, no walk down the tree
        const dot = text.indexOf('.');
        const head = dot < 0 ? text : text.slice(0, dot);
        out = this.qualifyName(head, node.startIndex, depth) + (dot < 0 ? '' : text.slice(dot));
      } else if (node.type === 'attribute') {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute')?.text;
        const base = obj && (obj.type === 'identifier' || obj.type === 'attribute') ? this.qualify(obj, depth + 1) : null;
        out = base && attr ? `${base}.${attr}` : null;
      }
    }
    out = out ? normaliseQualified(out) : null;
    if (depth === 0) this.qualifyCache.set(node.id, out);
    return out;
  }

  /** An identifier read at `at`: its import, or what a simple alias assignment (`K = keras`) names. */
  private qualifyName(name: string, at: number, depth: number): string {
    const imp = this.imports.get(name);
    if (imp) return imp;
    const a = this.lastAssignment(name, at);
    if (a && a.index === undefined && (a.value.type === 'identifier' || a.value.type === 'attribute') && a.value.text !== name) return this.qualify(a.value, depth + 1) ?? name;
    return name;
  }

  private byText: Map<string, CallInfo[]> | null = null;

  /** The calls whose callee reads exactly `text` (`seq.add`), in source order, indexed once (do not change the list). */
  callsWithText(text: string): readonly CallInfo[] {
    if (!this.byText) {
      this.byText = new Map();
      for (const c of this.calls) {
        const list = this.byText.get(c.fnText);
        if (list) list.push(c);
        else this.byText.set(c.fnText, [c]);
      }
    }
    return this.byText.get(text) ?? [];
  }

  callAt(node: Node | null): CallInfo | undefined {
    return node ? this.callById.get(node.id) : undefined;
  }

  /**
   * Index (FunctionScopes) of the function of this file a call invokes: `build(...)`; a method of a class of this file
   * called on an instance of it (`c = Trainer(); c.build(...)`) or on `self` inside the class (defined once there).
   */
  calledFunction(call: Node): number | null {
    const info = this.callById.get(call.id);
    if (info?.fn?.type === 'identifier') return this.scopes.functionVisibleAt(info.fnText, call.startIndex);
    if (info?.fn?.type !== 'attribute' || this.methodDepth > 2) return null;
    // a method call's answer is kept when computed outermost: a nested look-up may stop earlier at a depth limit, and
    // while the call-site index is built parameters are not read
    const outermost = this.methodDepth === 0 && this.returnDepth === 0 && !this.indexingSites;
    if (outermost && this.calledMethodCache.has(call.id)) return this.calledMethodCache.get(call.id) as number | null;
    const found = this.calledMethod(call, info);
    if (outermost) this.calledMethodCache.set(call.id, found);
    return found;
  }

  private readonly calledMethodCache = new Map<number, number | null>();

  private calledMethod(call: Node, info: CallInfo): number | null {
    if (!info.fn) return null;
    const m = /^(.+)\.([A-Za-z_]\w*)$/.exec(info.fnText);
    if (!m || !/^[A-Za-z_][\w.]*$/.test(m[1] as string) || !(this.methodNames ??= new Set(this.scopes.list.filter((f) => f.isMethod).map((f) => f.name))).has(m[2] as string)) return null;
    this.methodDepth++;
    try {
      let cls: UserClass | null = null;
      if (m[1] === 'self') cls = classAt(this, call.startIndex);
      else {
        const inst = this.resolve(info.fn.childForFieldName('object'));
        const ctor = inst?.type === 'call' ? this.callById.get(inst.id) : undefined;
        cls = ctor?.fn?.type === 'identifier' ? classNamed(this, ctor.fnText) : null;
      }
      const def = cls ? methodOf(this, cls, m[2] as string) : null;
      return def ? this.scopes.list.findIndex((f) => f.node.id === def.id) : null;
    } finally {
      this.methodDepth--;
    }
  }

  private methodDepth = 0;
  private methodNames: Set<string> | null = null;

  /**
   * The arguments a parameter read receives at the calls of its function found in this file (plain functions, and
   * methods called on an instance or on `self`), or its default when no call is found. Empty when it is not a parameter.
   */
  argumentsOf(ident: Node): Node[] {
    const s = this.scopes.scopeAt(ident.startIndex);
    if (s < 0 || !this.scopes.isParam(s, ident.text)) return [];
    const sites = this.callSitesOf(s);
    if (sites.length === 0) {
      const d = this.scopes.list[s]!.params.find((p) => p.name === ident.text)?.default;
      return d ? [d] : [];
    }
    return sites.flatMap((c) => this.argumentFor(s, c.node, ident.text) ?? []);
  }

  stringValue(node: Node | null | undefined): string | null {
    const n = this.resolve(node ?? null);
    if (!n) return null;
    if (n.type === 'string') {
      if (n.namedChildren.some((c) => c?.type === 'interpolation')) return null;
      const content = n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => (c as Node).text).join('');
      return content;
    }
    if (n.type === 'concatenated_string') {
      const parts = n.namedChildren.map((c) => this.stringValue(c));
      return parts.every((p) => p !== null) ? parts.join('') : null;
    }
    return null;
  }

  numberValue(node: Node | null | undefined): number | null {
    const n = this.resolve(node ?? null);
    if (!n) return null;
    if (n.type === 'integer' || n.type === 'float') {
      const v = Number(n.text.replace(/_/g, '').replace(/[jJlL]$/, ''));
      return Number.isFinite(v) ? v : null;
    }
    if (n.type === 'unary_operator' && n.text.startsWith('-')) {
      const v = this.numberValue(n.childForFieldName('argument'));
      return v === null ? null : -v;
    }
    if (n.type === 'binary_operator') {
      const l = this.numberValue(n.childForFieldName('left'));
      const r = this.numberValue(n.childForFieldName('right'));
      const op = n.childForFieldName('operator')?.text;
      if (l === null || r === null) return null;
      switch (op) {
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        case '/': return r === 0 ? null : l / r;
        case '**': return l ** r;
        case '//': return r === 0 ? null : Math.floor(l / r);
      }
    }
    return null;
  }

  /** Numbers of a tuple/list literal (resolved through names), e.g. (224, 224, 3). */
  numberList(node: Node | null | undefined): (number | null)[] | null {
    const n = this.resolve(node ?? null);
    if (!n || !['tuple', 'list', 'expression_list'].includes(n.type)) return null;
    return n.namedChildren.filter((c) => c && c.type !== 'comment').map((c) => this.numberValue(c));
  }

  /**
   * Usages of `name` (an identifier, or `self.x`) that are not assignment targets. Identifiers are found by searching
   * the source text and asking the tree what sits there (strings and comments are not identifiers), so that the
   * model never materialises the file's thousands of identifier nodes.
   */
  references(name: string): Node[] {
    const cached = this.referencesCache.get(name);
    if (cached) return cached;
    const out: Node[] = [];
    this.referencesCache.set(name, out);
    const isAttr = name.includes('.');
    const candidates = isAttr ? this.attributesNamed(name) : this.identifiersNamed(name);
    for (const n of candidates) {
      if (isAttr && n.type !== 'attribute') continue;
      const p = n.parent;
      if (p?.type === 'assignment' && p.childForFieldName('left')?.id === n.id) continue;
      if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === n.id) continue;
      if (!isAttr && p?.type === 'attribute' && p.childForFieldName('attribute')?.id === n.id) continue;
      out.push(n);
    }
    return out;
  }

  /**
   * Attribute chains whose text passes `test` (`keras_hub.models.ViTBackbone`, prefixes of longer chains included),
   * found in the source text and confirmed by the tree (strings and comments are not attributes).
   */
  attributesMatching(test: (text: string) => boolean): Node[] {
    const out: Node[] = [];
    for (const { index, whole } of this.dottedChains()) {
      for (let end = whole.indexOf('.', whole.indexOf('.') + 1); ; end = whole.indexOf('.', end + 1)) {
        const prefix = end < 0 ? whole : whole.slice(0, end);
        if (test(prefix)) {
          const n = this.src.root.namedDescendantForIndex(index, index + prefix.length);
          if (n?.type === 'attribute' && n.startIndex === index && n.endIndex === index + prefix.length) out.push(n);
        }
        if (end < 0) break;
      }
    }
    return out;
  }

  private chains: { index: number; whole: string }[] | null = null;

  /** Every dotted chain of the text (`a.b.c`, not preceded by a word character or a dot), found in one scan. */
  private dottedChains(): { index: number; whole: string }[] {
    if (!this.chains) {
      this.chains = [];
      const chain = /(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+/g;
      const text = this.src.text;
      for (let m = chain.exec(text); m; m = chain.exec(text)) this.chains.push({ index: m.index, whole: m[0] });
    }
    return this.chains;
  }

  private chainsByPrefix: Map<string, number[]> | null = null;

  /**
   * Attribute chains spelled `name`: `attributesMatching((t) => t === name)` from an index of every chain prefix
   * (each chain has at most one prefix equal to a name, so the chains' order is kept).
   */
  private attributesNamed(name: string): Node[] {
    if (!this.chainsByPrefix) {
      this.chainsByPrefix = new Map();
      for (const { index, whole } of this.dottedChains()) {
        for (let end = whole.indexOf('.', whole.indexOf('.') + 1); ; end = whole.indexOf('.', end + 1)) {
          const prefix = end < 0 ? whole : whole.slice(0, end);
          const list = this.chainsByPrefix.get(prefix);
          if (list) list.push(index);
          else this.chainsByPrefix.set(prefix, [index]);
          if (end < 0) break;
        }
      }
    }
    const out: Node[] = [];
    for (const index of this.chainsByPrefix.get(name) ?? []) {
      const n = this.src.root.namedDescendantForIndex(index, index + name.length);
      if (n?.type === 'attribute' && n.startIndex === index && n.endIndex === index + name.length) out.push(n);
    }
    return out;
  }

  /** Identifier nodes spelled `name`, in source order. */
  identifiersNamed(name: string): Node[] {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return [];
    const out: Node[] = [];
    for (const at of this.wordOffsets().get(name) ?? []) {
      const n = this.src.root.descendantForIndex(at, at + name.length);
      if (n?.type === 'identifier' && n.startIndex === at && n.endIndex === at + name.length) out.push(n);
    }
    return out;
  }

  private words: Map<string, number[]> | null = null;

  /**
   * Where each word (a maximal run of ASCII letters, digits and `_`) of the text starts, found in one scan: the
   * occurrences of a name not preceded or followed by such a character.
   */
  private wordOffsets(): Map<string, number[]> {
    if (!this.words) {
      this.words = new Map();
      // a scan of char codes (no match array per word)
      const text = this.src.text;
      const n = text.length;
      for (let i = 0; i < n; ) {
        if (!isWordCode(text.charCodeAt(i))) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < n && isWordCode(text.charCodeAt(j))) j++;
        const w = text.slice(i, j);
        const list = this.words.get(w);
        if (list) list.push(i);
        else this.words.set(w, [i]);
        i = j;
      }
    }
    return this.words;
  }

  private readonly occurrences = new Map<string, number[]>();

  /** `src.text.indexOf(word, from)`, from the word's occurrences found once (rules ask at every name read). */
  indexOfText(word: string, from: number): number {
    let at = this.occurrences.get(word);
    if (!at) {
      at = [];
      for (let i = this.src.text.indexOf(word); i >= 0; i = this.src.text.indexOf(word, i + 1)) at.push(i);
      this.occurrences.set(word, at);
    }
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return at[lo] ?? -1;
  }

  /** Nodes of one of the indexed types, in source order. */
  nodesOfType(type: string): Node[] {
    let list = this.byType.get(type);
    if (!list) {
      // a type the rules rarely need (dotted_name for a bad import): one walk of the tree, then cached
      list = this.src.root.descendantsOfType(type).filter((n): n is Node => !!n);
      this.byType.set(type, list);
    }
    return list;
  }

  /** The statement (direct child of a block or module) that contains a node. */
  statementOf(node: Node): Node {
    let n: Node = node;
    while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
    return n;
  }
}
