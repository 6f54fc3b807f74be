import '../shared/theme.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { Endpoint } from '../../src/protocol/endpoint';
import type { DiffPanelState, PanelNotificationsToHost, PanelNotificationsToWebview } from '../../src/protocol/panelProtocol';
import { hostApi } from '../shared/hostApi';
import { createWebviewTransport } from '../shared/webviewEndpoint';
import { renderDiff } from './diffView';

interface Saved {
  state: DiffPanelState | null;
  showSame: boolean;
}

const ep = new Endpoint<Record<string, never>, PanelNotificationsToHost, Record<string, never>, PanelNotificationsToWebview<DiffPanelState>>(createWebviewTransport());
const root = document.getElementById('root') as HTMLElement;
let saved: Saved = (hostApi().getState() as Saved | undefined) ?? { state: null, showSame: false };
const draw = (): void => {
  hostApi().setState(saved);
  renderDiff(root, saved.state, {
    showSame: saved.showSame,
    onToggle: () => {
      saved = { ...saved, showSame: !saved.showSame };
      draw();
    },
  });
};
draw();
ep.onNotification('panel/state', (state) => {
  saved = { ...saved, state };
  draw();
});
ep.notify('panel/ready', {});
