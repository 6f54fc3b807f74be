import type { SyntaxNode as Node } from './syntaxNode';
import type { CallInfo } from './pythonModel';

// keras.layers.TimeDistributed(layer) applies the layer to every frame of its input: calling it is calling the layer
const FRAME_WRAPPER = /^keras\.layers\.TimeDistributed$/;

/** The layer a `TimeDistributed(layer)` call wraps, or null when the call is no such wrapper. */
export function wrappedLayer(call: CallInfo | null | undefined): Node | null {
  if (!call || !FRAME_WRAPPER.test(call.callee ?? '')) return null;
  return call.kwargs.get('layer') ?? call.args[0] ?? null;
}
