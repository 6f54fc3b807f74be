/** Version of the engine bundle: part of the ready handshake and of every ONNX cache key. */
export const ENGINE_VERSION = '0.3.2';
