import { Worker } from 'node:worker_threads';
import { clipScale, fusedOptimizerStep, globalNorm, gradSumSquares, stepInPlace, type FusedSpec, type StepArrays } from './fusedOptimizer';
import type { StepScalars } from './optimizerGraph';

const KINDS = ['grad', 'param', 'm', 'v'] as const;
/** where an array lies in the transferred buffers: [buffer index, byte offset, length] */
type Place = [number, number, number];
type Item = Partial<Record<(typeof KINDS)[number], Place>>;
type Reply = { sqs: number[]; buffers?: ArrayBuffer[] };

/**
 * The worker's program: the trainer's own `fusedOptimizerStep` and `gradSumSquares` (their source, so both threads
 * run the same code and give the same bits). `sumsq` takes the buffers and answers Σ g²; `step` (with the buffers, or
 * the ones a `sumsq` took) updates them in place and gives them back.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fusedOptimizerStep = (${fusedOptimizerStep.toString()});
const gradSumSquares = (${gradSumSquares.toString()});
let held = null;
const views = (m) => m.items.map((it) => {
  const at = (p) => (p ? new Float32Array(m.buffers[p[0]], p[1], p[2]) : undefined);
  return { grad: at(it.grad), param: at(it.param), m: at(it.m), v: at(it.v) };
});
parentPort.on('message', (msg) => {
  if (msg.op === 'sumsq') {
    held = msg;
    parentPort.postMessage({ sqs: views(msg).map((a) => gradSumSquares(a.grad, msg.scale)) });
    return;
  }
  const m = msg.items ? msg : held;
  held = null;
  const sqs = views(m).map((a) => fusedOptimizerStep(msg.spec, msg.scalars, msg.clipFactor, { grad: a.grad, param: a.param, nextParam: a.param, m: a.m && { cur: a.m, next: a.m }, v: a.v && { cur: a.v, next: a.v } }));
  parentPort.postMessage({ sqs, buffers: m.buffers }, m.buffers);
});
`;

/**
 * The fused optimizer step (fusedOptimizer.ts) on two threads: the parameters are split into two sets of about equal
 * size, one updated on the calling thread while a worker thread updates the other. ONNX Runtime's Node binding does not
 * take SharedArrayBuffer-backed tensors ("Invalid argument"), so the memory of the worker's set is transferred to it
 * and back each step (a move, not a copy): `step` returns the arrays to use from then on (the worker set's old arrays
 * are detached). Keep the worker's set in a few large buffers (`allocator`): each transferred buffer costs V8 some
 * external-memory bookkeeping (measured: ~100 buffers of ViT-B/16 triggered ~8 small GCs per transfer, ~80 ms a step;
 * 4 packed buffers ~10 ms). Without clipping, Σ g² comes out of the update pass; with clipping both threads first sum,
 * then both update with the global factor.
 */
