import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Endpoint } from '../../protocol/endpoint';
import { isEnvelope, type Envelope } from '../../protocol/envelope';
import type { PanelNotificationsToHost, PanelNotificationsToWebview } from '../../protocol/panelProtocol';
import type { Transport } from '../../protocol/transport';

export type PanelEndpoint<S> = Endpoint<Record<string, never>, PanelNotificationsToWebview<S>, Record<string, never>, PanelNotificationsToHost>;

function webviewTransport(panel: vscode.WebviewPanel): Transport {
  const listeners = new Set<(m: Envelope) => void>();
  const sub = panel.webview.onDidReceiveMessage((m: unknown) => {
    if (isEnvelope(m)) listeners.forEach((l) => l(m));
  });
  return {
    send: (m) => void panel.webview.postMessage(m),
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose: () => sub.dispose(),
  };
}

/** Strict CSP with a fresh nonce; scripts and styles only from the extension's dist/webview folder. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${bundle}.css`));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${style}">
<title>${esc(title)}</title>
</head>
<body>
<main id="root" tabindex="-1"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/**
 * A webview panel that shows one State: created or revealed, restored by a serializer after reload, answers the
 * webview's ready handshake with the full state.
 */
export class PanelHost<S> implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private endpoint: PanelEndpoint<S> | null = null;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly viewType: string,
    private readonly title: string,
    private readonly bundle: string,
    private state: S,
    private readonly handlers: { onRevealLine?(line: number): void; onRerun?(): void; onStop?(): void } = {},
  ) {}

  get isOpen(): boolean {
    return this.panel !== null;
  }

  get currentState(): S {
    return this.state;
  }

  show(column = vscode.ViewColumn.Beside): void {
    if (this.panel) {
      this.panel.reveal(column, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(this.viewType, this.title, { viewColumn: column, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    });
    this.attach(panel);
  }

  /** Re-wires a panel restored by VS Code after a reload; its saved state wins until the host has a newer one. */
  restore(panel: vscode.WebviewPanel, saved: unknown): void {
    if (saved && !this.panel) this.state = saved as S;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, this.bundle, this.title);
    const transport = webviewTransport(panel);
    const ep: PanelEndpoint<S> = new Endpoint(transport);
    this.endpoint = ep;
    ep.onNotification('panel/ready', () => ep.notify('panel/state', this.state));
    ep.onNotification('panel/revealLine', (p) => this.handlers.onRevealLine?.(p.line));
    ep.onNotification('panel/rerun', () => this.handlers.onRerun?.());
    ep.onNotification('panel/stop', () => this.handlers.onStop?.());
    this.subs.push(
      panel.onDidDispose(() => {
        transport.dispose();
        this.panel = null;
        this.endpoint = null;
      }),
    );
  }

  /** Sends a notification other than the full state (e.g. appended training events). */
  notify<M extends keyof PanelNotificationsToWebview<S> & string>(method: M, params: PanelNotificationsToWebview<S>[M], nextState: S): void {
    this.state = nextState;
    this.endpoint?.notify(method, params);
  }

  update(state: S): void {
    this.state = state;
    this.endpoint?.notify('panel/state', state);
  }

  dispose(): void {
    this.panel?.dispose();
    this.subs.forEach((d) => d.dispose());
  }
}
