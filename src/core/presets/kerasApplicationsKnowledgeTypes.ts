/**
 * Shape of the generated keras.applications knowledge (src/core/presets/kerasApplicationsKnowledge.ts, written by
 * `npm run kb:applications`). Facts are read from keras (keras/applications, keras/src/applications) and tf-keras
 * (tf_keras/applications) at the release tags listed in scripts/knowledge/kerasApplicationsSources.json; each fact
 * says which releases of which repository it holds for.
 */
import type { FactReleases, KnowledgeRelease } from './kerasHubKnowledgeTypes';

/** What the module's `preprocess_input` does: imagenet_utils' mode, or returns its input unchanged. */
export type PreprocessMode = 'caffe' | 'tf' | 'torch' | 'passthrough';

/**
 * What an `if` around an inside layer tests: the model's `include_preprocessing` argument, its `weights`, or the input
 * (channels, the variant's name); `!` when the layer is in the else branch.
 */
export type LayerGuard = 'include_preprocessing' | 'weights' | 'input' | '!include_preprocessing' | '!weights' | '!input';

/** A Rescaling or Normalization layer the model applies to its own input. */
export interface InsideLayer {
  layer: 'Rescaling' | 'Normalization';
  guards: LayerGuard[];
  /** Rescaling's scale and offset, Normalization's first mean, evaluated (null when the source gives no number). */
  scale: number | null;
  offset: number | null;
  mean: number | null;
}

/** One keras.applications model function and what it does with its input, as one release of one repository has it. */
export interface ApplicationModelFacts {
  /** The model function, e.g. EfficientNetB0. */
  name: string;
  /** Source module stem, e.g. efficientnet (keras.applications.efficientnet). */
  module: string;
  /** Public names (`@keras_export`), e.g. keras.applications.EfficientNetB0, keras.applications.efficientnet.EfficientNetB0. */
  exports: string[];
  /** The module's preprocess_input, null when the module has none. */
  preprocessInput: PreprocessMode | null;
  /** Default of the `weights` parameter (`imagenet`), null when it is not a string literal. */
  weightsDefault: string | null;
  /** Default of `include_preprocessing`, null when the function has no such parameter. */
  includePreprocessingDefault: boolean | null;
  /** Rescaling/Normalization layers on the input in the model's builder (followed through the functions it calls). */
  insideLayers: InsideLayer[];
  /** The inside layers' first step takes 0–255 pixels (a scale of about 1/255 or 1/128, or a mean above 1). */
  insideTakes0to255: boolean;
}

export interface ApplicationModelFact extends ApplicationModelFacts {
  repo: string;
  releases: FactReleases;
  /** Held by the newest release read of its repository. */
  current: boolean;
}

export interface ApplicationsRepo {
  repo: string;
  releases: KnowledgeRelease[];
}

export interface KerasApplicationsKnowledge {
  manifestSha256: string;
  repos: ApplicationsRepo[];
  models: ApplicationModelFact[];
}
