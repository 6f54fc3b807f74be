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

/** The same path, or the same f-string text (`f"p1_{target}_best.keras"` written at the save and at the load). */
function sameText(model: PythonModel, a: Node | null, b: Node): boolean {
  return !!a && (samePath(model, a, b) || (a.type === 'string' && a.text.startsWith('f') && a.text === b.text));
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
  const factories: { scope: number; param: string }[] = [];
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
    } else if (/(^|\.)ModelCheckpoint$/.test(callee) && c.kwargs.get('save_weights_only')?.type !== 'true') {
      const param = pathOf(c);
      const scope = model.scopes.scopeAt(c.node.startIndex);
      if (param?.type === 'identifier' && scope >= 0 && !model.scopes.list[scope]!.isMethod && model.scopes.isParam(scope, param.text)) factories.push({ scope, param: param.text });
    }
  }
  // fit(callbacks=get_callbacks(f"best_{i}.keras")) of a function of the file building ModelCheckpoint(name) from its
  // parameter: the fit's model is saved at the path that call passes (the same text as the load's path)
  if (factories.length > 0) {
    for (const c of model.calls) {
      const cbs = c.fn?.type === 'attribute' && /\.fit(_generator)?$/.test(c.fnText) ? c.kwargs.get('callbacks') : undefined;
      if (!cbs) continue;
      const passes = model.calls.some(
        (k) => cbs.startIndex <= k.node.startIndex && k.node.endIndex <= cbs.endIndex && factories.some((f) => model.calledFunction(k.node) === f.scope && sameText(model, model.argumentFor(f.scope, k.node, f.param), path)),
      );
      if (passes) out.push(c.fn!.childForFieldName('object')!);
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
