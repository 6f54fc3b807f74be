import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { DocumentCache } from '../documentCache';
import type { EngineHost } from '../engine/engineHost';
import type { Panels } from '../panels/panels';
import { COMMANDS } from './commandIds';
import { installNativeBackend } from './installNativeBackend';
import { comparePresets, showPresetConfig } from './presetCommands';
import { editorContext } from './presetPicker';
import { runSanityBatch } from './runSanityBatch';
import { checkPipelineCommand, trainCommand } from './trainCommands';

export interface CommandDeps {
  cache: DocumentCache;
  engine: EngineHost;
  panels: Panels;
  channel: vscode.LogOutputChannel;
  log: Logger;
  nativeDir: string;
  showError(message: string): void;
}

/** Command table: short name → handler; registered in a loop with the prefix (every id is in package.json). */
export function commandTable(d: CommandDeps): Record<keyof typeof COMMANDS, (...args: unknown[]) => unknown> {
  return {
    runSanityBatch: (preset) => runSanityBatch(d, preset),
    openShapeInspector: async () => {
      const ctx = await editorContext(d.cache);
      if (ctx.doc) {
        d.panels.sourceUri = ctx.doc.uri;
        d.panels.report.update({ ...d.panels.report.currentState, expected: ctx.insights?.expected ?? null, stageLines: ctx.insights?.stageLines ?? {}, sourceFile: vscode.workspace.asRelativePath(ctx.doc.uri) });
      }
      d.panels.report.show();
    },
    showInputStatistics: () => d.panels.stats.show(),
    comparePresets: (first) => comparePresets(d.cache, d.panels, d.showError, first),
    showPresetConfig: (preset) => showPresetConfig(d.cache, d.showError, preset),
    restartEngine: async () => {
      try {
        await d.engine.restart();
        void vscode.window.showInformationMessage(`ViT Doctor: engine restarted (backend ${d.engine.backend}).`);
      } catch (e) {
        d.showError(`The engine did not start: ${(e as Error).message}`);
      }
    },
    showLogs: () => d.channel.show(true),
    installNativeBackend: () => installNativeBackend(d.nativeDir, d.log, () => d.engine.restart()),
    train: () => trainCommand(d),
    checkPipeline: () => checkPipelineCommand(d),
  };
}

export function registerCommands(context: vscode.ExtensionContext, d: CommandDeps): void {
  const table = commandTable(d);
  for (const [name, handler] of Object.entries(table)) {
    const id = COMMANDS[name as keyof typeof COMMANDS];
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await handler(...args);
        } catch (e) {
          d.log.error(`${id}: ${(e as Error).stack ?? (e as Error).message}`);
          d.showError(`${id} failed: ${(e as Error).message}`);
        }
      }),
    );
  }
}
