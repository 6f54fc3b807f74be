import '../shared/theme.css';
import { Endpoint } from '../../src/protocol/endpoint';
import type { PanelNotificationsToHost, PanelNotificationsToWebview, StatsPanelState } from '../../src/protocol/panelProtocol';
import { hostApi } from '../shared/hostApi';
import { createWebviewTransport } from '../shared/webviewEndpoint';
import { renderStats } from './statsView';

const ep = new Endpoint<Record<string, never>, PanelNotificationsToHost, Record<string, never>, PanelNotificationsToWebview<StatsPanelState>>(createWebviewTransport());
const root = document.getElementById('root') as HTMLElement;
const saved = hostApi().getState() as StatsPanelState | undefined;
if (saved) renderStats(root, saved);
ep.onNotification('panel/state', (state) => {
  hostApi().setState(state);
  renderStats(root, state);
});
ep.notify('panel/ready', {});
