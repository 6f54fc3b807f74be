import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { DiffPanelState } from '../../protocol/panelProtocol';
import { UserError } from '../userError';
import { diffEffectiveMapping, diffPresetFiles, type PresetDiffSide } from './presetDiff';
import { loadPresetDir } from './presetLoader';
import { resolvePreset } from './presetResolver';
import type { ImageConverterConfig } from './presetSchema';
import { vitBackboneJson, vitImageConverterJson, vitTaskJson } from './presetWriter';
import { findViTPreset } from './vitCatalog';

/** Finds a preset folder: an absolute or relative path (against `baseDirs`), or the kagglehub cache. */
export function findPresetDir(preset: string, baseDirs: string[], env?: Record<string, string | undefined>): string | null {
  for (const b of baseDirs) {
    const p = isAbsolute(preset) ? preset : join(b, preset);
    if (existsSync(join(p, 'config.json'))) return p;
  }
  try {
    return resolvePreset(preset, { env, cwd: baseDirs[0] }).dir;
  } catch {
    return null;
  }
}

/** One side of a comparison: the real files when on disk, else the JSON keras-hub would write for a catalog preset. */
export function presetDiffSide(preset: string, baseDirs: string[], env?: Record<string, string | undefined>): PresetDiffSide {
  const dir = findPresetDir(preset, baseDirs, env);
  if (dir) {
    const p = loadPresetDir(dir);
    return { label: preset, files: p.raw, converter: p.converter };
  }
  const e = findViTPreset(preset);
  if (!e) throw new UserError('E_PRESET_NOT_FOUND', `Preset "${preset}" is neither a folder, in the kagglehub cache, nor an official ViT preset name.`);
  const backbone = {
    imageShape: [e.imageSize, e.imageSize, 3] as [number, number, number], patchSize: [e.patchSize, e.patchSize] as [number, number], numLayers: e.numLayers,
    numHeads: e.numHeads, hiddenDim: e.hiddenDim, mlpDim: e.mlpDim, dropoutRate: 0, attentionDropout: 0, layerNormEpsilon: 1e-6,
    useMhaBias: true, useMlpBias: true, useClassToken: true, usePatchBias: true, dtype: 'float32',
  };
  const converter: ImageConverterConfig = {
    className: 'ViTImageConverter', imageSize: [e.imageSize, e.imageSize], scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1],
    normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false,
  };
  const files: Record<string, unknown> = {
    'config.json': vitBackboneJson(backbone),
    'image_converter.json': vitImageConverterJson(converter),
    'metadata.json': { parameter_count: e.params, kaggle_handle: e.kaggleHandle, source: 'built-in catalog (files not on disk)' },
  };
  if (e.taskClasses) files['task.json'] = vitTaskJson(backbone, converter, { className: 'ViTImageClassifier', numClasses: e.taskClasses, pooling: 'token', activation: null, dropout: 0, intermediateDim: null });
  return { label: `${preset} (catalog)`, files, converter };
}

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** The diff panel's state for two presets. */
export function presetDiffState(left: PresetDiffSide, right: PresetDiffSide): DiffPanelState {
  const m = diffEffectiveMapping(left, right);
  const mapText = (x: typeof m.left): string =>
    x ? `y = x · [${x.scale.map((v) => v.toPrecision(4)).join(', ')}] + [${x.offset.map((v) => v.toPrecision(4)).join(', ')}]; ${x.resize}` : 'no converter';
  return {
    leftLabel: left.label,
    rightLabel: right.label,
    mapping: { left: mapText(m.left), right: mapText(m.right), same: m.sameMapping, explanation: m.explanation },
    rows: diffPresetFiles(left, right).map((d) => ({ file: d.file, key: d.key, left: show(d.left), right: show(d.right), kind: d.kind, ...(d.meaning ? { meaning: d.meaning } : {}) })),
  };
}
