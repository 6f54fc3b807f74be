import { Worker } from 'node:worker_threads';
import { fusedOptimizerStep, gradSumSquares, stepInPlace, type StepArrays } from './fusedOptimizer';
import type { OptimizerGraphSpec, StepScalars } from './optimizerGraph';

export type FusedSpec = Pick<OptimizerGraphSpec, 'name' | 'beta1' | 'beta2' | 'weightDecay' | 'momentum'>;

type Item = { grad: ArrayBuffer; param: ArrayBuffer; m?: ArrayBuffer; v?: ArrayBuffer };
type Reply = { sqs: number[]; items?: Item[] };

const SLOT_KEYS = ['grad', 'param', 'm', 'v'] as const;

/**
 * The worker's program: the trainer's own `fusedOptimizerStep` and `gradSumSquares` (their source, so both threads
 * run the same code and give the same bits). `sumsq` takes the buffers and answers Σ g²; `step` (with the buffers, or
 * the ones a `sumsq` took) updates them in place and gives them back.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fusedOptimizerStep = (${fusedOptimizerStep.toString()});
const gradSumSquares = (${gradSumSquares.toString()});
const view = (b) => (b ? new Float32Array(b) : undefined);
const arrays = (it) => ({ grad: view(it.grad), param: view(it.param), m: view(it.m), v: view(it.v) });
let held = null;
parentPort.on('message', (msg) => {
  if (msg.op === 'sumsq') {
    held = msg.items;
    parentPort.postMessage({ sqs: held.map((it) => gradSumSquares(view(it.grad), msg.scale)) });
    return;
  }
  const items = msg.items || held;
  held = null;
  const sqs = items.map((it) => {
    const a = arrays(it);
    return fusedOptimizerStep(msg.spec, msg.scalars, msg.clipFactor, { grad: a.grad, param: a.param, nextParam: a.param, m: a.m && { cur: a.m, next: a.m }, v: a.v && { cur: a.v, next: a.v } });
  });
  parentPort.postMessage({ sqs, items }, items.flatMap((it) => [it.grad, it.param, it.m, it.v].filter(Boolean)));
});
`;

/** True when `a` is the whole of its ArrayBuffer (what can be handed to another thread without taking other arrays along). */
export function ownsBuffer(a: Float32Array): boolean {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && !(a.buffer instanceof SharedArrayBuffer);
}

/**
 * The fused optimizer step (fusedOptimizer.ts) on two threads: the parameters are split into two sets of about equal
 * size, one updated on the calling thread while a worker thread updates the other. ONNX Runtime's Node binding does not
 * take SharedArrayBuffer-backed tensors ("Invalid argument"), so the worker's buffers are transferred to it and back
 * each step (a move of the memory, not a copy): `step` returns the arrays to use from then on (the old ones of the
 * worker's set are detached). Every array must own its ArrayBuffer (`ownsBuffer`). Without clipping, Σ g² comes out of
 * the update pass itself; with clipping both threads first sum, then both update with the global factor.
 */
export class SplitOptimizer {
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | null = null;

  private constructor(
    private readonly worker: Worker,
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
    return new SplitOptimizer(new Worker(WORKER_SOURCE, { eval: true }), onWorker);
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
   * (before clipping), the global norm, and the arrays (the worker's set re-created over the returned memory).
   */
  async step(spec: FusedSpec, scalars: StepScalars, clipNorm: number | null | undefined, arrays: StepArrays[]): Promise<{ sqs: number[]; norm: number; arrays: StepArrays[] }> {
    const items: Item[] = [];
    const transfer: ArrayBuffer[] = [];
    arrays.forEach((a, i) => {
      if (!this.onWorker[i]) return;
      const it: Partial<Record<(typeof SLOT_KEYS)[number], ArrayBuffer>> = {};
      for (const k of SLOT_KEYS) {
        const arr = a[k];
        if (!arr) continue;
        if (!ownsBuffer(arr)) throw new Error(`split optimizer: parameter ${i}'s ${k} does not own its buffer`);
        it[k] = arr.buffer as ArrayBuffer;
        transfer.push(arr.buffer as ArrayBuffer);
      }
      items.push(it as Item);
    });
    const mine = arrays.map((a, i) => (this.onWorker[i] ? null : a));
    const run = (a: StepArrays, clipFactor: number): number => stepInPlace(spec, scalars, clipFactor, a);
    // Σ g² per parameter in the parameters' order (the norm sums them in that order, as the one-thread pass does)
    const ordered = (mineSqs: (number | null)[], workerSqs: number[]): number[] => {
      let w = 0;
      return mineSqs.map((x) => x ?? (workerSqs[w++] as number));
    };
    const normOf = (sqs: number[]): number => Math.sqrt(sqs.reduce((s, x) => s + x, 0));
    this.worker.ref();
    try {
      let sqs: number[];
      let reply: Reply;
      if (clipNorm) {
        const sums = this.request({ op: 'sumsq', items, scale: scalars.grad_scale }, transfer);
        const mineSqs = mine.map((a) => (a ? gradSumSquares(a.grad, scalars.grad_scale) : null));
        sqs = ordered(mineSqs, (await sums).sqs);
        const clipFactor = Math.min(1, clipNorm / (normOf(sqs) + 1e-6));
        const done = this.request({ op: 'step', spec, scalars, clipFactor });
        for (const a of mine) if (a) run(a, clipFactor);
        reply = await done;
      } else {
        const done = this.request({ op: 'step', spec, scalars, clipFactor: 1, items }, transfer);
        const mineSqs = mine.map((a) => (a ? run(a, 1) : null));
        reply = await done;
        sqs = ordered(mineSqs, reply.sqs);
      }
      const back = reply.items ?? [];
      const view = (b: ArrayBuffer | undefined): Float32Array | undefined => (b ? new Float32Array(b) : undefined);
      let w = 0;
      const out = arrays.map((a, i): StepArrays => {
        if (!this.onWorker[i]) return a;
        const it = back[w++] as Item;
        return { grad: view(it.grad)!, param: view(it.param)!, ...(it.m ? { m: view(it.m) } : {}), ...(it.v ? { v: view(it.v) } : {}) };
      });
      return { sqs, norm: normOf(sqs), arrays: out };
    } finally {
      this.worker.unref();
    }
  }

  async dispose(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
