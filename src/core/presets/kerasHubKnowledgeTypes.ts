/**
 * Shape of the generated keras-hub knowledge base (src/core/presets/kerasHubKnowledge.ts, written by
 * `npm run kb:generate`). Every fact names the keras-team/keras-hub file version it was read from.
 */

/** One keras-hub source file at one commit, as listed in scripts/knowledge/kerasHubSources.json. */
export interface KnowledgeSource {
  path: string;
  commit: string;
  /** Position among the listed versions of the same path, 0 = oldest. */
  version: number;
  /** Versions of this path listed in the manifest. */
  versions: number;
  note?: string;
}

/** A `keras_hub.models.X` / `keras_hub.layers.X` name and the file versions that export it. */
export interface KnownExport {
  namespace: 'models' | 'layers';
  name: string;
  /** keras_hub.src module that defines it. */
  module: string;
  /** The class it names (differs from `name` for aliases such as BertClassifier). */
  className: string;
  /** Commits (abbreviated to 7) of the source files that export it. */
  seenIn: string[];
  /** Exported by the newest listed version of keras_hub/api/<namespace>/__init__.py. */
  current: boolean;
  /** True when the only evidence is one side of a merge conflict in the source file. */
  conflictSide?: string;
}

/** A preset of a `*_presets.py` file and its history across the listed versions of that file. */
export interface KnownPreset {
  name: string;
  /** metadata.path: the model family folder (vit, dinov2, ...). */
  family: string;
  params: number | null;
  description: string;
  kaggleHandle: string;
  /** Image side and patch size stated by the preset (name or description), null when it states none. */
  imageSize: number | null;
  patchSize: number | null;
  /** Commits (abbreviated) of the presets-file versions that list it, oldest first. */
  seenIn: string[];
  /** Listed by the newest version of its presets file. */
  current: boolean;
  /** Newest version of the presets file that no longer lists it (abbreviated commit). */
  goneIn?: string;
  /** Current preset of the same family and parameter count that replaced it. */
  renamedTo?: string;
}

/** An image converter class read from its source: what it subtracts/divides by default. */
export interface KnownConverter {
  exportedAs: string;
  className: string;
  backboneClass: string | null;
  /** Defaults of the converter's own __init__ keyword arguments, as Python source text. */
  defaults: Record<string, string>;
  path: string;
  commit: string;
}

export interface KerasHubKnowledge {
  repo: string;
  /** sha256 of scripts/knowledge/kerasHubSources.json when this file was generated. */
  manifestSha256: string;
  sources: KnowledgeSource[];
  exports: KnownExport[];
  presets: KnownPreset[];
  converters: KnownConverter[];
}
