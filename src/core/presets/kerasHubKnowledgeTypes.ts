/**
 * Shape of the generated keras-hub knowledge base (src/core/presets/kerasHubKnowledge.ts, written by
 * `npm run kb:generate`). Facts are read from keras-hub at every release tag listed in
 * scripts/knowledge/kerasHubSources.json (and main), and from keras-cv's last releases; each fact says which releases it
 * holds for.
 */

/** One release read: its version ("0.22.0", or "main" for the main branch), tag and commit. */
export interface KnowledgeRelease {
  version: string;
  tag: string;
  commit: string;
}

/** Which of the versions read a fact holds for. */
export interface FactReleases {
  /** Inclusive spans of consecutive versions read, oldest first ("main" as the last version). */
  held: [string, string][];
  /** First version read that has it. */
  since: string;
  /** First version read after its last span that no longer has it (absent while main has it). */
  removedIn?: string;
  /** The same in words: "since 0.22.0", "0.18.0–0.21.1; removed in 0.22.0", "only on main (after 0.31.1)". */
  history: string;
}

/** A `keras_hub.models.X` / `keras_hub.layers.X` name from the generated API listings. */
export interface KnownExport {
  namespace: 'models' | 'layers';
  name: string;
  /** keras_hub.src module that defines it (in the newest version that exports it). */
  module: string;
  /** The class it names (differs from `name` for aliases such as BertClassifier). */
  className: string;
  releases: FactReleases;
  /** Exported by the newest release or by main. */
  current: boolean;
  /** For a removed name: the one new name of the same role and family stem the removing release added, e.g. CSPNetBackbone. */
  renamedTo?: string;
  renamedIn?: string;
}

/** Architecture of an upstream checkpoint (reviewed table): what keras-hub's conversion copies from its config. */
export interface ArchitectureFacts {
  /** Size word of the family (small, base, …). */
  size: string;
  hiddenDim: number;
  numLayers: number;
  numHeads: number;
  intermediateDim: number;
  registers: number;
  swiglu: boolean;
  /** antialias_in_interpolation the conversion gives the backbone (position-table resize). */
  antialias: boolean;
}

/** What a preset expects as input, when a source gives it. */
export interface PresetInput {
  /** Mean and std on the 0–1 scale (y = (x/255 − mean) / std); [0,0,0]/[1,1,1] is a plain /255. */
  mean?: number[];
  std?: number[];
  interpolation?: string;
  /** Where each field comes from: a keras-hub file@version or a reviewed-table row's source. */
  sources: string[];
}

/** A preset of a `*_presets.py` file and its history across the releases read. */
export interface KnownPreset {
  name: string;
  /** metadata.path: the model family folder (vit, dinov2, ...). */
  family: string;
  params: number | null;
  description: string;
  kaggleHandle: string;
  /** Side of the images the preset was built for, null when no source gives it. */
  imageSize: number | null;
  patchSize: number | null;
  /** Where imageSize comes from: "name", "description", or "reviewed table (<key>)" (see reviewedSources). */
  imageSizeSource?: string;
  /** The checkpoint a conversion script converts it from (`PRESET_MAP`), e.g. "timm/efficientnet_lite0.ra_in1k". */
  upstream?: string;
  input?: PresetInput;
  /** The upstream checkpoint's architecture, from the reviewed table (cited as "reviewed table (<upstream>)"). */
  architecture?: ArchitectureFacts;
  releases: FactReleases;
  /** Listed by the newest release or by main. */
  current: boolean;
  /** Current preset of the same family and parameter count that replaced it, and the version that did. */
  renamedTo?: string;
  renamedIn?: string;
}

/** An exported class read from its source (image converters, backbones): the defaults of its own __init__. */
export interface KnownClass {
  exportedAs: string;
  className: string;
  backboneClass: string | null;
  /** Defaults of the class's own __init__ keyword arguments, as Python source text. */
  defaults: Record<string, string>;
  path: string;
  releases: FactReleases;
}

/** A checkpoint conversion script (tools/checkpoint_conversion/*) as of the newest version that has it. */
export interface KnownConversion {
  path: string;
  /** PRESET_MAP: preset name → upstream checkpoint. */
  presetMap: Record<string, string>;
  /** Keyword arguments of the image converter the script builds, as Python source text. */
  converterArgs: Record<string, string>;
  /** `data_config["crop_pct"] = …` when the script overrides timm's crop. */
  cropPct?: string;
  releases: FactReleases;
}

/** A keras-cv backbone preset and whether it rescales inside the model. */
export interface KerasCvPreset {
  name: string;
  family: string;
  params: number | null;
  /** config.include_rescaling where the presets file states it; null when no release read states it. */
  includeRescaling: boolean | null;
  includeRescalingSource?: string;
  releases: FactReleases;
}

export interface KerasHubKnowledge {
  repo: string;
  /** sha256 of scripts/knowledge/kerasHubSources.json when this file was generated. */
  manifestSha256: string;
  /** sha256 of scripts/knowledge/reviewedFacts.json (the one hand-kept table) when this file was generated. */
  reviewedSha256: string;
  /** Source of each row of the reviewed table, by the key facts cite it with ("reviewed table (<key>)"). */
  reviewedSources: Record<string, string>;
  releases: KnowledgeRelease[];
  exports: KnownExport[];
  presets: KnownPreset[];
  converters: KnownClass[];
  backbones: KnownClass[];
  conversions: KnownConversion[];
  /** keras-cv: `keras_cv.models.X` names and backbone presets. */
  kerasCv: { repo: string; releases: KnowledgeRelease[]; exports: KnownExport[]; presets: KerasCvPreset[] };
}
