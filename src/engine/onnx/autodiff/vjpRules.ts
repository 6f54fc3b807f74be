import { addVjp, divVjp, erfVjp, expVjp, identityVjp, mulVjp, negVjp, sigmoidVjp, sqrtVjp, subVjp, tanhVjp } from './elementwiseVjp';
import { concatVjp, expandVjp, gatherVjp, reshapeVjp, sliceVjp, squeezeVjp, transposeVjp, unsqueezeVjp } from './layoutVjp';
import { gemmVjp, matMulVjp } from './matmulVjp';
import { layerNormVjp, logSoftmaxVjp, reduceMeanVjp, reduceSumVjp, softmaxVjp } from './reduceVjp';
import type { VjpRule } from './vjpContext';

/**
 * One vector-Jacobian rule per ONNX operator (the ops the ViT and DINOv2 graphs use). A model that needs another
 * operator adds a row here and a finite-difference test in test/unit/engine/onnx/autodiff/.
 */
export const VJP_RULES: Readonly<Record<string, VjpRule>> = {
  Add: addVjp,
  Sub: subVjp,
  Mul: mulVjp,
  Div: divVjp,
  Neg: negVjp,
  Identity: identityVjp,
  Erf: erfVjp,
  Tanh: tanhVjp,
  Sigmoid: sigmoidVjp,
  Sqrt: sqrtVjp,
  Exp: expVjp,
  MatMul: matMulVjp,
  Gemm: gemmVjp,
  Reshape: reshapeVjp,
  Transpose: transposeVjp,
  Concat: concatVjp,
  Expand: expandVjp,
  Gather: gatherVjp,
  Slice: sliceVjp,
  Unsqueeze: unsqueezeVjp,
  Squeeze: squeezeVjp,
  ReduceMean: reduceMeanVjp,
  ReduceSum: reduceSumVjp,
  Softmax: softmaxVjp,
  LogSoftmax: logSoftmaxVjp,
  LayerNormalization: layerNormVjp,
};
