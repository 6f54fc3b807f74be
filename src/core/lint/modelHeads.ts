import type { SyntaxNode as Node } from './syntaxNode';
import type { HeadInfo } from './headAndLoss';
import type { FlowModel } from './modelFlow';
import type { CallInfo, PythonModel } from './pythonModel';

const SOFTMAX_FN = /(^|\.)(activations|nn|ops|math)\.(softmax|sigmoid)$/;

function activationText(model: PythonModel, node: Node | null | undefined): string | null | undefined {
  if (!node) return null;
  const s = model.stringValue(node);
  if (s !== null) return s === 'linear' ? null : s;
  if (node.type === 'none') return null;
  const q = model.qualify(node) ?? node.text;
  if (/softmax$/.test(q)) return 'softmax';
  if (/sigmoid$/.test(q)) return 'sigmoid';
  return undefined; // a variable or callable we cannot read
}

/** A Dense or activation layer call as the last step: its activation, or undefined when it cannot be told. */
function layerHead(model: PythonModel, layer: CallInfo, at: Node): HeadInfo | undefined {
  const name = layer.callee?.split('.').pop() ?? '';
  if (name === 'Dense') {
    const act = activationText(model, layer.kwargs.get('activation') ?? layer.args[1] ?? null);
    if (act === undefined) return undefined;
    const unitsNode = layer.kwargs.get('units') ?? layer.args[0] ?? null;
    return { node: at, activation: act, units: model.numberValue(unitsNode), unitsNode };
  }
  if (name === 'Softmax') return { node: at, activation: 'softmax', units: null, unitsNode: null };
  if (name === 'Activation') {
    const act = activationText(model, layer.args[0] ?? layer.kwargs.get('activation') ?? null);
    return act === undefined ? undefined : { node: at, activation: act, units: null, unitsNode: null };
  }
  return undefined;
}

/** The output head of an expression of a functional graph (`Dense(5, activation=...)(x)`, `ops.softmax(x)`), resolved through names. */
function headOfTensor(model: PythonModel, expr: Node | null, depth = 0): HeadInfo | undefined {
  const r = model.resolve(expr);
  if (!r || r.type !== 'call' || depth > 6) return undefined;
  const c = model.callAt(r);
  if (!c) return undefined;
  if (SOFTMAX_FN.test(c.callee ?? '')) return { node: r, activation: /sigmoid$/.test(c.callee ?? '') ? 'sigmoid' : 'softmax', units: null, unitsNode: null };
  const fn = c.fn;
  if (fn?.type === 'call') {
    const layer = model.callAt(fn);
    return layer ? layerHead(model, layer, r) : undefined;
  }
  // head = Dense(...); outputs = head(x)
  const layer = model.callAt(model.resolve(fn));
  return layer ? layerHead(model, layer, r) : undefined;
}

/**
 * The head of one model of the file: a keras_hub task's activation (its argument or the preset's default), the last
 * layer of a Sequential, the output of a functional model. Undefined when that model's head cannot be told.
 */
export function headOfModel(model: PythonModel, m: FlowModel): HeadInfo | undefined {
  const call = model.callAt(m.node);
  if (!call) return undefined;
  if (m.kind === 'hub') {
    const task = m.hub[0];
    if (!task || task.kind !== 'task') return undefined;
    const actNode = task.def.kwargs.get('activation');
    const activation = actNode ? activationText(model, actNode) : (task.facts?.taskActivation ?? null);
    if (activation === undefined) return undefined;
    const unitsNode = task.def.kwargs.get('num_classes') ?? null;
    return { node: task.def.node, activation: activation === 'linear' ? null : activation, units: model.numberValue(unitsNode), unitsNode, task };
  }
  if (m.kind === 'sequential') {
    const list = model.resolve(call.args[0] ?? call.kwargs.get('layers') ?? null);
    const items = list?.type === 'list' ? list.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment') : [];
    // layers added later (model.add(...)) end the model
    const name = assignedTo(m.node);
    const added = name ? model.callsWithText(`${name}.add`).filter((c) => c.node.startIndex > m.node.endIndex && c.args[0]) : [];
    const last = added.length ? added[added.length - 1]!.args[0]! : items[items.length - 1];
    if (!last) return undefined;
    const layer = model.callAt(model.resolve(last));
    return layer ? layerHead(model, layer, last) : undefined;
  }
  if (m.kind === 'functional') return headOfTensor(model, call.kwargs.get('outputs') ?? call.args[1] ?? null);
  return undefined;
}

function assignedTo(call: Node): string | null {
  const p = call.parent;
  if (p?.type === 'assignment' && p.childForFieldName('right')?.id === call.id) {
    const left = p.childForFieldName('left');
    if (left?.type === 'identifier') return left.text;
  }
  return null;
}