export class SplitOptimizer {
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly sizes: number[],
    /** per parameter: updated on the worker */
    readonly onWorker: boolean[],
  ) {
    worker.on('message', (r: Reply) => this.waiting.shift()?.resolve(r));
    const fail = (e: Error): void => {
      this.failed = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the optimizer worker thread exited (code ${code})`)));
    worker.unref();
  }

  /** `sizes`: element count per parameter. The largest first, each to the lighter side (the calling thread takes ties). */
  static create(sizes: number[]): SplitOptimizer {
    const onWorker = sizes.map(() => false);
    let main = 0;
    let other = 0;
    for (const i of sizes.map((_, j) => j).sort((a, b) => (sizes[b] as number) - (sizes[a] as number))) {
      if (other < main) {
        onWorker[i] = true;
        other += sizes[i] as number;
      } else main += sizes[i] as number;
    }
    return new SplitOptimizer(new Worker(WORKER_SOURCE, { eval: true }), sizes, onWorker);
  }

  /**
   * A fresh zeroed array per parameter for one kind of buffer (weights, gradients, a slot): the worker set's arrays
   * are views into one ArrayBuffer (handed over whole), the others arrays of their own.
   */
  allocator(): (i: number) => Float32Array {
    const total = this.sizes.reduce((s, n, i) => s + (this.onWorker[i] ? n : 0), 0);
    const pack = new Float32Array(total);
    const offsets: number[] = [];
    let at = 0;
    this.sizes.forEach((n, i) => {
      offsets.push(at);
      if (this.onWorker[i]) at += n;
    });
    return (i) => (this.onWorker[i] ? pack.subarray(offsets[i], (offsets[i] as number) + (this.sizes[i] as number)) : new Float32Array(this.sizes[i] as number));
  }

  private request(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(msg, transfer);
    });
  }

  /**
   * One step over every parameter (in place). `clipNorm` null: no clipping. Returns Σ (g · grad_scale)² per parameter
   * (before clipping), the global norm, and the arrays (the worker's set re-created over the returned memory). The
   * worker set's buffers must hold no array of the calling thread's set.
   */
  async step(spec: FusedSpec, scalars: StepScalars, clipNorm: number | null | undefined, arrays: StepArrays[]): Promise<{ sqs: number[]; norm: number; arrays: StepArrays[] }> {
    const buffers: ArrayBuffer[] = [];
    const index = new Map<ArrayBuffer, number>();
    const items: Item[] = [];
    arrays.forEach((a, i) => {
      if (!this.onWorker[i]) return;
      const it: Item = {};
      for (const k of KINDS) {
        const arr = a[k];
        if (!arr) continue;
        const buf = arr.buffer;
        if (buf instanceof SharedArrayBuffer) throw new Error(`split optimizer: parameter ${i}'s ${k} is a SharedArrayBuffer view`);
        if (!index.has(buf)) {
          index.set(buf, buffers.length);
          buffers.push(buf);
        }
        it[k] = [index.get(buf) as number, arr.byteOffset, arr.length];
      }
      items.push(it);
    });
    const mine = arrays.map((a, i) => (this.onWorker[i] ? null : a));
    for (const [i, a] of mine.entries()) for (const k of KINDS) if (a?.[k] && index.has(a[k].buffer as ArrayBuffer)) throw new Error(`split optimizer: parameter ${i}'s ${k} shares its buffer with the worker's set`);
    // Σ g² per parameter in the parameters' order (the norm sums them in that order, as the one-thread pass does)
    const ordered = (mineSqs: (number | null)[], workerSqs: number[]): number[] => {
      let w = 0;
      return mineSqs.map((x) => x ?? (workerSqs[w++] as number));
    };
    this.worker.ref();
    try {
      let sqs: number[];
      let reply: Reply;
      if (clipNorm) {
        const sums = this.request({ op: 'sumsq', items, buffers, scale: scalars.grad_scale }, buffers);
        const mineSqs = mine.map((a) => (a ? gradSumSquares(a.grad, scalars.grad_scale) : null));
        sqs = ordered(mineSqs, (await sums).sqs);
        const clipFactor = clipScale(clipNorm, globalNorm(sqs));
        const done = this.request({ op: 'step', spec, scalars, clipFactor });
        for (const a of mine) if (a) stepInPlace(spec, scalars, clipFactor, a);
        reply = await done;
      } else {
        const done = this.request({ op: 'step', spec, scalars, clipFactor: 1, items, buffers }, buffers);
        const mineSqs = mine.map((a) => (a ? stepInPlace(spec, scalars, 1, a) : null));
        reply = await done;
        sqs = ordered(mineSqs, reply.sqs);
      }
      const back = reply.buffers ?? [];
      const at = (p: Place | undefined): Float32Array | undefined => (p ? new Float32Array(back[p[0]] as ArrayBuffer, p[1], p[2]) : undefined);
      let w = 0;
      const out = arrays.map((a, i): StepArrays => {
        if (!this.onWorker[i]) return a;
        const it = items[w++] as Item;
        return { grad: at(it.grad)!, param: at(it.param)!, ...(it.m ? { m: at(it.m) } : {}), ...(it.v ? { v: at(it.v) } : {}) };
      });
      return { sqs, norm: globalNorm(sqs), arrays: out };
    } finally {
      this.worker.unref();
    }
  }

  async dispose(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
