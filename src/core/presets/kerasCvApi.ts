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
