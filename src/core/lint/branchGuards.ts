import type { SyntaxNode as Node } from './syntaxNode';

/** A Python literal value, or undefined when it cannot be known. */
export type Literal = { v: string | number | boolean | null } | undefined;

/** Evaluates a node to a literal (the caller resolves names, e.g. parameters bound at a call site). */
export type LiteralOf = (node: Node) => Literal;

type Truth = boolean | null;

const and = (a: Truth, b: Truth): Truth => (a === false || b === false ? false : a === null || b === null ? null : true);
const not = (a: Truth): Truth => (a === null ? null : !a);

function truthy(l: Literal): Truth {
  if (!l) return null;
  return l.v !== null && l.v !== false && l.v !== 0 && l.v !== '';
}

/** Truth of a condition such as `name == "vit"`, `arch in ("vit", "deit")`, `not use_prep`, `a and b`. */
export function conditionValue(cond: Node | null, lit: LiteralOf): Truth {
  if (!cond) return null;
  switch (cond.type) {
    case 'parenthesized_expression':
      return conditionValue(cond.namedChildren[0] ?? null, lit);
    case 'not_operator':
      return not(conditionValue(cond.childForFieldName('argument'), lit));
    case 'boolean_operator': {
      const l = conditionValue(cond.childForFieldName('left'), lit);
      const r = conditionValue(cond.childForFieldName('right'), lit);
      const op = cond.childForFieldName('operator')?.text;
      if (op === 'and') return and(l, r);
      return l === true || r === true ? true : l === false && r === false ? false : null;
    }
    case 'comparison_operator': {
      const parts = cond.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (parts.length !== 2) return null;
      const op = cond.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text).join(' ');
      const [left, right] = parts as [Node, Node];
      const a = lit(left);
      if (!a) return null;
      if (op === 'in' || op === 'not in') {
        if (!['tuple', 'list', 'set'].includes(right.type)) return null;
        const items = right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map(lit);
        if (items.some((i) => !i)) return null;
        const found = items.some((i) => i!.v === a.v);
        return op === 'in' ? found : !found;
      }
      const b = lit(right);
      if (!b) return null;
      if (op === '==' || op === 'is') return a.v === b.v;
      if (op === '!=' || op === 'is not') return a.v !== b.v;
      return null;
    }
    default:
      return truthy(lit(cond));
  }
}

/** Conditions of an if-chain that come before `clause` (all of them must be false to reach it). */
function earlierConditions(ifStmt: Node, clause: Node): Node[] {
  const out: Node[] = [];
  const first = ifStmt.childForFieldName('condition');
  if (first) out.push(first);
  for (const alt of ifStmt.childrenForFieldName('alternative')) {
    if (!alt || alt.id === clause.id) break;
    const c = alt.type === 'elif_clause' ? alt.childForFieldName('condition') : null;
    if (c) out.push(c);
  }
  return out;
}

/**
 * Whether `node` runs, judged from the if/elif/else branches between it and `stop` (a function): true when every
 * enclosing branch's condition holds, false when one certainly does not, null when one cannot be evaluated.
 */
export function branchTruth(node: Node, stop: Node, lit: LiteralOf): Truth {
  let truth: Truth = true;
  let n: Node | null = node;
  while (n && n.id !== stop.id) {
    const p: Node | null = n.parent;
    if (!p) break;
    if (p.type === 'if_statement' && p.childForFieldName('consequence')?.id === n.id) {
      truth = and(truth, conditionValue(p.childForFieldName('condition'), lit));
    } else if (p.type === 'elif_clause' && p.childForFieldName('consequence')?.id === n.id && p.parent) {
      truth = and(truth, conditionValue(p.childForFieldName('condition'), lit));
      for (const c of earlierConditions(p.parent, p)) truth = and(truth, not(conditionValue(c, lit)));
    } else if (p.type === 'else_clause' && p.parent?.type === 'if_statement') {
      for (const c of earlierConditions(p.parent, p)) truth = and(truth, not(conditionValue(c, lit)));
    }
    if (truth === false) return false;
    n = p;
  }
  return truth;
}

/** Whether two nodes sit in different arms of one if/elif/else or try/except (only one of them runs). */
export function exclusiveArms(a: Node, b: Node): boolean {
  const arms = (n: Node): Node[] => {
    const out: Node[] = [];
    for (let p: Node | null = n; p; p = p.parent) {
      const parent = p.parent;
      if (!parent) break;
      if (parent.type === 'if_statement' || parent.type === 'try_statement' || parent.type === 'conditional_expression') out.push(p);
    }
    return out;
  };
  const armsB = arms(b);
  for (const x of arms(a)) {
    const y = armsB.find((o) => o.parent?.id === x.parent?.id);
    if (y && y.id !== x.id) return true;
  }
  return false;
}
