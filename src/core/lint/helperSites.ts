import type { SyntaxNode as Node } from './syntaxNode';
import type { PythonModel } from './pythonModel';

/**
 * A parameter of a plain function of this file read in its body (`base.output`, `base(x)` inside
 * `def head(base, n): ... return Model(base.input, out)`), and the argument one call of the function passes for it.
 */
export interface SiteBinding {
  /** The read of the parameter: the attribute (`base.output`) or the call (`base(x)`). */
  ref: Node;
  /** The call of the function (`head(VGG16(...), 5)`). */
  site: Node;
  /** What that call passes for the parameter. */
  argument: Node;
}

const TENSORS = /^[A-Za-z_]\w*\.(input|output|inputs|outputs)$/;

/**
 * Each read of a parameter as a model (its tensors read, or the parameter called) in a plain function of this file
 * called at several places, with the argument of every call: the model each call builds around. The parameter must
 * not be reassigned before the read. Functions called once are left out: their parameter resolves to its one argument.
 */
export function parameterModelReads(model: PythonModel): SiteBinding[] {
  const out: SiteBinding[] = [];
  const reads: { param: Node; ref: Node }[] = [];
  for (const a of model.attributesMatching((t) => TENSORS.test(t))) {
    const obj = a.childForFieldName('object');
    if (obj?.type === 'identifier') reads.push({ param: obj, ref: a });
  }
  for (const c of model.calls) if (c.fn?.type === 'identifier' && c.args.length > 0) reads.push({ param: c.fn, ref: c.node });
  for (const { param, ref } of reads) {
    const s = model.scopes.scopeAt(param.startIndex);
    if (s < 0) continue;
    const fn = model.scopes.list[s]!;
    if (fn.isMethod || !model.scopes.isParam(s, param.text) || model.lastAssignment(param.text, param.startIndex) !== undefined) continue;
    const sites = model.callSitesOf(s);
    if (sites.length < 2) continue;
    for (const site of sites) {
      const argument = model.argumentFor(s, site.node, param.text);
      if (argument) out.push({ ref, site: site.node, argument });
    }
  }
  return out;
}

/**
 * The call of a plain function of this file an expression's value comes from, through names assigned once before
 * (`vgg = head(VGG16(...), 5)`; `vgg.fit(...)` → that call), or null (a parameter, a subscript, an unpacked tuple).
 */
export function helperCallOf(model: PythonModel, expr: Node | null, depth = 0): Node | null {
  if (!expr || depth > 6) return null;
  if (expr.type === 'parenthesized_expression') return helperCallOf(model, expr.namedChildren[0] ?? null, depth + 1);
  if (expr.type === 'identifier') {
    const a = model.lastAssignment(expr.text, expr.startIndex);
    if (!a || a.index !== undefined || (a.valueStart <= expr.startIndex && expr.endIndex <= a.valueEnd)) return null;
    return helperCallOf(model, a.value, depth + 1);
  }
  return expr.type === 'call' && model.calledFunction(expr) !== null ? expr : null;
}
