import type { DINOV2BackboneConfig } from './dinov2Config';
import type { ImageConverterConfig } from './presetSchema';
import { imageConverterJson, KERAS_FLOAT32_DTYPE } from './presetWriter';

/** config.json of a DINOV2Backbone, as keras-hub 0.32 serializes it (the key order of the reference fixtures). */
export function dinov2BackboneJson(cfg: DINOV2BackboneConfig): unknown {
  return {
    module: 'keras_hub.src.models.dinov2.dinov2_backbone',
    class_name: 'DINOV2Backbone',
    config: {
      name: 'dinov2_backbone', trainable: true, dtype: KERAS_FLOAT32_DTYPE,
      patch_size: cfg.patchSize, num_layers: cfg.numLayers, hidden_dim: cfg.hiddenDim, num_heads: cfg.numHeads,
      intermediate_dim: cfg.intermediateDim, layer_scale_init_value: cfg.layerScaleInitValue, num_register_tokens: cfg.numRegisterTokens,
      use_mask_token: cfg.useMaskToken, use_swiglu_ffn: cfg.useSwigluFfn, dropout_rate: cfg.dropoutRate, drop_path_rate: cfg.dropPathRate,
      image_shape: cfg.imageShape, position_embedding_shape: cfg.positionEmbeddingShape,
      antialias_in_interpolation: cfg.antialiasInInterpolation, apply_layernorm: cfg.applyLayernorm,
    },
    registered_name: 'keras_hub>DINOV2Backbone',
  };
}

/** image_converter.json of a DINOV2ImageConverter (a plain ImageConverter subclass). */
export function dinov2ImageConverterJson(conv: ImageConverterConfig): unknown {
  return imageConverterJson('keras_hub.src.models.dinov2.dinov2_image_converter', 'DINOV2ImageConverter', 'dinov2_image_converter', conv);
}
