import { KERAS_APPLICATIONS_KNOWLEDGE } from './kerasApplicationsKnowledge';
import type { ApplicationModelFact, PreprocessMode } from './kerasApplicationsKnowledgeTypes';

/**
 * What a pretrained keras.applications model expects, from the generated knowledge: `inside` (it rescales 0–255
 * pixels itself: Rescaling/Normalization layers), or the mode of its module's preprocess_input (tf: [-1, 1], caffe,
 * torch).
 */
export type ApplicationContract = { kind: 'inside'; module: string; layers: string } | { kind: Exclude<PreprocessMode, 'passthrough'>; module: string };

/** The generated facts of a model function name (every release of keras and tf-keras that has it). */
const byName = new Map<string, ApplicationModelFact[]>();
for (const m of KERAS_APPLICATIONS_KNOWLEDGE.models) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
const exported = new Set(KERAS_APPLICATIONS_KNOWLEDGE.models.flatMap((m) => m.exports));
const modules = new Map<string, Set<string>>();

export function applicationFacts(name: string): ApplicationModelFact[] {
  return byName.get(name) ?? [];
}

/** Whether `keras.applications.<...>` is a model some release exports (keras.applications.X or keras.applications.m.X). */
export function isApplicationExport(qualified: string): boolean {
  return exported.has(qualified);
}

/** The modules a model's preprocess_input is exported from (resnet and resnet50 for ResNet50). */
export function modulesOf(name: string): Set<string> {
  const known = modules.get(name);
  if (known) return known;
  const out = new Set<string>();
  modules.set(name, out);
  for (const f of applicationFacts(name)) {
    out.add(f.module);
    for (const e of f.exports) {
      const m = /^keras\.applications\.([a-z0-9_]+)\.[A-Z]/.exec(e);
      if (m) out.add(m[1] as string);
    }
  }
  return out;
}

/** The mode of `keras.applications.<module>.preprocess_input` when every release agrees, else null. */
export function preprocessModeOf(module: string): PreprocessMode | null {
  // the knowledge is a constant table: each module's answer is worked out once
  if (preprocessModes.has(module)) return preprocessModes.get(module) ?? null;
  const mode = computePreprocessMode(module);
  preprocessModes.set(module, mode);
  return mode;
}

const preprocessModes = new Map<string, PreprocessMode | null>();

function computePreprocessMode(module: string): PreprocessMode | null {
  const modes = new Set(KERAS_APPLICATIONS_KNOWLEDGE.models.filter((m) => m.module === module || m.exports.some((e) => e.startsWith(`keras.applications.${module}.`))).map((m) => m.preprocessInput));
  return modes.size === 1 ? [...modes][0] ?? null : null;
}

/** "Rescaling and Normalization layers": the kinds of inside layer a model applies. */
const layerText = (layers: ApplicationModelFact['insideLayers']): string => {
  const kinds = [...new Set(layers.map((l) => l.layer))];
  return `${kinds.join(' and ')} layer${layers.length > 1 ? 's' : ''}`;
};

/**
 * The contract of one fact for a model built with weights="imagenet" and the given include_preprocessing (null: the
 * default). Null when the model has no pretrained contract to judge (include_preprocessing=False: the source and the
 * docstring disagree on the range it then expects, so nothing is said).
 */
function contractOfFact(f: ApplicationModelFact, includePreprocessing: boolean | null): ApplicationContract | null {
  const inc = includePreprocessing ?? f.includePreprocessingDefault;
  const active = f.insideLayers.filter((l) => !l.guards.includes('!include_preprocessing') && (!l.guards.includes('include_preprocessing') || inc === true));
  if (active.length > 0) return f.insideTakes0to255 ? { kind: 'inside', module: f.module, layers: layerText(active) } : null;
  if (f.includePreprocessingDefault !== null && inc === false) return null;
  if (!f.preprocessInput || f.preprocessInput === 'passthrough') return null;
  return { kind: f.preprocessInput, module: f.module };
}

/** The contract every release agrees on for a model name (null when none, or when releases disagree). */
export function applicationContract(name: string, includePreprocessing: boolean | null): ApplicationContract | null {
  const facts = applicationFacts(name);
  const contracts = facts.map((f) => contractOfFact(f, includePreprocessing));
  const first = contracts[0];
  if (!first || contracts.some((c) => !c || c.kind !== first.kind || c.module !== first.module)) return null;
  return first;
}

/** What the contract means, for messages: the range and the formula. */
export function contractText(c: ApplicationContract): string {
  switch (c.kind) {
    case 'inside':
      return `0–255 pixels: it rescales them itself (${c.layers}), and ${c.module}.preprocess_input is a pass-through`;
    case 'tf':
      return `[-1, 1] (${c.module}.preprocess_input: x / 127.5 - 1)`;
    case 'caffe':
      return `caffe-mode input (${c.module}.preprocess_input: RGB→BGR, ImageNet mean subtracted on the 0–255 scale, range ≈ [-124, 152])`;
    case 'torch':
      return `ImageNet mean/std on [0, 1] (${c.module}.preprocess_input: x / 255, then (x - mean) / std)`;
  }
}
