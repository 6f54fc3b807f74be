import type { Histogram } from '../../src/protocol/statsTypes';
import { s } from '../shared/dom';

export interface HistogramChartInput {
  title: string;
  fed: Histogram;
  expected?: Histogram;
  /** Shaded range the preset expects, in value units. */
  expectedRange?: [number, number];
  width?: number;
  height?: number;
}

/** Pure render: bins → an SVG histogram with the expected range shaded and the correct distribution overlaid. */
export function histogramChart(inp: HistogramChartInput): SVGElement {
  const W = inp.width ?? 300;
  const H = inp.height ?? 120;
  const pad = { l: 6, r: 6, t: 16, b: 18 };
  const lo = Math.min(inp.fed.lo, inp.expected?.lo ?? Infinity, inp.expectedRange?.[0] ?? Infinity);
  const hi = Math.max(inp.fed.hi, inp.expected?.hi ?? -Infinity, inp.expectedRange?.[1] ?? -Infinity);
  const span = hi - lo || 1;
  const x = (v: number): number => pad.l + ((v - lo) / span) * (W - pad.l - pad.r);
  const maxCount = Math.max(1, ...inp.fed.counts, ...(inp.expected?.counts ?? []));
  const y = (c: number): number => H - pad.b - (c / maxCount) * (H - pad.t - pad.b);
  const svg = s('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': inp.title });
  svg.appendChild(s('text', { x: pad.l, y: 11, class: 'hist-text' }, inp.title));
  if (inp.expectedRange) {
    const [a, b] = inp.expectedRange;
    svg.appendChild(s('rect', { class: 'hist-expected', x: x(a), y: pad.t, width: Math.max(1, x(b) - x(a)), height: H - pad.t - pad.b }, s('title', {}, `expected range [${a}, ${b}]`)));
  }
  const bars = (h: Histogram, cls: string): void => {
    const bw = (h.hi - h.lo) / h.counts.length;
    h.counts.forEach((c, i) => {
      if (c === 0) return;
      const x0 = x(h.lo + i * bw);
      const x1 = x(h.lo + (i + 1) * bw);
      svg.appendChild(s('rect', { class: cls, x: x0, y: y(c), width: Math.max(1, x1 - x0 - 0.5), height: H - pad.b - y(c) }));
    });
  };
  if (inp.expected) bars(inp.expected, 'hist-bar exp');
  bars(inp.fed, 'hist-bar');
  svg.appendChild(s('line', { class: 'hist-axis', x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b }));
  svg.appendChild(s('text', { x: pad.l, y: H - 4, class: 'hist-text' }, lo.toFixed(2)));
  svg.appendChild(s('text', { x: W - pad.r, y: H - 4, class: 'hist-text', 'text-anchor': 'end' }, hi.toFixed(2)));
  return svg;
}
