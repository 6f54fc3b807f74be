import { isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { findPresetDir } from '../../core/presets/presetDiffSide';
import { RemoteError } from '../../protocol/endpoint';
import type { SanityParams } from '../../protocol/engineProtocol';
import type { DocumentCache } from '../documentCache';
import type { EngineHost } from '../engine/engineHost';
import type { Panels } from '../panels/panels';
import { readSettings } from '../settings';
import { editorContext, pickPreset, presetFromEditor } from './presetPicker';

export interface SanityDeps {
  cache: DocumentCache;
  engine: EngineHost;
  panels: Panels;
  showError(message: string): void;
}

/**
 * Run Sanity Batch: preset from the argument (hover link), the from_preset(...) under the cursor, the active file,
 * `vitDoctor.preset`, else a quick pick; images from `vitDoctor.images` or a folder picker; the pipeline as the
 * code writes it (preprocessing, pooling, from_logits) unless `vitDoctor.sanity.preprocessing` says otherwise.
 */
export async function runSanityBatch(deps: SanityDeps, presetArg?: unknown): Promise<void> {
  const ctx = await editorContext(deps.cache);
  const settings = readSettings(ctx.doc?.uri);
  let preset = typeof presetArg === 'string' ? presetArg : presetFromEditor(ctx) ?? (settings.preset || undefined);
  preset ??= await pickPreset('Run Sanity Batch: choose a preset');
  if (!preset) return;
  const dir = findPresetDir(preset, ctx.baseDirs);
  if (!dir) {
    deps.showError(`Preset "${preset}" is not on this machine. Download it once in Python with keras_hub.models.Backbone.from_preset("${preset}"), or choose a preset folder.`);
    return;
  }
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let images = settings.images.map((p) => (isAbsolute(p) || !ws ? p : join(ws, p))).filter((p) => existsSync(p));
  if (images.length === 0) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: true, canSelectMany: true, openLabel: 'Use these images', title: 'Images for the sanity batch (set vitDoctor.images to skip this)' });
    if (!picked?.length) return;
    images = picked.map((u) => u.fsPath);
  }
  const pipeline = ctx.insights?.pipeline;
  const params: SanityParams = {
    preset: dir,
    images,
    batch: settings.sanityBatch,
    userPreprocessing: settings.sanityPreprocessing === 'auto' ? pipeline?.preprocessing ?? 'preset' : settings.sanityPreprocessing,
    userPooling: pipeline?.pooling ?? undefined,
    userFromLogits: pipeline?.fromLogits,
    thumbnails: true,
  };
  deps.panels.sourceUri = ctx.doc?.uri ?? null;
  const base = deps.panels.report.currentState;
  deps.panels.report.update({ ...base, running: true, error: null, expected: ctx.insights?.expected ?? base.expected, stageLines: ctx.insights?.stageLines ?? {}, sourceFile: ctx.doc ? vscode.workspace.asRelativePath(ctx.doc.uri) : null });
  deps.panels.report.show();
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ViT Doctor: sanity batch on ${preset}`, cancellable: true },
      async (progress, token) => {
        let last = 0;
        return deps.engine.sanityPass(params, token, (message, fraction) => {
          progress.report({ message, increment: Math.max(0, (fraction - last) * 100) });
          last = Math.max(last, fraction);
        });
      },
    );
    const { thumbnails, ...rest } = report;
    deps.panels.report.update({ ...deps.panels.report.currentState, report: { ...rest, preset: { ...rest.preset, name: preset } }, running: false, error: null });
    deps.panels.stats.update({ report: { inputStats: rest.inputStats, images: rest.images, userPreprocessing: rest.userPreprocessing, findings: rest.findings, preset: { ...rest.preset, name: preset } }, thumbnails: thumbnails ?? [] });
  } catch (e) {
    const wire = e instanceof RemoteError ? e.wire : { code: 'E_INTERNAL', message: (e as Error).message };
    const cancelled = wire.code === 'E_CANCELLED';
    deps.panels.report.update({ ...deps.panels.report.currentState, running: false, error: cancelled ? 'Cancelled.' : `${wire.message}${wire.hint ? ` — ${wire.hint}` : ''}` });
    if (!cancelled) deps.showError(`Sanity batch failed: ${wire.message}`);
  }
}
