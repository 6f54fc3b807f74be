import type { SyntaxNode as Node } from './syntaxNode';
import { PREDICTION_METHODS, type FlowModel, type ModelFlow } from './modelFlow';
import { mergeRanges, rangesContain, type RangeSet } from './rangeSet';

/**
 * The pixels a model takes: the path of its data, cut where another model's predict or call makes features
 * (`features = base.predict(x)`, `f = conv_base(xb)`, `base.predict_generator(gen)`). A head fit on features does not
 * take the pixels (or their scaling) that went into the extractor, so it does not share them with the extractor.
 */
interface PixelPath {
  /** Reached directly (names followed to their assignments). */
  merged: RangeSet;
  /** Reached only as part of a helper body brought in whole (`features, labels = extract(dir)`). */
  helpers: RangeSet;
  /** The data of the feature-making calls: a helper body's code there feeds the extractor. */
  extracted: RangeSet;
  /** Argument extents of the feature-making calls: code inside them feeds the extractor, not this model. */
  cut: RangeSet;
}

const cache = new WeakMap<ModelFlow, WeakMap<ReadonlySet<FlowModel>, Map<number, PixelPath>>>();

/** Whether a model's output is features, not pixels: a pretrained model (keras.applications, keras_hub) or one holding it. */
export function makesFeatures(m: FlowModel, extractors: ReadonlySet<FlowModel>): boolean {
  return m.kind === 'application' || m.kind === 'hub' || m.hub.length > 0 || extractors.has(m);
}

function pixelPath(flow: ModelFlow, m: FlowModel, extractors: ReadonlySet<FlowModel>): PixelPath {
  let bySet = cache.get(flow);
  if (!bySet) cache.set(flow, (bySet = new WeakMap()));
  let byModel = bySet.get(extractors);
  if (!byModel) bySet.set(extractors, (byModel = new Map()));
  let p = byModel.get(m.node.id);
  if (p) return p;
  const stop = new Set<number>();
  const cut: { start: number; end: number }[] = [];
  const data: Node[] = [];
  for (const f of flow.feeds()) {
    if (f.target === m || !makesFeatures(f.target, extractors)) continue;
    if (f.method !== '__call__' && !PREDICTION_METHODS.has(f.method)) continue;
    stop.add(f.call.node.id);
    const args = f.call.node.childForFieldName('arguments');
    if (args) cut.push({ start: args.startIndex, end: args.endIndex });
    if (f.data) data.push(f.data);
  }
  const starts = [m.node];
  for (const f of flow.feedsOf(m)) if (f.data) starts.push(f.data);
  const cutSet = mergeRanges(cut);
  const ranges = flow.slice(starts, stop, cutSet).ranges;
  const extracted = mergeRanges(data.length ? flow.slice(data).ranges : []);
  p = { merged: mergeRanges(ranges.filter((r) => !r.via)), helpers: mergeRanges(ranges.filter((r) => r.via)), extracted, cut: cutSet };
  byModel.set(m.node.id, p);
  return p;
}

/**
 * Whether a node lies on the pixels fed to a model (its graph or its data), not counting what only reaches it through
 * the features another model computes (`extractors`: models of the file whose output is features, besides pretrained ones).
 */
export function onPixelPathOfModel(flow: ModelFlow, m: FlowModel, node: Node, extractors: ReadonlySet<FlowModel>): boolean {
  const p = pixelPath(flow, m, extractors);
  const [start, end] = [node.startIndex, node.endIndex];
  if (rangesContain(p.cut, start, end)) return false;
  // a helper body is on the path whole: code of it that feeds the extractor is not this model's pixels
  return rangesContain(p.merged, start, end) || (rangesContain(p.helpers, start, end) && !rangesContain(p.extracted, start, end));
}
