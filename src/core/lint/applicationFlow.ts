import type { SyntaxNode as Node } from './syntaxNode';
import type { ApplicationModel } from './applicationModels';
import type { Feed, FlowModel, ModelFlow } from './modelFlow';
import { helperCallOf, parameterModelReads, type SiteBinding } from './helperSites';
import { mergeRanges, rangesContain } from './rangeSet';
import { stagesBefore, type SequentialLayer } from './sequentialLayers';

/** The code on the path of the data into a keras.applications model, the calls feeding it, the links not followed. */
export interface ApplicationPath {
  starts: number[];
  ends: number[];
  /** Helper bodies brought in by a reference: the reference, to show where the helper is applied. */
  vias: { start: number; end: number; via: Node }[];
  feeds: (Feed & { target: FlowModel })[];
  missing: string[];
}

/**
 * The model flow seen from keras.applications models: which Sequential/functional models of the file hold one
 * (directly, through `model.add`, `base.output`, a call in the graph, or a model holding it), and what reaches it.
 */
export class ApplicationFlow {
  private feedList: (Feed & { target: FlowModel })[] | null = null;
  private readonly graphs = new Map<number, { starts: number[]; ends: number[] }>();
  private readonly paths = new Map<number, ApplicationPath>();
  private readonly holderSets = new Map<number, Set<FlowModel>>();
  /** Per application: models a helper builds around it at some of its calls only, with those calls (node ids). */
  private readonly siteHolders = new Map<number, Map<FlowModel, Set<number>>>();
  private siteBindings: SiteBinding[] | null = null;

  constructor(readonly flow: ModelFlow) {}

  private feeds(): (Feed & { target: FlowModel })[] {
    return (this.feedList ??= this.flow.feeds());
  }

  private fed: { model: FlowModel; last: number }[] | null = null;

  /** Models some call of the file feeds with data (fit, predict, a call) after an offset. */
  fedModels(after = -1): FlowModel[] {
    if (!this.fed) {
      const last = new Map<FlowModel, number>();
      for (const f of this.feeds()) if (f.data) last.set(f.target, Math.max(last.get(f.target) ?? -1, f.call.node.startIndex));
      this.fed = [...last].map(([model, at]) => ({ model, last: at }));
    }
    return this.fed.filter((f) => f.last > after).map((f) => f.model);
  }

  /** The flow model of an application's constructor call. */
  modelOf(app: ApplicationModel): FlowModel | undefined {
    return this.flow.models.find((m) => m.node.id === app.call.node.id);
  }

  /** The code a functional model's inputs and outputs are computed from. */
  private graphOf(m: FlowModel): { starts: number[]; ends: number[] } {
    let g = this.graphs.get(m.node.id);
    if (!g) {
      const c = this.flow.model.callAt(m.node);
      const args = c ? [...c.args, ...c.kwargs.values()] : [];
      this.graphs.set(m.node.id, (g = mergeRanges(this.flow.slice(args).ranges)));
    }
    return g;
  }

  private readonly members = new Map<number, FlowModel[]>();
  /** The model a Sequential layer is or copies (`for layer in base.layers: s.add(layer)` copies base). */
  private layerModel(l: SequentialLayer): FlowModel | null {
    return this.flow.modelAt(l.copiedFrom ?? l.node);
  }

  /** The models a Sequential lists or `.add`s (found once per model). */
  private membersOf(m: FlowModel): FlowModel[] {
    let out = this.members.get(m.node.id);
    if (out) return out;
    out = [];
    for (const l of this.flow.layersOf(m).layers) {
      const inner = this.layerModel(l);
      if (inner) out.push(inner);
    }
    this.members.set(m.node.id, out);
    return out;
  }

  private refs: Map<FlowModel, Node[]> | null = null;

  /**
   * Where a model is used inside a graph: called (`base(x)`, `build()(x)`) or its tensors read (`base.output`,
   * `base.input`). Built once per file.
   */
  private refsOf(m: FlowModel): Node[] {
    if (!this.refs) {
      const refs = new Map<FlowModel, Node[]>();
      const add = (target: FlowModel | null, n: Node): void => {
        if (target) refs.set(target, [...(refs.get(target) ?? []), n]);
      };
      for (const f of this.feeds()) if (f.method === '__call__') add(f.target, f.call.node);
      for (const a of this.flow.model.attributesMatching((t) => /\.(input|output|inputs|outputs)$/.test(t))) add(this.flow.modelAt(a.childForFieldName('object')), a);
      this.refs = refs;
    }
    return this.refs.get(m) ?? [];
  }

  /** Whether model m holds one of the given models: lists it (Sequential), or calls it or reads its tensors in its graph. */
  private holds(m: FlowModel, set: Set<FlowModel>): boolean {
    if (m.kind === 'sequential') return this.membersOf(m).some((x) => set.has(x));
    if (m.kind === 'functional') {
      // no model of the set is called or has its tensors read anywhere: no graph holds it (its slice is not needed)
      let refs = false;
      for (const h of set) if ((refs = this.refsOf(h).length > 0)) break;
      if (!refs) return false;
      const g = this.graphOf(m);
      // a helper's whole body is on the slice when it is called: a model it only returns in another branch is not used
      return [...set].some((h) => this.refsOf(h).some((r) => rangesContain(g, r.startIndex, r.endIndex)));
    }
    return false;
  }

