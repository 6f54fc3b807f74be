import type { SyntaxNode as Node } from './syntaxNode';
import type { KerasValue } from './kerasValues';
import type { CallInfo, PythonModel } from './pythonModel';
import type { KerasValues } from './kerasValues';

export interface HeadInfo {
  node: Node;
  /** 'softmax' | 'sigmoid' | null (logits) */
  activation: string | null;
  units: number | null;
  unitsNode: Node | null;
  task?: KerasValue;
}

export interface LossInfo {
  node: Node;
  compile: CallInfo;
  name: 'sparse_categorical_crossentropy' | 'categorical_crossentropy' | 'binary_crossentropy' | 'binary_focal_crossentropy' | 'other';
  fromLogits: boolean;
  /** The from_logits keyword node, when written. */
  fromLogitsNode: Node | null;
  isString: boolean;
  /** A loss function passed by name (`loss=keras.losses.binary_crossentropy`): from_logits stays False. */
  isFunction?: boolean;
}

/** The binary losses (sigmoid probabilities or logits), told apart from the categorical ones. */
export function isBinaryLoss(name: LossInfo['name']): boolean {
  return name === 'binary_crossentropy' || name === 'binary_focal_crossentropy';
}

const LOSS_CLASSES: Record<string, LossInfo['name']> = {
  SparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  CategoricalCrossentropy: 'categorical_crossentropy',
  BinaryCrossentropy: 'binary_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
  categorical_crossentropy: 'categorical_crossentropy',
  binary_crossentropy: 'binary_crossentropy',
  BinaryFocalCrossentropy: 'binary_focal_crossentropy',
  binary_focal_crossentropy: 'binary_focal_crossentropy',
};

/** The loss classes whose first positional parameter is from_logits (BinaryFocalCrossentropy's is not). */
const FROM_LOGITS_FIRST = new Set(['SparseCategoricalCrossentropy', 'CategoricalCrossentropy', 'BinaryCrossentropy']);

/** The classification head: the last Dense in the file, or the keras_hub task's own head. */
export function findHead(model: PythonModel, values: KerasValues): HeadInfo | null {
  const denses = model.calls.filter((c) => /(^|\.)Dense$/.test(c.callee ?? ''));
  const last = denses[denses.length - 1];
  if (last) {
    const actNode = last.kwargs.get('activation') ?? last.args[1] ?? null;
    let activation: string | null = actNode ? model.stringValue(actNode) ?? (/softmax/.test(actNode.text) ? 'softmax' : /sigmoid/.test(actNode.text) ? 'sigmoid' : null) : null;
    if (activation === 'linear') activation = null;
    // an explicit softmax applied after the last Dense
    const after = model.calls.find((c) => c.node.startIndex > last.node.endIndex && (/(^|\.)Activation$/.test(c.callee ?? '') && model.stringValue(c.args[0]) === 'softmax' || /(^|\.)(activations|nn|ops)\.softmax$/.test(c.callee ?? '') || /(^|\.)Softmax$/.test(c.callee ?? '')));
    if (after) activation = 'softmax';
    const unitsNode = last.kwargs.get('units') ?? last.args[0] ?? null;
    return { node: last.node, activation, units: model.numberValue(unitsNode), unitsNode };
  }
  const task = values.ofKind('task')[0];
  if (task) {
    const actNode = task.def.kwargs.get('activation');
    const activation = actNode ? model.stringValue(actNode) : (task.facts?.taskActivation ?? null);
    const unitsNode = task.def.kwargs.get('num_classes') ?? null;
    return { node: task.def.node, activation: activation === 'linear' ? null : activation, units: model.numberValue(unitsNode), unitsNode, task };
  }
  return null;
}

export function findLosses(model: PythonModel): LossInfo[] {
  const out: LossInfo[] = [];
  for (const c of model.calls) {
    if (!/\.compile$/.test(c.fnText)) continue;
    const lossArg = c.kwargs.get('loss') ?? c.args[1] ?? null;
    if (!lossArg) continue;
    const resolved = model.resolve(lossArg);
    if (!resolved) continue;
    const s = model.stringValue(resolved);
    if (s !== null) {
      out.push({ node: lossArg, compile: c, name: LOSS_CLASSES[s] ?? 'other', fromLogits: false, fromLogitsNode: null, isString: true });
      continue;
    }
    const lc = model.callAt(resolved);
    if (!lc) {
      // keras.losses.binary_crossentropy passed as the function itself (imported by name too): from_logits=False
      const fn = /(^|\.)losses\.(\w+)$/.exec(model.qualify(resolved) ?? '')?.[2];
      const name = fn && fn === fn.toLowerCase() && Object.hasOwn(LOSS_CLASSES, fn) ? LOSS_CLASSES[fn] : undefined;
      if (name) out.push({ node: lossArg, compile: c, name, fromLogits: false, fromLogitsNode: null, isString: false, isFunction: true });
      continue;
    }
    const cls = lc.callee?.split('.').pop() ?? '';
    if (LOSS_CLASSES[cls]) {
      // from_logits by keyword, or as the first argument of the classes that take it first; other positionals: unknown
      const fl = lc.kwargs.get('from_logits') ?? (FROM_LOGITS_FIRST.has(cls) ? lc.args[0] ?? null : null);
      if (!fl && !FROM_LOGITS_FIRST.has(cls) && lc.args.length > 3) continue;
      // from_logits=FROM_LOGITS set in another cell: its value; a value read at run time leaves the loss unknown
      const lit = fl ? model.literalOf(fl) : { v: false };
      if (!lit || typeof lit.v !== 'boolean') continue;
      out.push({ node: lossArg, compile: c, name: LOSS_CLASSES[cls] as LossInfo['name'], fromLogits: lit.v, fromLogitsNode: fl, isString: false });
    }
  }
  return out;
}
