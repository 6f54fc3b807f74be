import type { SyntaxNode as Node } from './syntaxNode';
import { applicationContract, isApplicationExport, type ApplicationContract } from '../presets/applicationContracts';
import type { CallInfo, PythonModel } from './pythonModel';

/** A keras.applications model built in the file, with the input contract of its pretrained weights (if judged). */
export interface ApplicationModel {
  call: CallInfo;
  /** The model function, e.g. EfficientNetB0. */
  name: string;
  /** Null: nothing is judged (weights=None or not a literal, include_preprocessing=False, releases disagree). */
  contract: ApplicationContract | null;
}

const APPLICATION = /^keras\.applications\.(?:[a-z0-9_]+\.)?([A-Z]\w*)$/;

/**
 * weights="imagenet" (or the default): pretrained, judged. weights=None trains from scratch; a path or a variable
 * loads weights whose preprocessing the file does not state: not judged.
 */
function pretrained(model: PythonModel, c: CallInfo): boolean {
  const w = c.kwargs.get('weights');
  if (!w) return true;
  return model.stringValue(w) === 'imagenet';
}

/** include_preprocessing as written: true, false, null (not given); undefined when it is not a literal. */
function includePreprocessing(model: PythonModel, c: CallInfo): boolean | null | undefined {
  const n = c.kwargs.get('include_preprocessing');
  if (!n) return null;
  const lit = model.literalOf(n);
  return lit && typeof lit.v === 'boolean' ? lit.v : undefined;
}

const cache = new WeakMap<PythonModel, ApplicationModel[]>();

/** The keras.applications models of a file (found once per parsed file). */
export function applicationModelsOf(model: PythonModel): ApplicationModel[] {
  let out = cache.get(model);
  if (out) return out;
  out = [];
  for (const c of model.calls) {
    const m = APPLICATION.exec(c.callee ?? '');
    if (!m || !isApplicationExport(c.callee as string)) continue;
    const inc = includePreprocessing(model, c);
    const contract = pretrained(model, c) && inc !== undefined ? applicationContract(m[1] as string, inc) : null;
    out.push({ call: c, name: m[1] as string, contract });
  }
  cache.set(model, out);
  return out;
}

/** The application model a node is the constructor call of. */
export function applicationAt(model: PythonModel, node: Node): ApplicationModel | undefined {
  return applicationModelsOf(model).find((a) => a.call.node.id === node.id);
}
