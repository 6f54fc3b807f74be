import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';

/**
 * Installs @tensorflow/tfjs-node (native TensorFlow, much faster than wasm) into the extension's global storage.
 * It needs internet (its install downloads libtensorflow); on failure the engine keeps using wasm.
 */
export async function installNativeBackend(nativeDir: string, log: Logger, restartEngine: () => Promise<void>): Promise<void> {
  mkdirSync(nativeDir, { recursive: true });
  if (!existsSync(join(nativeDir, 'package.json'))) writeFileSync(join(nativeDir, 'package.json'), '{"private":true}\n');
  const ok = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ViT Doctor: installing the native TensorFlow backend', cancellable: true },
    (progress, token) =>
      new Promise<boolean>((resolve) => {
        const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
        const child = spawn(npm, ['install', '--no-audit', '--no-fund', '--foreground-scripts', '@tensorflow/tfjs-node@4.22.0', '@tensorflow/tfjs-core@4.22.0'], { cwd: nativeDir, shell: false });
        token.onCancellationRequested(() => child.kill());
        const onData = (d: Buffer): void => {
          const line = d.toString().trim().split('\n').pop() ?? '';
          if (line) {
            log.info(`[npm] ${line}`);
            progress.report({ message: line.slice(0, 80) });
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', (e) => {
          log.error(`npm could not start: ${e.message}`);
          resolve(false);
        });
        child.on('exit', (code) => resolve(code === 0));
      }),
  );
  if (ok) {
    await restartEngine();
    void vscode.window.showInformationMessage('ViT Doctor: native TensorFlow backend installed; the engine was restarted.');
  } else {
    void vscode.window.showWarningMessage('ViT Doctor: the native backend could not be installed (see the log). The engine keeps using the wasm backend.', 'Show Logs').then((a) => {
      if (a) void vscode.commands.executeCommand('vitDoctor.showLogs');
    });
  }
}
