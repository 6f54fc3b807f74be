import type { SyntaxNode as Node } from './syntaxNode';
import type { ManualStep, StepPart } from './preprocessingEvidence';
import type { PythonModel } from './pythonModel';

/** Steps that apply named statistics (a mean, a std): ImageNet mean/std, caffe means. */
const STATISTICS = new Set(['imagenet', 'caffe']);
/** Calls that apply an operand the way `-` and `/` do. */
const ARITHMETIC_CALL = /(^|\.)(subtract|divide|truediv)$/;

const within = (n: Node, outer: Node): boolean => outer.startIndex <= n.startIndex && n.endIndex <= outer.endIndex;

const unparen = (n: Node | null): Node | null => {
  let x = n;
  while (x?.type === 'parenthesized_expression') x = x.namedChildren[0] ?? null;
  return x;
};

/** The outermost arithmetic around a node (`(image - mean) / std` around `image - mean`, `tf.math.divide(tf.math.subtract(x, m), s)`). */
function outermostArithmetic(n: Node): Node {
  let top = n;
  for (;;) {
    const p = top.parent;
    if (p && /^(binary_operator|parenthesized_expression|unary_operator)$/.test(p.type)) top = p;
    else if (p?.type === 'argument_list' && p.parent?.type === 'call' && ARITHMETIC_CALL.test(p.parent.childForFieldName('function')?.text ?? '')) top = p.parent;
    else return top;
  }
}

/** Literals, lists of them, arithmetic on them and calls building an array of them (`tf.constant([...], dtype=tf.float32)`). */
function isConstant(model: PythonModel, n: Node | null, depth = 0): boolean {
  if (!n || depth > 6) return false;
  switch (n.type) {
    case 'integer':
    case 'float':
    case 'string':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'unary_operator':
      return isConstant(model, n.childForFieldName('argument'), depth + 1);
    case 'binary_operator':
      return isConstant(model, n.childForFieldName('left'), depth + 1) && isConstant(model, n.childForFieldName('right'), depth + 1);
    case 'list':
    case 'tuple':
    case 'expression_list':
    case 'parenthesized_expression':
      return n.namedChildren.every((c) => !c || c.type === 'comment' || isConstant(model, c, depth + 1));
    case 'identifier': {
      const r = model.resolve(n);
      return !!r && r.id !== n.id && isConstant(model, r, depth + 1);
    }
    case 'call': {
      const fn = n.childForFieldName('function');
      // np.array([...]).reshape(1, 1, 3): the array it is called on must be constant too
      const on = fn?.type === 'attribute' ? unparen(fn.childForFieldName('object')) : null;
      if (!fn || (fn.type !== 'identifier' && fn.type !== 'attribute') || (on && on.type !== 'identifier' && on.type !== 'attribute' && !isConstant(model, on, depth + 1))) return false;
      // keyword values may name a dtype (dtype=tf.float32)
      return (n.childForFieldName('arguments')?.namedChildren ?? []).every((a) => {
        if (!a || a.type === 'comment') return true;
        if (a.type !== 'keyword_argument') return isConstant(model, a, depth + 1);
        const v = a.childForFieldName('value');
        return v?.type === 'attribute' || isConstant(model, v, depth + 1);
      });
    }
  }
  return false;
}

/** The statement an expression's value is bound by (or the statement itself), when that statement assigns constants only. */
function constantsStatement(model: PythonModel, value: Node): Node | null {
  const stmt = model.statementOf(value);
  const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : null;
  const right = a?.type === 'assignment' ? a.childForFieldName('right') : null;
  return right && (value.id === stmt.id || within(value, right)) && isConstant(model, right) ? stmt : null;
}

/**
 * The constant assignments an operand is computed from (`std` of `mean = tf.constant(MEAN)`: the `mean` and `MEAN`
 * statements), followed through names a few steps deep.
 */
