import { swigluInnerDim, type DINOV2BackboneConfig } from './dinov2Config';

type CountedConfig = Pick<DINOV2BackboneConfig, 'imageShape' | 'patchSize' | 'numLayers' | 'hiddenDim' | 'intermediateDim' | 'numRegisterTokens' | 'useMaskToken' | 'useSwigluFfn' | 'positionEmbeddingShape'>;

/**
 * Parameter count of a DINOv2 backbone as keras counts it: both position tables (the stored one at
 * position_embedding_shape and the interpolated one at image_shape) and the mask token included, so the count
 * depends on image_shape. Formula of shared/docs/keras-hub-dinov2.md §6 (reproduces keras-hub's published counts).
 */
export function dinov2ParameterCount(c: CountedConfig): number {
  const D = c.hiddenDim;
  const P = c.patchSize;
  const inner = c.useSwigluFfn ? swigluInnerDim(c.intermediateDim) : c.intermediateDim;
  const ffn = c.useSwigluFfn ? 3 * D * inner + 2 * inner : 2 * D * inner + inner;
  const perBlock = 4 * D * D + 11 * D + ffn;
  const stored = 1 + Math.floor(c.positionEmbeddingShape[0] / P) * Math.floor(c.positionEmbeddingShape[1] / P);
  const built = 1 + Math.floor(c.imageShape[0] / P) ** 2;
  const tokens = D * (1 + (c.useMaskToken ? 1 : 0) + c.numRegisterTokens + stored + built);
  const patch = P * P * c.imageShape[2] * D + D;
  return c.numLayers * perBlock + tokens + patch + 2 * D;
}
