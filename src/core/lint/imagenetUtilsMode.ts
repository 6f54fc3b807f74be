import type { SyntaxNode as Node } from './syntaxNode';
import type { ManualKind } from './preprocessingEvidence';
import type { CallInfo, PythonModel } from './pythonModel';

/**
 * What `imagenet_utils.preprocess_input(x, data_format=None, mode="caffe")` maps 0–255 pixels to, from the node given
 * for `mode`: caffe when none is given, tf → [-1, 1], torch → ImageNet mean/std; null when a mode is given but its
 * value cannot be read (a name bound at run time), or is none of the three (Keras rejects it).
 */
export function imagenetUtilsKind(model: PythonModel, mode: Node | null | undefined): ManualKind | null {
  if (!mode) return 'caffe';
  const s = model.stringValue(mode);
  return s === 'caffe' ? 'caffe' : s === 'tf' ? 'minus1to1' : s === 'torch' ? 'imagenet' : null;
}

/** The `mode` a call of imagenet_utils.preprocess_input passes: by keyword, or as its third argument. */
export function modeOfCall(call: CallInfo | undefined): Node | undefined {
  return call ? call.kwargs.get('mode') ?? call.args[2] : undefined;
}

/** `functools.partial(f, ...)` around a function reference: the partial call, when `ref` is the function it binds. */
export function partialAround(model: PythonModel, ref: Node): CallInfo | null {
  const list = ref.parent;
  if (list?.type !== 'argument_list' || list.parent?.type !== 'call') return null;
  const c = model.callAt(list.parent);
  return c && /^functools\.partial$/.test(c.callee ?? '') && c.args[0]?.id === ref.id ? c : null;
}

/**
 * The mapping of `partial(imagenet_utils.preprocess_input, mode=...)`; positional arguments after the function bind
 * its own (x first), so a partial with any is not read (null).
 */
export function imagenetUtilsPartialKind(model: PythonModel, partial: CallInfo): ManualKind | null {
  return partial.args.length > 1 ? null : imagenetUtilsKind(model, partial.kwargs.get('mode'));
}