function statementsBehind(model: PythonModel, operand: Node, depth = 0): Node[] {
  const n = unparen(operand);
  if (!n || depth > 3 || (n.type !== 'identifier' && n.type !== 'attribute')) return [];
  const value = model.resolve(n);
  if (!value || value.id === n.id) return [];
  const stmt = constantsStatement(model, value);
  if (!stmt) return [];
  const names = value.type === 'call' || value.type === 'identifier' ? [value, ...(value.childForFieldName('arguments')?.namedChildren ?? [])] : [];
  return [stmt, ...names.flatMap((c) => (c && c.id !== n.id ? statementsBehind(model, c, depth + 1) : []))];
}

/** Where named statistics are applied: the operand subtracted or divided by, and the expression doing it. */
interface Application {
  operand: Node;
  at: Node;
}

function applications(model: PythonModel, steps: ManualStep[]): Application[] {
  const out: Application[] = [];
  for (const b of model.nodesOfType('binary_operator')) {
    const right = b?.childForFieldName('right');
    if (b && right && /^[-/]$/.test(b.childForFieldName('operator')?.text ?? '') && model.numberValue(right) === null) out.push({ operand: right, at: outermostArithmetic(b) });
  }
  for (const a of model.nodesOfType('augmented_assignment')) {
    const right = a?.childForFieldName('right');
    if (a && right && /^[-/]=$/.test(a.childForFieldName('operator')?.text ?? '') && model.numberValue(right) === null) out.push({ operand: right, at: a });
  }
  // tf.math.subtract(x, mean), and the calls that are steps themselves (Normalization(mean=MEAN, variance=VAR))
  for (const c of model.calls) {
    const step = steps.some((s) => s.node.id === c.node.id);
    if (!step && !ARITHMETIC_CALL.test(c.callee ?? c.fnText)) continue;
    for (const operand of [...c.args, ...c.kwargs.values()]) out.push({ operand, at: step ? c.node : outermostArithmetic(c.node) });
  }
  return out;
}

/** `(x - mean) / std` or `x -= mean` applied to a value that `read` is: the expression applying the statistics. */
function subtractedFrom(model: PythonModel, read: Node): Node | null {
  const aug = read.parent;
  if (aug?.type === 'augmented_assignment' && aug.childForFieldName('left')?.id === read.id) {
    return aug.childForFieldName('operator')?.text === '-=' && model.numberValue(aug.childForFieldName('right')) === null ? aug : null;
  }
  let p: Node | null = read.parent;
  for (let i = 0; i < 4 && p; i++, p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type !== 'binary_operator') break;
    if (p.childForFieldName('operator')?.text === '-' && model.numberValue(p.childForFieldName('right')) === null) return outermostArithmetic(p);
  }
  return null;
}

/** The first read of what a scaling step produces (`x = x / 255.0` → the next `x`, `x /= 255` → the next `x`). */
function nextRead(model: PythonModel, step: Node): Node | null {
  let target: Node | null = null;
  if (step.type === 'augmented_assignment') target = step.childForFieldName('left');
  else {
    const top = outermostArithmetic(step);
    const a = top.parent;
    target = a?.type === 'assignment' && a.childForFieldName('right')?.id === top.id ? a.childForFieldName('left') : null;
  }
  if (target?.type !== 'identifier') return null;
  const stmt = model.statementOf(step);
  const scope = model.scopes.scopeAt(stmt.startIndex);
  return model.references(target.text).find((r) => r.startIndex >= stmt.endIndex && model.scopes.scopeAt(r.startIndex) === scope) ?? null;
}

/** `x / 255.0`, `x * (1 / 255)`, `x /= 255`: a scaling by a number (what a mean/std step may complete). */
function isScaling(model: PythonModel, n: Node): boolean {
  if (n.type !== 'binary_operator' && n.type !== 'augmented_assignment') return false;
  return /^[*/]=?$/.test(n.childForFieldName('operator')?.text ?? '') && model.numberValue(n.childForFieldName('right')) !== null;
}

