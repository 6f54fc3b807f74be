import '../shared/theme.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { Endpoint } from '../../src/protocol/endpoint';
import type { PanelNotificationsToHost, PanelNotificationsToWebview, ReportPanelState } from '../../src/protocol/panelProtocol';
import { hostApi } from '../shared/hostApi';
import { createWebviewTransport } from '../shared/webviewEndpoint';
import { renderReport } from './reportView';

const ep = new Endpoint<Record<string, never>, PanelNotificationsToHost, Record<string, never>, PanelNotificationsToWebview<ReportPanelState>>(createWebviewTransport());
const root = document.getElementById('root') as HTMLElement;
const actions = {
  reveal: (line: number) => ep.notify('panel/revealLine', { line }),
  rerun: () => ep.notify('panel/rerun', {}),
};
const show = (state: ReportPanelState): void => {
  hostApi().setState(state);
  renderReport(root, state, actions);
};
const saved = hostApi().getState() as ReportPanelState | undefined;
if (saved) renderReport(root, saved, actions);
ep.onNotification('panel/state', show);
ep.notify('panel/ready', {});
