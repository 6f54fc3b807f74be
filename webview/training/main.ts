import '../shared/theme.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { Endpoint } from '../../src/protocol/endpoint';
import type { PanelNotificationsToHost, PanelNotificationsToWebview, TrainPanelState } from '../../src/protocol/panelProtocol';
import { hostApi } from '../shared/hostApi';
import { createWebviewTransport } from '../shared/webviewEndpoint';
import { renderTraining } from './trainingView';

const ep = new Endpoint<Record<string, never>, PanelNotificationsToHost, Record<string, never>, PanelNotificationsToWebview<TrainPanelState>>(createWebviewTransport());
const root = document.getElementById('root') as HTMLElement;
let state: TrainPanelState | null = (hostApi().getState() as TrainPanelState | undefined) ?? null;
let scheduled = false;
const onStop = (): void => ep.notify('panel/stop', {});
/** Redraw at most once per animation frame, however fast events arrive. */
const draw = (): void => {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    if (!state) return;
    hostApi().setState(state);
    renderTraining(root, state, onStop);
  });
};
if (state) draw();
ep.onNotification('panel/state', (s) => {
  state = s;
  draw();
});
ep.onNotification('train/append', ({ events }) => {
  if (!state) return;
  state = { ...state, events: [...state.events, ...events] };
  draw();
});
ep.notify('panel/ready', {});
