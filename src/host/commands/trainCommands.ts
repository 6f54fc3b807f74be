import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { findPresetDir } from '../../core/presets/presetDiffSide';
import { RemoteError } from '../../protocol/endpoint';
import type { TrainEvent, TrainMode } from '../../protocol/trainProtocol';
import type { DocumentCache } from '../documentCache';
import type { EngineHost } from '../engine/engineHost';
import type { Panels } from '../panels/panels';
import { readSettings } from '../settings';
import { editorContext, pickPreset, presetFromEditor } from './presetPicker';

interface Deps {
  cache: DocumentCache;
  engine: EngineHost;
  panels: Panels;
  showError(m: string): void;
}

async function presetAndData(d: Deps, title: string): Promise<{ dir: string; name: string; data: string; preprocessing: string | null } | undefined> {
  const ctx = await editorContext(d.cache);
  const s = readSettings(ctx.doc?.uri);
  const name = presetFromEditor(ctx) ?? (s.preset || undefined) ?? (await pickPreset(`${title}: choose a preset`));
  if (!name) return undefined;
  const dir = findPresetDir(name, ctx.baseDirs);
  if (!dir) {
    d.showError(`Preset "${name}" is not on this machine: download it once with keras_hub.models.Backbone.from_preset("${name}"), or choose a preset folder.`);
    return undefined;
  }
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let data = s.trainData ? (isAbsolute(s.trainData) || !ws ? s.trainData : join(ws, s.trainData)) : '';
  if (!data || !existsSync(data)) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this image folder', title: `${title}: image folder with one sub-folder per class (set vitDoctor.train.data to skip this)` });
    if (!picked?.[0]) return undefined;
    data = picked[0].fsPath;
  }
  return { dir, name, data, preprocessing: ctx.insights?.pipeline.preprocessing ?? null };
}

function runInPanel<T>(d: Deps, title: string, work: (token: vscode.CancellationToken, append: (e: TrainEvent) => void) => Promise<T>): Promise<T | undefined> {
  const panel = d.panels.training;
  panel.update({ title, running: true, events: [], check: null, error: null });
  panel.show();
  const cts = new vscode.CancellationTokenSource();
  d.panels.stopTraining = () => cts.cancel();
  let pending: TrainEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    if (!pending.length) return;
    const events = pending;
    pending = [];
    panel.notify('train/append', { events }, { ...panel.currentState, events: [...panel.currentState.events, ...events] });
  };
  const append = (e: TrainEvent): void => {
    pending.push(e);
    timer ??= setTimeout(flush, 50);
  };
  return Promise.resolve(vscode.window
    .withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => cts.cancel());
      return work(cts.token, (e) => {
        if (e.type === 'step') progress.report({ message: `step ${e.step}, loss ${e.loss.toFixed(3)}` });
        else if (e.type === 'epoch') progress.report({ message: `epoch ${e.epoch}: val acc ${(e.valAccuracy * 100).toFixed(1)}%` });
        append(e);
      });
    })
    .then(
      (r) => {
        if (timer) clearTimeout(timer);
        flush();
        panel.update({ ...panel.currentState, running: false });
        return r;
      },
      (e: unknown) => {
        if (timer) clearTimeout(timer);
        flush();
        const w = e instanceof RemoteError ? e.wire : { code: 'E_INTERNAL', message: (e as Error).message, hint: undefined };
        panel.update({ ...panel.currentState, running: false, error: w.code === 'E_CANCELLED' ? 'Stopped.' : `${w.message}${w.hint ? ` — ${w.hint}` : ''}` });
        if (w.code !== 'E_CANCELLED') d.showError(`${title} failed: ${w.message}`);
        return undefined;
      },
    ))
    .finally(() => {
      d.panels.stopTraining = null;
      cts.dispose();
    });
}

/** ViT Doctor: Train... — a short fine-tune with live curves in the training panel. */
export async function trainCommand(d: Deps): Promise<void> {
  const sel = await presetAndData(d, 'Train');
  if (!sel) return;
  const s = readSettings();
  const modes: (vscode.QuickPickItem & { mode: TrainMode })[] = [
    { label: 'head', description: 'frozen backbone, cached features: seconds on a CPU', mode: 'head' },
    { label: 'last-k', description: 'last 2 blocks + head', mode: 'last-k' },
    { label: 'full', description: 'every parameter (refused up front when it will not fit in memory)', mode: 'full' },
  ];
  const mode = await vscode.window.showQuickPick(modes.sort((a) => (a.mode === s.trainMode ? -1 : 0)), { title: 'Training mode' });
  if (!mode) return;
  const result = await runInPanel(d, `Training ${sel.name} (${mode.mode})`, (token, onEvent) =>
    d.engine.trainRequest('engine/train', { preset: sel.dir, data: sel.data, mode: mode.mode, epochs: s.trainEpochs, labelSmoothing: s.trainLabelSmoothing }, token, (e) => {
      if (e.type !== 'check') onEvent(e);
    }),
  );
  if (result?.stopped === 'cancelled') void vscode.window.showInformationMessage('ViT Doctor: training stopped.');
}

/** ViT Doctor: Check Pipeline Can Learn — init loss, overfit one batch, zero-input baseline, preprocessing A/B. */
export async function checkPipelineCommand(d: Deps): Promise<void> {
  const sel = await presetAndData(d, 'Check pipeline');
  if (!sel) return;
  const compare = (['none', 'rescale', 'imagenet'] as const).slice();
  const { trainLabelSmoothing } = readSettings();
  const result = await runInPanel(d, `Can ${sel.name} learn on ${vscode.workspace.asRelativePath(sel.data)}?`, (token, onEvent) =>
    d.engine.trainRequest('engine/checkPipeline', { preset: sel.dir, data: sel.data, compare: [...compare], labelSmoothing: trainLabelSmoothing }, token, (e) => {
      if (e.type !== 'check') onEvent(e);
    }),
  );
  if (result) d.panels.training.update({ ...d.panels.training.currentState, check: result });
}
