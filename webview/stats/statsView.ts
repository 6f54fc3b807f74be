import type { StatsPanelState } from '../../src/protocol/panelProtocol';
import type { ChannelStats } from '../../src/protocol/statsTypes';
import { fmt, h } from '../shared/dom';
import { histogramChart } from './histogramChart';

const CH = ['R', 'G', 'B'];

function statsTable(rows: [string, ChannelStats[]][]): HTMLTableElement {
  const t = h('table', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'ch'), h('th', { class: 'num' }, 'min'), h('th', { class: 'num' }, 'max'), h('th', { class: 'num' }, 'mean'), h('th', { class: 'num' }, 'std')));
  for (const [label, stats] of rows) {
    stats.forEach((c, i) => t.appendChild(h('tr', {}, h('td', {}, i === 0 ? label : ''), h('td', {}, CH[i] ?? String(i)), h('td', { class: 'num' }, fmt(c.min)), h('td', { class: 'num' }, fmt(c.max)), h('td', { class: 'num' }, fmt(c.mean)), h('td', { class: 'num' }, fmt(c.std)))));
  }
  return t;
}

/** Plain-language verdict from the measured statistics. */
export function verdict(st: NonNullable<StatsPanelState['report']>): { ok: boolean; text: string } {
  const input = st.findings.filter((f) => ['SAN001', 'SAN002', 'SAN003', 'SAN010'].includes(f.code));
  if (input.length === 0) return { ok: true, text: `The batch reaching the backbone matches what ${st.preset.name} expects (${st.inputStats.expectedRange.formula}, ${st.inputStats.expectedRange.rangeText}).` };
  return { ok: false, text: input.map((f) => f.title).join(' ') };
}

/** Pure render of the input statistics panel. */
export function renderStats(root: HTMLElement, state: StatsPanelState): void {
  root.replaceChildren();
  const r = state.report;
  root.appendChild(h('h1', {}, r ? `Input statistics — ${r.preset.name}` : 'Input statistics'));
  if (!r) {
    root.appendChild(h('p', { class: 'empty muted' }, 'Run the sanity batch to see the distribution of the pixels that reach the backbone.'));
    return;
  }
  const v = verdict(r);
  root.appendChild(h('p', { class: v.ok ? 'ok' : 'mismatch', id: 'verdict' }, v.text));
  const st = r.inputStats;
  root.appendChild(h('h2', {}, `After preprocessing (${r.userPreprocessing}) vs what the preset expects`));
  const charts = h('div', { class: 'pipeline' });
  st.histograms.fed.forEach((hist, i) => {
    const range: [number, number] | undefined = st.expectedRange.min.length ? [st.expectedRange.min[i] as number, st.expectedRange.max[i] as number] : undefined;
    charts.appendChild(histogramChart({ title: `${CH[i]} fed (blue) vs expected (orange)`, fed: hist, expected: st.histograms.expected[i], expectedRange: range }));
  });
  root.appendChild(charts);
  root.appendChild(h('h2', {}, 'Raw pixels (0–255)'));
  const raw = h('div', { class: 'pipeline' });
  st.histograms.raw.forEach((hist, i) => raw.appendChild(histogramChart({ title: `${CH[i]} raw`, fed: hist, height: 90 })));
  root.appendChild(raw);
  root.appendChild(h('h2', {}, 'Statistics'));
  root.appendChild(statsTable([['raw 0–255', st.raw], ['fed to backbone', st.fed], ['preset expects', st.expected]]));
  if (state.thumbnails.length) {
    root.appendChild(h('h2', {}, 'What the model sees (after the converter, de-normalised)'));
    const strip = h('div', { class: 'thumbs' });
    state.thumbnails.forEach((src, i) => {
      const name = r.images[i]?.file.split(/[\\/]/).pop() ?? '';
      // only the PNG data: URIs the engine encodes; anything else (a javascript: or remote URL) is not loaded
      const image = /^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(src) ? h('img', { src, width: 96, height: 96, alt: name }) : h('div', { class: 'thumb-missing muted' }, 'no preview');
      strip.appendChild(h('figure', {}, image, h('figcaption', { class: 'muted' }, name)));
    });
    root.appendChild(strip);
  }
}
