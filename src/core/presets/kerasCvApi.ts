import { KERAS_HUB_KNOWLEDGE } from './kerasHubKnowledge';
import type { KerasCvPreset, KnownExport } from './kerasHubKnowledgeTypes';

/**
 * keras-cv facts for the rules, generated from keras-cv's last releases (src/core/presets/kerasHubKnowledge.ts,
 * `npm run kb:generate`): the `keras_cv.models.X` names each release exported, and its backbone presets with
 * `include_rescaling` where a release's presets file states it.
 */
const EXPORTS = new Map(KERAS_HUB_KNOWLEDGE.kerasCv.exports.map((e) => [e.name, e]));
const PRESETS = new Map(KERAS_HUB_KNOWLEDGE.kerasCv.presets.map((p) => [p.name, p]));

/** `keras_cv.models.<name>` as keras-cv exported it (with the releases), or undefined when no release read did. */
export function kerasCvModelExport(name: string): KnownExport | undefined {
  return EXPORTS.get(name);
}

/** A keras-cv backbone preset; `includeRescaling: true` means the model applies Rescaling(1/255) itself. */
export function kerasCvPreset(name: string): KerasCvPreset | undefined {
  return PRESETS.get(name);
}

/** The keras-cv versions read, oldest first ("main" last), for messages. */
export const KERAS_CV_VERSIONS_READ: readonly string[] = KERAS_HUB_KNOWLEDGE.kerasCv.releases.map((r) => r.version);

/** Names the newest keras-cv release or main exports as `keras_cv.models.X` (legacy names excluded). */
export const KERAS_CV_CURRENT_MODELS: readonly string[] = KERAS_HUB_KNOWLEDGE.kerasCv.exports.filter((e) => e.current && !e.name.startsWith('legacy.')).map((e) => e.name);

/**
 * A qualified `keras_cv...X` as the name the knowledge base keys it by: `keras_cv.models.X` → `X`,
 * `keras_cv.models.legacy.X` → `legacy.X`. `direct` is false for a private or sub-module path
 * (`keras_cv.src.models.backbones.resnet_v2.resnet_v2_aliases.X`, `keras_cv.models.legacy.vit.ViTB16`): the class may
 * exist there without being exported, so only a known export may be judged. Undefined for anything else.
 */
export function kerasCvModelKey(qualified: string): { key: string; publicName: string; direct: boolean } | undefined {
  const m = /^keras_cv\.(src\.|api\.)?models\.((?:[a-z0-9_]+\.)*)([A-Z][A-Za-z0-9_]*)$/.exec(qualified);
  if (!m) return undefined;
  const modules = (m[2] as string).split('.').filter(Boolean);
  const legacy = modules[0] === 'legacy';
  const name = m[3] as string;
  const direct = !m[1] && modules.length === (legacy ? 1 : 0);
  return { key: `${legacy ? 'legacy.' : ''}${name}`, publicName: `keras_cv.models.${legacy ? 'legacy.' : ''}${name}`, direct };
}

/** keras-cv's YOLOv8 backbone presets (keras_cv/models/object_detection/yolo_v8/yolo_v8_backbone_presets.py): not in the generated knowledge. */
const YOLO_V8_BACKBONE = /^yolo_v8_(xs|s|m|l|xl)_backbone(_coco)?$/;

/**
 * Whether a keras-cv preset carries weights: keras-cv lists `backbone_presets_no_weights` (an architecture, e.g.
 * `resnet50`, `yolo_v8_xs_backbone`) and `backbone_presets_with_weights` (the same name plus what it was trained on,
 * `resnet50_imagenet`, `yolo_v8_xs_backbone_coco`). Read from the generated preset names: a name that another preset
 * extends is a configuration, a name that extends another is weighted. Null when it cannot be told.
 */
export function kerasCvPresetHasWeights(name: string): boolean | null {
  const yolo = YOLO_V8_BACKBONE.exec(name);
  if (yolo) return !!yolo[2];
  if (!PRESETS.has(name)) return null;
  const names = [...PRESETS.keys()];
  if (names.some((other) => name.startsWith(`${other}_`))) return true;
  if (names.some((other) => other.startsWith(`${name}_`))) return false;
  return null;
}
