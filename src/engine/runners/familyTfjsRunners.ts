import type { BackboneFamily, LoadedPreset } from '../../core/presets/presetLoader';
import type { ModelRunner } from './modelRunner';
import { createTfjsDinov2Runner } from './tfjsDinov2Runner';
import { createTfjsViTRunner } from './tfjsViTRunner';

type TfjsRunnerFactory = (preset: LoadedPreset, opts: { notes: string[]; internals?: boolean }) => Promise<ModelRunner>;

/** Backbone family → its TF.js runner (the reference, and forward passes when ONNX Runtime is not used). One line per family. */
export const FAMILY_TFJS_RUNNERS: Record<BackboneFamily, TfjsRunnerFactory> = {
  vit: createTfjsViTRunner,
  dinov2: createTfjsDinov2Runner,
};
