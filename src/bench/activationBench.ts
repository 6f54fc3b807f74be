import Module from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Activation cost of dist/extension.js: module load + activate() wiring, against a stand-in `vscode` module whose
 * every function returns a disposable (so only our own code is timed, not VS Code's). Median of fresh loads.
 */
export function benchActivation(runs = 15): string {
  const disposable = { dispose() {} };
  const stub: unknown = new Proxy(function () {}, {
    get: (_t, prop) => (prop === 'then' ? undefined : prop === 'dispose' ? () => {} : prop === Symbol.iterator ? function* () {} : prop === 'textDocuments' || prop === 'workspaceFolders' ? [] : stub),
    apply: () => ({ ...disposable, then: undefined, fsPath: tmpdir(), path: tmpdir(), show() {}, hide() {}, info() {}, warn() {}, error() {}, debug() {} }),
    construct: () => ({ ...disposable }),
  });
  const names = ['window', 'workspace', 'languages', 'commands', 'extensions', 'env', 'Uri', 'Range', 'Position', 'Selection', 'Diagnostic', 'DiagnosticSeverity',
    'DiagnosticRelatedInformation', 'Location', 'CodeAction', 'CodeActionKind', 'WorkspaceEdit', 'MarkdownString', 'Hover', 'ViewColumn', 'StatusBarAlignment',
    'ProgressLocation', 'QuickPickItemKind', 'TextEditorRevealType', 'CancellationTokenSource', 'TabInputWebview', 'EventEmitter', 'Disposable'];
  const vscodeModule = Object.fromEntries(names.map((n) => [n, stub]));
  const mod = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = mod._load;
  mod._load = function (request: string, ...rest: unknown[]): unknown {
    return request === 'vscode' ? vscodeModule : original.call(this, request, ...rest);
  };
  const file = resolve('dist/extension.js');
  const loads: number[] = [];
  const activations: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      delete require.cache[file];
      const t0 = performance.now();
      const ext = require(file) as { activate(ctx: unknown): unknown };
      const t1 = performance.now();
      const storage = mkdtempSync(join(tmpdir(), 'vtd-act-'));
      ext.activate({ subscriptions: [], extensionPath: resolve('.'), extensionUri: { fsPath: resolve('.'), path: resolve('.') }, globalStorageUri: { fsPath: storage }, globalState: { get: () => undefined, update: async () => {} } });
      activations.push(performance.now() - t1);
      loads.push(t1 - t0);
    }
  } finally {
    mod._load = original;
  }
  const med = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;
  return `| step | median ms |\n|---|---|\n| require(dist/extension.js) | ${med(loads).toFixed(2)} |\n| activate() | ${med(activations).toFixed(2)} |\n| first load (cold) | ${loads[0]!.toFixed(2)} |`;
}
