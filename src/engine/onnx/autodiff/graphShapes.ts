import type { OnnxGraphBuilder } from '../onnxGraphBuilder';
import { ONNX_INT64, type AttributeValue, type OnnxNode } from '../onnxProto';

/** A dimension: a number, or a symbol such as "batch" (products of symbols are written "batch*197"). */
export type Dim = number | string;

/** What is known statically about a value: its shape and, for small int64 vectors, their values. */
export interface ValueShape {
  dims: Dim[];
  ints?: Dim[];
}

const attr = (n: OnnxNode, key: string): AttributeValue | undefined => n.attributes?.[key];
const intAttr = (n: OnnxNode, key: string, fallback: number): number => {
  const v = attr(n, key);
  return typeof v === 'number' ? v : fallback;
};
const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

function broadcast(a: Dim[], b: Dim[], where: string): Dim[] {
  const r = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || x === y) out.push(x);
    else throw new Error(`${where}: cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`);
  }
  return out;
}

/** Product of dims as a number times the symbols left over, e.g. ["batch", 197, 64] → {n: 12608, syms: ["batch"]}. */
function product(ds: Dim[]): { n: number; syms: string[] } {
  let n = 1;
  const syms: string[] = [];
  for (const d of ds) {
    if (typeof d === 'number') n *= d;
    else {
      const [s, k] = d.split('*');
      syms.push(s as string);
      if (k) n *= Number(k);
    }
  }
  return { n, syms };
}

function reshapeDims(input: Dim[], spec: Dim[], where: string): Dim[] {
  const out = spec.map((d, i) => (d === 0 ? (input[i] as Dim) : d));
  const free = out.indexOf(-1);
  if (free < 0) return out;
  const have = product(input);
  const known = product(out.filter((_, i) => i !== free));
  const syms = [...have.syms];
  for (const s of known.syms) {
    const at = syms.indexOf(s);
    if (at < 0) throw new Error(`${where}: cannot infer -1 in reshape of [${input.join(', ')}] to [${spec.join(', ')}]`);
    syms.splice(at, 1);
  }
  const n = have.n / known.n;
  if (syms.length > 1 || !Number.isInteger(n)) throw new Error(`${where}: cannot infer -1 in reshape of [${input.join(', ')}] to [${spec.join(', ')}]`);
  out[free] = syms.length === 0 ? n : n === 1 ? (syms[0] as string) : `${syms[0]}*${n}`;
  return out;
}

function decodeInts(raw: Uint8Array): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

/**
 * Static shapes of every value of a builder's graph, with symbolic dims carried through (the batch). Only the
 * operators the model graphs and their gradients use are known; any other throws, naming the node.
 */
export class GraphShapes {
  private readonly known = new Map<string, ValueShape>();

  constructor(g: OnnxGraphBuilder) {
    for (const i of g.inputs) this.known.set(i.name, { dims: i.dims });
    for (const w of g.weights) this.known.set(w.name, { dims: w.dims });
    for (const c of g.constants) this.known.set(c.name, c.dataType === ONNX_INT64 && c.raw ? { dims: c.dims, ints: decodeInts(c.raw) } : { dims: c.dims });
    for (const n of g.nodes) this.infer(n);
  }

  has(name: string): boolean {
    return this.known.has(name);
  }

  dims(name: string): Dim[] {
    const s = this.known.get(name);
    if (!s) throw new Error(`no static shape for "${name}"`);
    return s.dims;
  }

  ints(name: string): Dim[] {
    const s = this.known.get(name)?.ints;
    if (!s) throw new Error(`"${name}" is not a known int64 vector`);
    return s;
  }

  /** Records a value added after construction (gradient nodes that later rules read). */
  set(name: string, s: ValueShape): void {
    this.known.set(name, s);
  }