  /** The application's own flow model and every model that holds it. */
  holders(app: ApplicationModel): Set<FlowModel> {
    let set = this.holderSets.get(app.call.node.id);
    if (set) return set;
    set = new Set<FlowModel>();
    const own = this.modelOf(app);
    if (own) set.add(own);
    for (let round = 0, grew = true; grew && round < 4; round++) {
      grew = false;
      for (const m of this.flow.models) {
        if (set.has(m) || (m.kind !== 'sequential' && m.kind !== 'functional') || !this.holds(m, set)) continue;
        set.add(m);
        grew = true;
      }
    }
    // a helper called once per model (`def head(base, n): ... return Model(base.input, out)`; head(VGG16(...)),
    // head(MobileNet(...))) builds one model per call: it holds the application only as returned by the calls passing
    // it. Added last: a model holding that helper's model is not followed (which call it holds cannot be told)
    const bySite = new Map<FlowModel, Set<number>>();
    for (const b of (this.siteBindings ??= parameterModelReads(this.flow.model))) {
      const passed = this.flow.modelAt(b.argument);
      if (!passed || !set.has(passed)) continue;
      const built = this.flow.modelAt(b.site);
      if (!built || set.has(built) || built.kind !== 'functional' || !rangesContain(this.graphOf(built), b.ref.startIndex, b.ref.endIndex)) continue;
      bySite.set(built, (bySite.get(built) ?? new Set()).add(b.site.id));
    }
    for (const m of bySite.keys()) set.add(m);
    this.siteHolders.set(app.call.node.id, bySite);
    this.holderSets.set(app.call.node.id, set);
    return set;
  }

  /** Whether a feed reaches the application: its model holds it, through the helper call its receiver comes from if only there. */
  private feedsApp(app: ApplicationModel, holders: Set<FlowModel>, f: Feed & { target: FlowModel }): boolean {
    if (!holders.has(f.target)) return false;
    const sites = this.siteHolders.get(app.call.node.id)?.get(f.target);
    if (!sites) return true;
    const receiver = f.method === '__call__' ? f.call.fn : f.call.fn?.childForFieldName('object') ?? null;
    const site = helperCallOf(this.flow.model, receiver);
    return !!site && sites.has(site.id);
  }

  /**
   * Whether a node lies in the graph of a functional model holding the application: a Sequential called there (the
   * augmentation before it, the head after it) is a layer of that model.
   */
  inHolderGraph(app: ApplicationModel, node: Node): boolean {
    return [...this.holders(app)].some((m) => m.kind === 'functional' && rangesContain(this.graphOf(m), node.startIndex, node.endIndex));
  }

  /** What reaches the application: data fed to it or a model holding it, the layers before it in a Sequential list. */
  pathOf(app: ApplicationModel): ApplicationPath {
    let p = this.paths.get(app.call.node.id);
    if (p) return p;
    const holders = this.holders(app);
    const starts: Node[] = [];
    const extra: { start: number; end: number }[] = [];
    const feeds = this.feeds().filter((f) => this.feedsApp(app, holders, f));
    for (const f of feeds) if (f.data) starts.push(f.data);
    // Xception(input_tensor=x): the model is built on that tensor, so what computes it is the model's input
    const tensor = app.call.kwargs.get('input_tensor');
    if (tensor) starts.push(tensor);
    const guessed: string[] = [];
    // the layers before it in a Sequential (listed or added in order): stages of its data
    for (const m of holders) {
      if (m.kind !== 'sequential') continue;
      const before = stagesBefore(this.flow.layersOf(m), (l) => {
        const inner = this.layerModel(l);
        return !!inner && holders.has(inner);
      });
      if (before?.guessed) guessed.push(before.guessed);
      for (const el of before?.stages ?? []) {
        extra.push({ start: el.startIndex, end: el.endIndex });
        starts.push(el);
      }
    }
    const s = this.flow.slice(starts);
    const merged = mergeRanges([...extra, ...s.ranges]);
    const vias = s.ranges.filter((r): r is { start: number; end: number; via: Node } => !!r.via);
    // a helper of this file defined twice (a later cell redefines it) is not followed: a link not followed
    const scopes = this.flow.model.scopes;
    const ambiguous = s.calledModels.filter((n) => this.flow.model.functionDefs.has(n.text) && scopes.functionVisibleAt(n.text, n.startIndex) === null).map((n) => `${n.text}() (defined more than once in this file)`);
    p = { ...merged, vias, feeds, missing: [...s.missing, ...guessed, ...new Set(ambiguous)] };
    this.paths.set(app.call.node.id, p);
    return p;
  }

  /** Whether a node lies on the path into the application; `via` is the reference that brought a helper's body in. */
  onPath(app: ApplicationModel, node: Node): { via: Node | null } | null {
    const p = this.pathOf(app);
    if (!rangesContain(p, node.startIndex, node.endIndex)) return null;
    for (const r of p.vias) if (r.start <= node.startIndex && node.endIndex <= r.end) return { via: r.via };
    return { via: null };
  }
}

const cache = new WeakMap<ModelFlow, ApplicationFlow>();

export function applicationFlowOf(flow: ModelFlow): ApplicationFlow {
  let f = cache.get(flow);
  if (!f) cache.set(flow, (f = new ApplicationFlow(flow)));
  return f;
}
