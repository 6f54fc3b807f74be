import type { SyntaxNode as Node } from './syntaxNode';
import type { Assignment, PythonModel } from './pythonModel';

/**
 * One `x.trainable = v` taking effect: at `at` (source offset) with `value`; `within` limits it to compiles inside
 * that extent (the set's own function, read in its body's order).
 */
export interface TrainableSet {
  at: number;
  value: boolean | 'unknown';
  within?: { start: number; end: number };
}

/** `True`/`False`, `p`/`not p` with `p` a parameter of the function at `scope` read with a call's argument. */
function valueAt(model: PythonModel, value: Node, scope: number, call: Node | null): boolean | 'unknown' {
  if (value.type === 'true' || value.type === 'false') return value.type === 'true';
  let v: Node | null = value;
  let negate = false;
  while (v?.type === 'not_operator' || v?.type === 'parenthesized_expression') {
    if (v.type === 'not_operator') negate = !negate;
    v = v.type === 'not_operator' ? v.childForFieldName('argument') : v.namedChildren[0] ?? null;
  }
  if (!call || v?.type !== 'identifier' || !model.scopes.isParam(scope, v.text) || model.lastAssignment(v.text, v.startIndex)?.scope === scope) return 'unknown';
  const arg = model.argumentFor(scope, call, v.text);
  const lit = arg ? model.literalOf(arg) : undefined;
  return typeof lit?.v === 'boolean' ? lit.v !== negate : 'unknown';
}

/**
 * Where a trainable assignment takes effect. At module level, or in a plain function or constructor not called in
 * this file: where it stands. In a method not called on a traced instance: unknown at the calls of that name (none:
 * it never runs). In a function called in the file (a constructor through `ClassName(...)`, a method on an instance): at each
 * call, with the value the call's arguments give (`self.backbone.trainable = not freeze_base` with
 * `Classifier(freeze_base=True)` is False there), and where it stands for compiles inside that function.
 */
export function trainableSetsOf(model: PythonModel, a: Assignment): TrainableSet[] {
  const own = a.value.type === 'true' || a.value.type === 'false' ? a.value.type === 'true' : 'unknown';
  // `self.x.trainable` is recorded at module level (a.scope): its function is found from where it stands
  const scope = model.scopes.scopeAt(a.target.startIndex);
  const sites = scope >= 0 ? model.callSitesOf(scope) : [];
  const fn = scope >= 0 ? model.scopes.list[scope]! : null;
  if (sites.length === 0 && fn?.isMethod && fn.name !== '__init__') {
    // a method called only on receivers the file does not trace: unknown at those calls; never called: never runs
    const calls = model.calls.filter((c) => c.fn?.type === 'attribute' && c.fnText.endsWith(`.${fn.name}`) && !(fn.start <= c.node.startIndex && c.node.startIndex < fn.end));
    return calls.map((c) => ({ at: c.node.startIndex, value: 'unknown' }));
  }
  if (sites.length === 0 || !fn) return [{ at: a.target.startIndex, value: own }];
  return [
    { at: a.target.startIndex, value: own, within: { start: fn.start, end: fn.end } },
    ...sites.map((c) => ({ at: c.node.startIndex, value: valueAt(model, a.value, scope, c.node) })),
  ];
}