  private infer(n: OnnxNode): void {
    const where = `${n.op} node ${n.name}`;
    const d = (i: number): Dim[] => this.dims(n.inputs[i] as string);
    const put = (dims: Dim[], ints?: Dim[]): void => void this.known.set(n.outputs[0] as string, ints ? { dims, ints } : { dims });
    switch (n.op) {
      case 'Identity': case 'Erf': case 'Tanh': case 'Sigmoid': case 'Neg': case 'Sqrt': case 'Exp': case 'Log': case 'Relu':
      case 'Softmax': case 'LogSoftmax': case 'Cast': case 'Reciprocal':
        return put(d(0), this.known.get(n.inputs[0] as string)?.ints);
      case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Min': case 'Max':
        return put(broadcast(d(0), d(1), where));
      case 'Where':
        return put(broadcast(broadcast(d(0), d(1), where), d(2), where));
      case 'MatMul': {
        const a = d(0);
        const b = d(1);
        if (a.length < 2 || b.length < 2) throw new Error(`${where}: 1-D MatMul operands are not supported`);
        return put([...broadcast(a.slice(0, -2), b.slice(0, -2), where), a[a.length - 2] as Dim, b[b.length - 1] as Dim]);
      }
      case 'Gemm': {
        const a = d(0);
        const b = d(1);
        return put([intAttr(n, 'transA', 0) ? (a[1] as Dim) : (a[0] as Dim), intAttr(n, 'transB', 0) ? (b[0] as Dim) : (b[1] as Dim)]);
      }
      case 'Reshape':
        return put(reshapeDims(d(0), this.ints(n.inputs[1] as string), where));
      case 'Transpose': {
        const x = d(0);
        const perm = (attr(n, 'perm') as number[] | undefined) ?? x.map((_, i) => x.length - 1 - i);
        return put(perm.map((p) => x[p] as Dim));
      }
      case 'Concat': {
        const parts = n.inputs.map((_, i) => d(i));
        const axis = norm(intAttr(n, 'axis', 0), (parts[0] as Dim[]).length);
        const out = [...(parts[0] as Dim[])];
        out[axis] = parts.reduce<Dim>((s, p) => (typeof s === 'number' && typeof p[axis] === 'number' ? s + (p[axis] as number) : '?'), 0);
        const allInts = n.inputs.every((x) => this.known.get(x)?.ints);
        return put(out, allInts ? n.inputs.flatMap((x) => this.ints(x)) : undefined);
      }
      case 'Expand':
        return put(broadcast(d(0), this.ints(n.inputs[1] as string), where));
      case 'Shape': {
        const x = d(0);
        const start = norm(intAttr(n, 'start', 0), x.length);
        const end = norm(intAttr(n, 'end', x.length), x.length);
        const ints = x.slice(start, end);
        return put([ints.length], ints);
      }
      case 'Gather': {
        const x = d(0);
        const axis = norm(intAttr(n, 'axis', 0), x.length);
        const idx = d(1);
        return put([...x.slice(0, axis), ...idx, ...x.slice(axis + 1)]);
      }
      case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': {
        const x = d(0);
        const axesRaw = n.op === 'ReduceSum' ? (n.inputs[1] ? (this.ints(n.inputs[1]) as number[]) : undefined) : (attr(n, 'axes') as number[] | undefined);
        const axes = (axesRaw ?? x.map((_, i) => i)).map((a) => norm(a, x.length));
        const keep = intAttr(n, 'keepdims', 1);
        return put(keep ? x.map((v, i) => (axes.includes(i) ? 1 : v)) : x.filter((_, i) => !axes.includes(i)));
      }
      case 'LayerNormalization': {
        const x = d(0);
        put(x);
        const axis = norm(intAttr(n, 'axis', -1), x.length);
        const stat = x.map((v, i) => (i >= axis ? 1 : v));
        for (const o of n.outputs.slice(1)) this.known.set(o, { dims: stat });
        return;
      }
      case 'Slice': {
        const x = [...d(0)];
        const starts = this.ints(n.inputs[1] as string) as number[];
        const ends = this.ints(n.inputs[2] as string) as number[];
        const axes = n.inputs[3] ? (this.ints(n.inputs[3]) as number[]) : starts.map((_, i) => i);
        axes.forEach((a, i) => {
          const ax = norm(a, x.length);
          const size = x[ax];
          if (typeof size !== 'number') throw new Error(`${where}: slice along a symbolic axis`);
          const clamp = (v: number): number => Math.max(0, Math.min(size, v < 0 ? v + size : v));
          x[ax] = Math.max(0, clamp(ends[i] as number) - clamp(starts[i] as number));
        });
        return put(x);
      }
      case 'Unsqueeze': {
        const x = [...d(0)];
        const axes = (this.ints(n.inputs[1] as string) as number[]).map((a) => norm(a, x.length + 1)).sort((p, q) => p - q);
        for (const a of axes) x.splice(a, 0, 1);
        return put(x);
      }
      case 'Squeeze': {
        const x = d(0);
        const axes = (this.ints(n.inputs[1] as string) as number[]).map((a) => norm(a, x.length));
        return put(x.filter((_, i) => !axes.includes(i)));
      }
      case 'Pad': {
        const x = d(0);
        const pads = this.ints(n.inputs[1] as string) as number[];
        return put(x.map((v, i) => (typeof v === 'number' ? v + (pads[i] as number) + (pads[i + x.length] as number) : v)));
      }
      default:
        throw new Error(`${where}: no shape rule for operator ${n.op}`);
    }
  }
}
