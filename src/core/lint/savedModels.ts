import type { SyntaxNode as Node } from './syntaxNode';
import type { CallInfo, PythonModel } from './pythonModel';

/** The same file path: equal string values (through constants), or the same variable when its value is not a literal. */
function samePath(model: PythonModel, a: Node | undefined, b: Node | undefined): boolean {
  if (!a || !b) return false;
  const sa = model.stringValue(a);
  const sb = model.stringValue(b);
  if (sa !== null || sb !== null) return sa !== null && sa === sb;
  return a.type === 'identifier' && b.type === 'identifier' && a.text === b.text;
}

const pathOf = (c: CallInfo): Node | undefined => c.kwargs.get('filepath') ?? c.args[0];

/**
 * The expressions naming the model a `load_model(path)` call reloads, when this file writes that path: the receiver of
 * `model.save(path)`, the model of `keras.models.save_model(model, path)`, the receiver of the `fit` whose callbacks
 * hold a `ModelCheckpoint(path)` (weights-only checkpoints excluded). Empty when the file writes no such path.
 */
export function savedModelsAt(model: PythonModel, load: CallInfo): Node[] {
  const path = pathOf(load);
  if (!path) return [];
  const out: Node[] = [];
  const checkpoints: string[] = [];
  for (const c of model.calls) {
    if (c.node.id === load.node.id) continue;
    const callee = c.callee ?? '';
    if (/^keras\.(models\.|saving\.)?save_model$/.test(callee)) {
      if (samePath(model, c.kwargs.get('filepath') ?? c.args[1], path) && (c.kwargs.get('model') ?? c.args[0])) out.push((c.kwargs.get('model') ?? c.args[0])!);
    } else if (c.fn?.type === 'attribute' && /\.save$/.test(c.fnText)) {
      const receiver = c.fn.childForFieldName('object');
      if (receiver && samePath(model, pathOf(c), path)) out.push(receiver);
    } else if (/(^|\.)ModelCheckpoint$/.test(callee) && samePath(model, pathOf(c), path)) {
      const weightsOnly = c.kwargs.get('save_weights_only');
      const bound = c.node.parent?.type === 'assignment' ? c.node.parent.childForFieldName('left') : null;
      if (weightsOnly?.type !== 'true' && bound?.type === 'identifier') checkpoints.push(bound.text);
    }
  }
  if (checkpoints.length > 0) {
    for (const c of model.calls) {
      if (c.fn?.type !== 'attribute' || !/\.fit(_generator)?$/.test(c.fnText)) continue;
      const cbs = model.resolve(c.kwargs.get('callbacks') ?? null);
      if (cbs && checkpoints.some((n) => new RegExp(`(?<![\\w.])${n}(?!\\w)`).test(cbs.text))) out.push(c.fn.childForFieldName('object')!);
    }
  }
  return out;
}
