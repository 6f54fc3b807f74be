import type { SyntaxNode as Node } from './syntaxNode';
import type { CallInfo, PythonModel } from './pythonModel';

/** The `Sequential(...)` call that an `s.add(x)` call adds to (its receiver resolved through names), else null. */
export function sequentialAddedTo(model: PythonModel, c: CallInfo): Node | null {
  if (!c.fnText.endsWith('.add') || c.fn?.type !== 'attribute') return null;
  const seq = model.resolve(c.fn.childForFieldName('object'));
  const made = seq?.type === 'call' ? model.callAt(seq) : undefined;
  return made?.callee && /(^|\.)Sequential$/.test(made.callee) ? seq : null;
}
