/** Composition root: builds the objects, registers them, pushes every disposable. */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LintCodeActions } from './host/diagnostics/lintCodeActions';
import { LintDiagnostics } from './host/diagnostics/lintDiagnostics';
import { NotebookDiagnostics } from './host/diagnostics/notebookDiagnostics';
import { DocumentCache } from './host/documentCache';
import { EngineHost } from './host/engine/engineHost';
import { PresetHoverProvider } from './host/hover/presetHoverProvider';
import { createLogger } from './host/log';
import { Panels } from './host/panels/panels';
import { registerCommands } from './host/commands/commands';
import { COMMANDS } from './host/commands/commandIds';

/** What activate() returns: used by the extension-host tests to read the panels' state. */
export interface ViTDoctorApi {
  reportState(): unknown;
  statsState(): unknown;
  diffState(): unknown;
  trainingState(): unknown;
  engineBackend(): string | null;
  /** the engine process (for tests and diagnostics): its pid when running, and whether a request is in flight */
  engineProcess(): { pid: number | null; busy: boolean };
}

export function activate(context: vscode.ExtensionContext): ViTDoctorApi {
  const started = Date.now();
  const { channel, logger } = createLogger();
  const showError = (message: string): void => {
    void vscode.window.showErrorMessage(message, 'Show Logs').then((a) => {
      if (a) channel.show(true);
    });
  };
  const root = context.extensionPath;
  const cache = new DocumentCache({
    treeSitterWasm: join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.wasm'),
    pythonWasm: join(root, 'node_modules', 'tree-sitter-python', 'tree-sitter-python.wasm'),
  });
  const nativeDir = join(context.globalStorageUri.fsPath, 'native');
  const offerNative = (backend: string, requested: string): void => {
    // On a machine with internet, offer tfjs-node once: it is much faster than wasm (forward passes on onnx need no offer).
    if (requested !== 'auto' || backend === 'tensorflow' || backend === 'onnx' || context.globalState.get('vitDoctor.nativeOffered')) return;
    void context.globalState.update('vitDoctor.nativeOffered', true);
    void vscode.window
      .showInformationMessage(`ViT Doctor runs on the ${backend} backend. The native TensorFlow backend (@tensorflow/tfjs-node) is much faster; installing it needs internet.`, 'Install', 'Not now')
      .then((a) => {
        if (a === 'Install') void vscode.commands.executeCommand(COMMANDS.installNativeBackend);
      });
  };
  const engine = new EngineHost(root, logger, nativeDir, join(context.globalStorageUri.fsPath, 'cache'), (m) => showError(m), offerNative);
  const panels = new Panels(context.extensionUri, () => void vscode.commands.executeCommand(COMMANDS.runSanityBatch));
  const diagnostics = new LintDiagnostics(cache, context.extensionUri, logger);
  const notebookDiagnostics = new NotebookDiagnostics(cache, context.extensionUri, logger);
  const selector: vscode.DocumentSelector = { language: 'python' };
  context.subscriptions.push(
    channel,
    engine,
    panels,
    diagnostics,
    notebookDiagnostics,
    { dispose: () => cache.dispose() },
    vscode.languages.registerHoverProvider(selector, new PresetHoverProvider(cache)),
    vscode.languages.registerCodeActionsProvider(selector, new LintCodeActions([diagnostics, notebookDiagnostics]), { providedCodeActionKinds: LintCodeActions.kinds }),
  );
  registerCommands(context, { cache, engine, panels, channel, log: logger, nativeDir, showError });
  logger.info(`activated in ${Date.now() - started} ms`);
  return {
    reportState: () => panels.report.currentState,
    statsState: () => panels.stats.currentState,
    diffState: () => panels.diff.currentState,
    trainingState: () => panels.training.currentState,
    engineBackend: () => engine.backend,
    engineProcess: () => engine.processInfo(),
  };
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
