import type { SyntaxNode as Node } from './syntaxNode';
import type { Assignment, PythonModel } from './pythonModel';

/** A class defined in the file, with its methods (indices into `model.scopes.list`, every def of each name). */
export interface UserClass {
  name: string;
  node: Node;
  start: number;
  end: number;
  methods: Map<string, number[]>;
}

/** Keras's batch sources: `keras.utils.Sequence` (Keras 2, `keras.utils.data_utils.Sequence`) and Keras 3's `PyDataset`. */
const BATCH_BASE = /^keras\.utils\.(?:[a-z_]+\.)?(?:Sequence|PyDataset)$/;

const cache = new WeakMap<PythonModel, UserClass[]>();

/** The classes of a file that define methods, in source order (found once per parsed file, from its defs). */
export function userClassesOf(model: PythonModel): UserClass[] {
  let out = cache.get(model);
  if (out) return out;
  const byNode = new Map<number, UserClass>();
  model.scopes.list.forEach((f, i) => {
    const cls = f.classNode;
    if (!f.isMethod || !f.className || !cls) return;
    let c = byNode.get(cls.id);
    if (!c) byNode.set(cls.id, (c = { name: f.className, node: cls, start: cls.startIndex, end: cls.endIndex, methods: new Map() }));
    const list = c.methods.get(f.name);
    if (list) list.push(i);
    else c.methods.set(f.name, [i]);
  });
  out = [...byNode.values()].sort((a, b) => a.start - b.start);
  cache.set(model, out);
  return out;
}

/** The one class of that name in the file (null when none, or defined more than once: which one runs is not known). */
export function classNamed(model: PythonModel, name: string): UserClass | null {
  const all = userClassesOf(model).filter((c) => c.name === name);
  return all.length === 1 ? all[0]! : null;
}

/** The innermost class whose body holds an offset. */
export function classAt(model: PythonModel, offset: number): UserClass | null {
  let best: UserClass | null = null;
  for (const c of userClassesOf(model)) if (c.start <= offset && offset < c.end) best = c;
  return best;
}

/** The def node of a class's method defined exactly once in its body, or null. */
export function methodOf(model: PythonModel, cls: UserClass, name: string): Node | null {
  const list = cls.methods.get(name);
  return list?.length === 1 ? model.scopes.list[list[0]!]!.node : null;
}

/** Whether the class derives from Keras's Sequence/PyDataset, directly or through a class of this file. */
function isBatchSource(model: PythonModel, cls: UserClass, depth: number): boolean {
  if (depth > 3) return false;
  for (const base of cls.node.childForFieldName('superclasses')?.namedChildren ?? []) {
    if (!base || (base.type !== 'identifier' && base.type !== 'attribute')) continue;
    if (BATCH_BASE.test(model.qualify(base) ?? '')) return true;
    const local = base.type === 'identifier' ? classNamed(model, base.text) : null;
    if (local && local !== cls && isBatchSource(model, local, depth + 1)) return true;
  }
  return false;
}

/**
 * `class Gen(keras.utils.Sequence)` of this file: an instance passed to fit/predict yields what `__getitem__` returns,
 * so its def is the code that computes the data. Null for other classes, or when the class or method is defined twice.
 */
export function batchMethodOf(model: PythonModel, className: string): Node | null {
  const cls = classNamed(model, className);
  return cls && isBatchSource(model, cls, 0) ? methodOf(model, cls, '__getitem__') : null;
}

/** `self.helper` read inside a method: the def of that method in the same class, when it is defined once there. */
export function selfMethodAt(model: PythonModel, attribute: string, at: number): Node | null {
  const m = /^self\.([A-Za-z_]\w*)$/.exec(attribute);
  const cls = m ? classAt(model, at) : null;
  return cls ? methodOf(model, cls, m![1] as string) : null;
}

/**
 * `self.x` read inside a class: the values assigned to `self.x` in that class's methods, `= None` placeholders left
 * out. Null when the read is not inside a class of the file.
 */
export function selfValuesAt(model: PythonModel, name: string, at: number): Assignment[] | null {
  const cls = /^self\.[A-Za-z_]\w*$/.test(name) ? classAt(model, at) : null;
  if (!cls) return null;
  return (model.assignments.get(name) ?? []).filter((a) => cls.start <= a.target.startIndex && a.target.endIndex <= cls.end && classAt(model, a.target.startIndex) === cls && a.value.type !== 'none');
}
