import type { DiffPanelState } from '../../src/protocol/panelProtocol';
import { custom, h } from '../shared/dom';

/** Pure render of the preset diff: effective input mapping first, then every key, differences highlighted. */
export function renderDiff(root: HTMLElement, state: DiffPanelState | null, opts: { showSame: boolean; onToggle(): void }): void {
  root.replaceChildren();
  if (!state) {
    root.appendChild(h('p', { class: 'empty muted' }, 'Choose two presets with "ViT Doctor: Compare Presets...".'));
    return;
  }
  root.appendChild(h('h1', {}, `${state.leftLabel} ↔ ${state.rightLabel}`));
  root.appendChild(h('h2', {}, 'Effective input mapping'));
  root.appendChild(
    h('table', { id: 'mapping-table' },
      h('tr', {}, h('th', {}, ''), h('th', {}, state.leftLabel), h('th', {}, state.rightLabel)),
      h('tr', {}, h('td', {}, 'pixel map'), h('td', { class: 'mono' }, state.mapping.left), h('td', { class: 'mono' }, state.mapping.right)),
      ...(state.mapping.details ?? []).map((d) =>
        h('tr', { class: d.same ? 'diff-same' : 'diff-changed' }, h('td', {}, d.label), h('td', { class: 'mono' }, d.left), h('td', { class: 'mono' }, d.right)))),
  );
  root.appendChild(h('p', { id: 'mapping-verdict', class: state.mapping.same ? 'ok' : 'mismatch' }, state.mapping.explanation));
  const changed = state.rows.filter((r) => r.kind !== 'same');
  root.appendChild(h('h2', {}, `Keys (${changed.length} differ of ${state.rows.length})`));
  const toggle = custom('vscode-button', { id: 'toggle-same', secondary: true }, opts.showSame ? 'Hide equal keys' : 'Show equal keys');
  toggle.addEventListener('click', opts.onToggle);
  root.appendChild(toggle);
  const t = h('table', { id: 'diff-table' }, h('tr', {}, h('th', {}, 'file'), h('th', {}, 'key'), h('th', {}, state.leftLabel), h('th', {}, state.rightLabel), h('th', {}, 'meaning')));
  for (const r of opts.showSame ? state.rows : changed) {
    t.appendChild(h('tr', { class: `diff-${r.kind}` }, h('td', {}, r.file), h('td', { class: 'mono' }, r.key), h('td', { class: 'mono' }, r.left), h('td', { class: 'mono' }, r.right), h('td', {}, r.meaning ?? '')));
  }
  root.appendChild(t);
}
