import type { SyntaxNode as Node } from './syntaxNode';
import type { KerasValues } from './kerasValues';
import type { PythonModel } from './pythonModel';
import { sequentialAddedTo } from './sequentialAdd';
import { sequentialLayersOf } from './sequentialLayers';

/**
 * Which functional/Sequential models of a file contain the Keras Hub model: other models built beside it (a baseline
 * CNN with its own Rescaling, compiled at 1e-3) are not judged by the rules about the backbone.
 */
export class ModelMembership {
  private hubInputs: Set<number> | null = null;

  constructor(private readonly model: PythonModel, private readonly values: KerasValues) {}

  private isHubValue(node: Node): boolean {
    const v = this.values.valueOf(node);
    return !!v;
  }

  /** keras.Input(...) calls whose tensors reach a Keras Hub backbone or task, by walking back from their calls. */
  private inputsReachingHub(): Set<number> {
    if (this.hubInputs) return this.hubInputs;
    const out = new Set<number>();
    const seen = new Set<number>();
    const walk = (node: Node | null, depth: number): void => {
      const r = this.model.resolve(node);
      if (!r || depth > 16 || seen.has(r.id)) return;
      seen.add(r.id);
      // backbone({"images": x}): a keras_hub backbone's inputs given by name
      if (r.type === 'dictionary') for (const p of r.namedChildren) if (p?.type === 'pair') walk(p.childForFieldName('value'), depth + 1);
      if (r.type !== 'call') return;
      const c = this.model.callAt(r);
      if (!c) return;
      if (/^keras\.(layers\.)?Input$/.test(c.callee ?? '')) {
        out.add(r.id);
        return;
      }
      for (const a of c.args) walk(a, depth + 1);
    };
    for (const v of this.values.values) {
      for (const site of [...this.values.callsOf(v), ...(v.kind === 'task' ? this.values.backboneCallsOf(v) : [])]) for (const a of site.args) walk(a, 0);
    }
    for (const c of this.model.calls) {
      if (!c.callee || !/(^|\.)Sequential$/.test(c.callee)) continue;
      const list = this.model.resolve(c.args[0] ?? c.kwargs.get('layers') ?? null);
      const items = list?.type === 'list' ? list.namedChildren.filter((n): n is Node => !!n) : [];
      if (!items.some((n) => this.isHubValue(n))) continue;
      for (const n of items) if (this.model.callAt(n) && /^keras\.(layers\.)?Input$/.test(this.model.callAt(n)?.callee ?? '')) out.add(n.id);
    }
    this.hubInputs = out;
    return out;
  }

  /** The keras.Input a tensor comes from, walking back through layer calls; null when it does not come from one. */
  private inputOf(node: Node | null, depth = 0): Node | null {
    const r = this.model.resolve(node);
    if (!r || depth > 16 || r.type !== 'call') return null;
    const c = this.model.callAt(r);
    if (!c) return null;
    if (/^keras\.(layers\.)?Input$/.test(c.callee ?? '')) return r;
    for (const a of c.args) {
      const found = this.inputOf(a, depth + 1);
      if (found) return found;
    }
    return null;
  }

  /**
   * A manual preprocessing step that belongs to a model without the Keras Hub model: a layer in a Sequential list
   * with no Keras Hub value, or a layer applied to a keras.Input whose tensors never reach one.
   */
  inOtherModel(step: Node): boolean {
    let n: Node = step;
    while (n.parent?.type === 'parenthesized_expression') n = n.parent;
    const parent = n.parent;
    if (parent?.type === 'list') {
      const owner = parent.parent?.parent;
      const call = owner?.type === 'call' ? this.model.callAt(owner) : undefined;
      if (call?.callee && /(^|\.)Sequential$/.test(call.callee)) return !parent.namedChildren.some((x) => !!x && this.isHubValue(x)) && !this.isStage(call.node);
    }
    // s.add(Rescaling(1/255)) on a Sequential without a Keras Hub value: the add() form of the list above
    const add = parent?.type === 'argument_list' && parent.parent?.type === 'call' ? this.model.callAt(parent.parent) : undefined;
    const seq = add?.args[0]?.id === n.id ? sequentialAddedTo(this.model, add) : null;
    if (seq) {
      const layers = sequentialLayersOf(this.model, seq, (r) => this.model.resolve(r)?.id === seq.id).layers;
      return !layers.some((l) => this.isHubValue(l.copiedFrom ?? l.node)) && !this.isStage(seq);
    }
    // Rescaling(1/255)(inputs) or inputs / 255 inside a functional graph
    const applied = parent?.type === 'call' && parent.childForFieldName('function')?.id === n.id ? this.model.callAt(parent)?.args[0] ?? null : null;
    const operand = step.type === 'binary_operator' ? step.childForFieldName('left') : null;
    const input = this.inputOf(applied ?? operand);
    return !!input && !this.inputsReachingHub().has(input.id);
  }

  /**
   * A Sequential used as a stage of the data, not as a model of its own (`augment = Sequential([Rescaling(1/255),
   * RandomFlip()])` then `ds.map(lambda x, y: (augment(x), y))`): never compiled, fitted or asked to predict, and every
   * call of it takes data or a tensor that reaches the Keras Hub model.
   */
  private isStage(seq: Node): boolean {
    const st = seq.parent;
    const left = st?.type === 'assignment' && st.childForFieldName('right')?.id === seq.id ? st.childForFieldName('left') : null;
    if (left?.type !== 'identifier') return false;
    const name = left.text;
    if (['compile', 'fit', 'fit_generator', 'predict', 'evaluate', 'train_on_batch'].some((m) => this.model.callsWithText(`${name}.${m}`).length > 0)) return false;
    const calls = this.model.callsWithText(name).filter((c) => c.node.startIndex > seq.endIndex && c.args[0]);
    return (
      calls.length > 0 &&
      calls.every((c) => {
        const input = this.inputOf(c.args[0]!);
        return !input || this.inputsReachingHub().has(input.id);
      })
    );
  }

  /** `m.compile(...)` on a model that certainly does not contain the Keras Hub model. */
  compiledModelIsOther(receiver: Node | null): boolean {
    const r = this.model.resolve(receiver);
    const c = r ? this.model.callAt(r) : undefined;
    if (!c?.callee) return false;
    if (/(^|\.)Sequential$/.test(c.callee)) {
      const list = this.model.resolve(c.args[0] ?? c.kwargs.get('layers') ?? null);
      return list?.type === 'list' && !list.namedChildren.some((x) => !!x && this.isHubValue(x));
    }
    if (/^keras\.(models\.)?Model$/.test(c.callee)) {
      const inputs = this.model.resolve(c.kwargs.get('inputs') ?? c.args[0] ?? null);
      const list = inputs?.type === 'list' || inputs?.type === 'tuple' ? inputs.namedChildren.filter((n): n is Node => !!n) : inputs ? [inputs] : [];
      const ids = list.map((n) => this.model.resolve(n)).filter((n): n is Node => !!n && /^keras\.(layers\.)?Input$/.test(this.model.callAt(n)?.callee ?? ''));
      return ids.length > 0 && ids.every((i) => !this.inputsReachingHub().has(i.id));
    }
    return false;
  }
}