function addParts(step: ManualStep, parts: StepPart[]): void {
  const list = (step.parts ??= []);
  for (const p of parts) if (p.node.id !== step.node.id && !list.some((q) => q.node.id === p.node.id)) list.push(p);
}

/**
 * One anchor for every mean/std step: where the statistics are applied (`(image - mean) / std`, `x -= mean`,
 * `tf.math.subtract(x, mean)`, the `Normalization(mean=..., variance=...)` layer), whatever binds them. Constants bound
 * by name (`mean = tf.constant([0.485, ...])`, `MEAN = np.array(...)`, `self.mean = ...`) become parts of the step at
 * their application, and a / 255 that the application completes on a later line (`x = x / 255.0`, then
 * `(x - mean) / std`) a part of it too. Constants applied nowhere in the file, and steps whose constants are written in
 * the applying expression, are left as they are.
 */
export function anchorAtApplication(model: PythonModel, steps: ManualStep[]): ManualStep[] {
  if (!steps.some((s) => STATISTICS.has(s.kind))) return steps;
  const constants = new Map<number, ManualStep>();
  for (const s of steps) if (STATISTICS.has(s.kind) && constantsStatement(model, s.node)?.id === s.node.id) constants.set(s.node.id, s);
  let out = steps;
  if (constants.size > 0) {
    // every constant an application reads (the std too, which no step names), kept when one of them is a step's
    const byApplication = new Map<number, { at: Node; kind: ManualStep['kind'] | null; parts: StepPart[] }>();
    for (const { operand, at } of applications(model, steps)) {
      if ([...constants.values()].some((c) => within(at, c.node))) continue;
      const behind = statementsBehind(model, operand);
      if (behind.length === 0) continue;
      const entry = byApplication.get(at.id) ?? { at, kind: null, parts: [] };
      byApplication.set(at.id, entry);
      entry.kind ??= behind.map((b) => constants.get(b.id)?.kind).find((k) => k) ?? null;
      for (const b of behind) if (!entry.parts.some((p) => p.node.id === b.id)) entry.parts.push({ node: b, role: 'statistics' });
    }
    for (const [id, e] of byApplication) if (e.kind === null) byApplication.delete(id);
    const applied = new Set([...byApplication.values()].flatMap((e) => e.parts.map((p) => p.node.id)));
    out = steps.filter((s) => !(constants.has(s.node.id) && applied.has(s.node.id)));
    for (const e of byApplication.values()) {
      // a step written inside the application (the / 255 of `(x / 255.0 - MEAN) / STD`, the Normalization call) keeps its place
      const inside = out.filter((s) => within(s.node, e.at) && STATISTICS.has(s.kind));
      if (inside.length > 0) inside.forEach((s) => addParts(s, e.parts));
      else out.push({ kind: e.kind!, node: e.at, text: e.at.text, parts: e.parts });
    }
  }
  // a / 255 completed into a mean/std step by a later line: the step is where that line applies the statistics
  const moved: ManualStep[] = [];
  for (const s of out) {
    const read = s.kind === 'imagenet' && isScaling(model, s.node) && !(s.node.type === 'binary_operator' && subtractedFrom(model, s.node)) ? nextRead(model, s.node) : null;
    const at = read ? subtractedFrom(model, read) : null;
    if (!at || within(s.node, at)) {
      moved.push(s);
      continue;
    }
    const there = [...moved, ...out].find((o) => o !== s && (within(o.node, at) || within(at, o.node)) && STATISTICS.has(o.kind));
    if (there) addParts(there, [{ node: s.node, role: 'scaling' }, ...(s.parts ?? [])]);
    else moved.push({ kind: s.kind, node: at, text: at.text, parts: [{ node: s.node, role: 'scaling' }, ...(s.parts ?? [])] });
  }
  for (const s of moved) s.parts?.sort((a, b) => a.node.startIndex - b.node.startIndex);
  return moved.sort((a, b) => a.node.startIndex - b.node.startIndex);
}
