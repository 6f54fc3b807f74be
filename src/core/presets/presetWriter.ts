import type { ImageClassifierConfig, ImageConverterConfig, ViTBackboneConfig } from './presetSchema';

/** The float32 dtype policy keras writes into every layer config. */
export const KERAS_FLOAT32_DTYPE = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const dtype = KERAS_FLOAT32_DTYPE;

/** config.json of a ViTBackbone, as keras-hub 0.32 serializes it. */
export function vitBackboneJson(cfg: ViTBackboneConfig): unknown {
  return {
    module: 'keras_hub.src.models.vit.vit_backbone',
    class_name: 'ViTBackbone',
    config: {
      name: 'vi_t_backbone', trainable: true, dtype,
      image_shape: cfg.imageShape, patch_size: cfg.patchSize, num_layers: cfg.numLayers, num_heads: cfg.numHeads,
      hidden_dim: cfg.hiddenDim, mlp_dim: cfg.mlpDim, dropout_rate: cfg.dropoutRate, attention_dropout: cfg.attentionDropout,
      layer_norm_epsilon: cfg.layerNormEpsilon, use_mha_bias: cfg.useMhaBias, use_mlp_bias: cfg.useMlpBias,
      use_class_token: cfg.useClassToken, use_patch_bias: cfg.usePatchBias,
    },
    registered_name: 'keras_hub>ViTBackbone',
  };
}

/** image_converter.json of a keras-hub ImageConverter subclass (module, class and layer name differ per model). */
export function imageConverterJson(module: string, className: string, name: string, conv: ImageConverterConfig): unknown {
  return {
    module,
    class_name: className,
    config: {
      name, trainable: true, dtype,
      image_size: conv.imageSize, scale: conv.scale, offset: conv.offset, interpolation: conv.interpolation,
      antialias: conv.antialias, crop_to_aspect_ratio: conv.cropToAspectRatio, pad_to_aspect_ratio: conv.padToAspectRatio,
      bounding_box_format: 'yxyx',
    },
    registered_name: `keras_hub>${className}`,
  };
}

export function vitImageConverterJson(conv: ImageConverterConfig): unknown {
  return imageConverterJson('keras_hub.src.models.vit.vit_image_converter', 'ViTImageConverter', 'vi_t_image_converter', conv);
}

export function vitPreprocessorJson(conv: ImageConverterConfig): unknown {
  return {
    module: 'keras_hub.src.models.vit.vit_image_classifier_preprocessor',
    class_name: 'ViTImageClassifierPreprocessor',
    config: { name: 'vi_t_image_classifier_preprocessor', trainable: true, dtype, image_converter: vitImageConverterJson(conv), config_file: 'preprocessor.json' },
    registered_name: 'keras_hub>ViTImageClassifierPreprocessor',
  };
}

export function vitTaskJson(cfg: ViTBackboneConfig, conv: ImageConverterConfig, task: ImageClassifierConfig): unknown {
  return {
    module: 'keras_hub.src.models.vit.vit_image_classifier',
    class_name: 'ViTImageClassifier',
    config: {
      backbone: vitBackboneJson(cfg), preprocessor: vitPreprocessorJson(conv), name: 'vi_t_image_classifier',
      num_classes: task.numClasses, pooling: task.pooling, activation: task.activation, dropout: task.dropout,
      intermediate_dim: task.intermediateDim,
    },
    registered_name: 'keras_hub>ViTImageClassifier',
  };
}

export function metadataJson(parameterCount: number, tasks: string[], note: string): unknown {
  return { keras_version: '3.16.0', keras_hub_version: '0.32.0.dev0', parameter_count: parameterCount, date_saved: '2026-11-28@00:00:00', tasks, written_by: note };
}
