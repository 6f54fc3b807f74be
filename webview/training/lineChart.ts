import { s } from '../shared/dom';

export interface Series {
  name: string;
  points: [number, number][];
  cls: string;
}

/** Pure render: series → an SVG line chart. One <polyline> per series, so hundreds of points redraw cheaply. */
export function lineChart(title: string, series: Series[], opts: { width?: number; height?: number; yMin?: number; yMax?: number } = {}): SVGElement {
  const W = opts.width ?? 420;
  const H = opts.height ?? 160;
  const pad = { l: 36, r: 8, t: 16, b: 18 };
  const all = series.flatMap((x) => x.points).filter(([, y]) => Number.isFinite(y));
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const yMin = opts.yMin ?? Math.min(0, ...all.map(([, y]) => y));
  const yMax = opts.yMax ?? Math.max(1e-6, ...all.map(([, y]) => y));
  const sx = (x: number): number => pad.l + (x / xMax) * (W - pad.l - pad.r);
  const sy = (y: number): number => H - pad.b - ((y - yMin) / (yMax - yMin || 1)) * (H - pad.t - pad.b);
  const svg = s('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, 'data-chart': title });
  svg.appendChild(s('text', { x: pad.l, y: 11, class: 'hist-text' }, title));
  svg.appendChild(s('line', { class: 'hist-axis', x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b }));
  svg.appendChild(s('line', { class: 'hist-axis', x1: pad.l, x2: pad.l, y1: pad.t, y2: H - pad.b }));
  svg.appendChild(s('text', { x: pad.l - 4, y: pad.t + 8, class: 'hist-text', 'text-anchor': 'end' }, yMax.toPrecision(2)));
  svg.appendChild(s('text', { x: pad.l - 4, y: H - pad.b, class: 'hist-text', 'text-anchor': 'end' }, yMin.toPrecision(2)));
  svg.appendChild(s('text', { x: W - pad.r, y: H - 4, class: 'hist-text', 'text-anchor': 'end' }, String(xMax)));
  let ly = pad.t + 4;
  for (const ser of series) {
    const pts = ser.points.filter(([, y]) => Number.isFinite(y));
    if (pts.length === 0) continue;
    svg.appendChild(s('polyline', { class: `line ${ser.cls}`, fill: 'none', points: pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ') }));
    if (pts.length === 1) svg.appendChild(s('circle', { class: `dot ${ser.cls}`, cx: sx(pts[0]![0]), cy: sy(pts[0]![1]), r: 2.5 }));
    svg.appendChild(s('text', { x: W - pad.r - 4, y: (ly += 11), class: `hist-text legend ${ser.cls}`, 'text-anchor': 'end' }, ser.name));
  }
  return svg;
}

/** Horizontal bars (label → value), for gradient norms per block and the preprocessing A/B. */
export function barChart(title: string, bars: { label: string; value: number; cls?: string; text?: string }[], opts: { width?: number; max?: number; log?: boolean } = {}): SVGElement {
  const W = opts.width ?? 420;
  const row = 16;
  const H = 20 + bars.length * row;
  const labelW = 90;
  const f = (v: number): number => (opts.log ? Math.log10(Math.max(v, 1e-12)) + 12 : v);
  const max = Math.max(1e-12, opts.max ?? Math.max(...bars.map((b) => f(b.value))));
  const svg = s('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, 'data-chart': title });
  svg.appendChild(s('text', { x: 0, y: 11, class: 'hist-text' }, title));
  bars.forEach((b, i) => {
    const y = 18 + i * row;
    const w = Math.max(1, (f(b.value) / max) * (W - labelW - 70));
    svg.appendChild(s('text', { x: labelW - 4, y: y + 10, class: 'hist-text', 'text-anchor': 'end' }, b.label));
    svg.appendChild(s('rect', { x: labelW, y, width: w, height: row - 4, class: `hist-bar ${b.cls ?? ''}`, 'data-bar': b.label }));
    svg.appendChild(s('text', { x: labelW + w + 4, y: y + 10, class: 'hist-text' }, b.text ?? b.value.toPrecision(3)));
  });
  return svg;
}
