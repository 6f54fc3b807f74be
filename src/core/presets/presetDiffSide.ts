import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { DiffPanelState } from '../../protocol/panelProtocol';
import { UserError } from '../userError';
import { diffEffectiveMapping, diffPresetFiles, type DiffBackbone, type EffectiveMappingDiff, type MappingSummary, type PresetDiffSide } from './presetDiff';
import { findDINOV2Preset, type DINOV2CatalogEntry } from './dinov2Catalog';
import { dinov2CommonView, type DINOV2BackboneConfig } from './dinov2Config';
import { dinov2BackboneJson, dinov2ImageConverterJson } from './dinov2PresetJson';
import { loadPresetDir } from './presetLoader';
import { resolvePreset } from './presetResolver';
import type { ImageConverterConfig, ViTBackboneConfig } from './presetSchema';
import { tokenLayout } from './tokenLayout';
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
    return { label: preset, files: p.raw, converter: p.converter, backbone: p.dinov2 ? dinov2DiffBackbone(p.dinov2) : vitDiffBackbone(p.backbone) };
  }
  const d = findDINOV2Preset(preset);
  if (d) return dinov2CatalogSide(d);
  const e = findViTPreset(preset);
  if (!e) throw new UserError('E_PRESET_NOT_FOUND', `Preset "${preset}" is neither a folder, in the kagglehub cache, nor an official ViT or DINOv2 preset name.`);
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
  return { label: `${preset} (catalog)`, files, converter, backbone: vitDiffBackbone(backbone) };
}

function vitDiffBackbone(b: ViTBackboneConfig): DiffBackbone {
  return { family: 'vit', builtSize: [b.imageShape[0], b.imageShape[1]], patch: b.patchSize, layout: tokenLayout({ backbone: b, dinov2: null }) };
}

function dinov2DiffBackbone(c: DINOV2BackboneConfig): DiffBackbone {
  return {
    family: 'dinov2', builtSize: [c.imageShape[0], c.imageShape[1]], patch: [c.patchSize, c.patchSize],
    layout: tokenLayout({ backbone: dinov2CommonView(c), dinov2: c }),
    positionTableSize: c.positionEmbeddingShape, tableAntialias: c.antialiasInInterpolation,
  };
}

/** The files keras-hub's conversion writes for a DINOv2 preset (no preprocessor.json or task.json: keras-hub has neither). */
function dinov2CatalogSide(d: DINOV2CatalogEntry): PresetDiffSide {
  const files: Record<string, unknown> = {
    'config.json': dinov2BackboneJson(d.config),
    'image_converter.json': dinov2ImageConverterJson(d.converter),
    'metadata.json': { parameter_count: d.params, kaggle_handle: d.kaggleHandle, tasks: [], source: 'built-in catalog (files not on disk)' },
  };
  return { label: `${d.name} (catalog)`, files, converter: d.converter, backbone: dinov2DiffBackbone(d.config) };
}

const meanStd = (m: MappingSummary): string => `mean [${m.mean.map((v) => v.toFixed(3)).join(', ')}], std [${m.std.map((v) => v.toFixed(3)).join(', ')}]`;

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** The effective mapping item by item: what a pixel becomes, how the image is resized, what the backbone makes of it. */
function mappingDetails(left: PresetDiffSide, right: PresetDiffSide, m: EffectiveMappingDiff): { label: string; left: string; right: string; same: boolean }[] {
  const out: { label: string; left: string; right: string; same: boolean }[] = [];
  const conv = (x: MappingSummary | null, f: (y: MappingSummary) => string): string => (x ? f(x) : 'no converter');
  out.push({ label: 'as mean/std', left: conv(m.left, meanStd), right: conv(m.right, meanStd), same: m.sameMapping });
  out.push({ label: 'resize', left: conv(m.left, (y) => y.resize), right: conv(m.right, (y) => y.resize), same: m.sameResize === true });
  const built = (b: DiffBackbone | null | undefined): string => (b ? `${b.builtSize[0]}×${b.builtSize[1]}, patch ${b.patch[0]}${b.positionTableSize && (b.positionTableSize[0] !== b.builtSize[0] || b.positionTableSize[1] !== b.builtSize[1]) ? ` (position table ${b.positionTableSize[0]}×${b.positionTableSize[1]} resized bicubic${b.tableAntialias ? ' with antialias' : ''})` : ''}` : 'unknown');
  const bl = built(left.backbone);
  const br = built(right.backbone);
  out.push({ label: 'built size', left: bl, right: br, same: bl === br });
  out.push({ label: 'tokens', left: m.tokens.left ?? 'unknown', right: m.tokens.right ?? 'unknown', same: m.tokens.same === true });
  return out;
}

/** The diff panel's state for two presets. */
export function presetDiffState(left: PresetDiffSide, right: PresetDiffSide): DiffPanelState {
  const m = diffEffectiveMapping(left, right);
  const mapText = (x: typeof m.left): string =>
    x ? `y = x · [${x.scale.map((v) => v.toPrecision(4)).join(', ')}] + [${x.offset.map((v) => v.toPrecision(4)).join(', ')}]; ${x.resize}` : 'no converter';
  return {
    leftLabel: left.label,
    rightLabel: right.label,
    mapping: { left: mapText(m.left), right: mapText(m.right), same: m.sameMapping, explanation: m.explanation, details: mappingDetails(left, right, m) },
    rows: diffPresetFiles(left, right).map((d) => ({ file: d.file, key: d.key, left: show(d.left), right: show(d.right), kind: d.kind, ...(d.meaning ? { meaning: d.meaning } : {}) })),
  };
}
