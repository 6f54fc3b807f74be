import * as vscode from 'vscode';
import type { DiffPanelState, ReportPanelState, StatsPanelState, TrainPanelState } from '../../protocol/panelProtocol';
import { VIEW_TYPES } from '../commands/commandIds';
import { PanelHost } from './panelHost';

/** The three panels, created lazily and restored after reload by serializers. */
export class Panels implements vscode.Disposable {
  readonly report: PanelHost<ReportPanelState>;
  readonly stats: PanelHost<StatsPanelState>;
  readonly diff: PanelHost<DiffPanelState | null>;
  readonly training: PanelHost<TrainPanelState>;
  /** Stops the running training or check (set by the command that runs it). */
  stopTraining: (() => void) | null = null;
  /** Document the report's stage lines refer to. */
  sourceUri: vscode.Uri | null = null;
  private readonly subs: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, onRerun: () => void) {
    this.report = new PanelHost<ReportPanelState>(extensionUri, VIEW_TYPES.report, 'ViT Doctor: Sanity Report', 'report',
      { report: null, expected: null, stageLines: {}, sourceFile: null, running: false, error: null },
      { onRevealLine: (line) => void this.reveal(line), onRerun });
    this.stats = new PanelHost<StatsPanelState>(extensionUri, VIEW_TYPES.stats, 'ViT Doctor: Input Statistics', 'stats', { report: null, thumbnails: [] });
    this.diff = new PanelHost<DiffPanelState | null>(extensionUri, VIEW_TYPES.presetDiff, 'ViT Doctor: Preset Diff', 'presetDiff', null);
    this.training = new PanelHost<TrainPanelState>(extensionUri, VIEW_TYPES.training, 'ViT Doctor: Training', 'training',
      { title: 'Training', running: false, events: [], check: null, error: null }, { onStop: () => this.stopTraining?.() });
    for (const p of [this.report, this.stats, this.diff, this.training] as PanelHost<unknown>[]) {
      this.subs.push(
        vscode.window.registerWebviewPanelSerializer(p.viewType, {
          deserializeWebviewPanel: async (panel, state) => {
            const saved = state && typeof state === 'object' && 'state' in (state as object) && p === (this.diff as PanelHost<unknown>) ? (state as { state: unknown }).state : state;
            p.restore(panel, saved);
          },
        }),
      );
    }
  }

  private async reveal(line: number): Promise<void> {
    const uri = this.sourceUri;
    if (!uri) return;
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    const pos = new vscode.Position(Math.min(line, doc.lineCount - 1), 0);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
  }

  dispose(): void {
    this.report.dispose();
    this.stats.dispose();
    this.diff.dispose();
    this.training.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
