import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPresetDir, type LoadedPreset } from '../core/presets/presetLoader';
import { selectEngineBackends } from '../engine/backend/engineBackends';
import { loadImage } from '../engine/data/imageLoader';
import { ADAM, OnnxTrainer } from '../engine/train/onnx/onnxTrainer';
import { createTrainer } from '../engine/train/createTrainer';
import { preprocessImages } from '../engine/train/preparedData';
import { trainingBackends } from '../engine/train/trainingBackends';
import type { TrainMode } from '../protocol/trainProtocol';
import { findPython } from './torchCompare';

const SCRIPT = resolve('scripts/bench/torchGradParity.py');
const FIXTURES = resolve('test/fixtures/keras-vit');
/** the learning rate vit-doctor train uses by default in each mode */
const LR: Record<TrainMode, number> = { head: 1e-3, 'last-k': 1e-4, full: 5e-5 };

export interface Case {
  /** the table's name for the preset */
  fixture: string;
  presetDir: string;
  /** PNG files, converted by the engine */
  files: string[];
  classes: number;
  mode: TrainMode;
  k: number;
  smoothing: number;
}

interface EngineRun {
  loss: number;
  vars: { name: string; group: string; dims: number[]; param: Float32Array; grad: Float32Array; after: Float32Array }[];
}

/** One forward + backward and one AdamW step of vit-doctor's ONNX trainer on the case's PNGs, as `train` runs them. */
async function engineRun(preset: LoadedPreset, pixels: Float32Array, n: number, labels: number[], c: Case, classes: number, dir: string): Promise<EngineRun> {
  const b = await selectEngineBackends('onnx', { cacheDir: join(dir, 'cache'), lazyTfjs: true });
  const ctx = trainingBackends(b);
  const trainer = await createTrainer(ctx, preset, { mode: c.mode, k: c.k, numClasses: classes, seed: 7, optimizer: 'adamw', accumulate: 1, labelSmoothing: c.smoothing });
  if (!(trainer instanceof OnnxTrainer)) throw new Error(`expected the ONNX trainer, got ${trainer.backend}`);
  const runner = ctx.forwardRunner && c.mode !== 'full' ? await ctx.forwardRunner(preset) : null;
  try {
    const x = await trainer.prefix(pixels, n, runner);
    const idx = labels.map((_, i) => i);
    const { loss } = await trainer.accumulate(x, idx, labels);
    const before = trainer.snapshot();
    await trainer.apply(LR[c.mode]);
    const after = trainer.snapshot();
    return { loss, vars: before.map((v, i) => ({ ...v, after: after[i]!.param })) };
  } finally {
    await runner?.dispose();
    await trainer.dispose();
  }
}

interface Diff {
  abs: number;
  /** max |diff| / max |reference| over the group */
  rel: number;
  worst: string;
}

function groupDiff(vars: EngineRun['vars'], pick: (v: EngineRun['vars'][number]) => Float32Array, ref: Float64Array, offsetOf: Map<string, number>, group: string): Diff {
  let abs = 0;
  let scale = 0;
  let worst = '';
  for (const v of vars.filter((x) => x.group === group)) {
    const ours = pick(v);
    const off = offsetOf.get(v.name)!;
    for (let j = 0; j < ours.length; j++) {
      const r = ref[off + j]!;
      scale = Math.max(scale, Math.abs(r));
      const d = Math.abs(ours[j]! - r);
      if (d > abs) {
        abs = d;
        worst = v.name;
      }
    }
  }
  return { abs, rel: abs / Math.max(scale, 1e-30), worst };
}

const e = (x: number): string => x.toExponential(1);
/** the optimizer alone: rounding to float32 weights (half an ulp ≤ 6e-8·|w|, twice that) plus float32 arithmetic on the lr-sized update */
const stepTol = (lr: number, wMax: number): number => 1.2e-7 * Math.max(1, wMax) + 1e-4 * lr;

/**
 * The whole chain, judged against what the gradients explain: at step 1 Adam moves a weight by lr·g/(|g| + eps) (plus
 * the decay), so a gradient off by δ moves it by at most lr·min(2, δ·eps/((max(0, |g| − δ) + eps)²)): near g = 0 a
 * difference far below the gradient tolerance can flip a ±lr step. Returns the worst |ours − torch| / (that bound +
 * the optimizer's tolerance) over every weight, with δ the group's measured max |gradient diff| vs float64.
 */
function chainRatio(vars: EngineRun['vars'], ref: Float64Array, offsetOf: Map<string, number>, total: number, lr: number, eps: number, delta: Map<string, number>, wMax: number): number {
  let worst = 0;
  for (const v of vars) {
    const off = offsetOf.get(v.name)!;
    const d = delta.get(v.group)!;
    for (let j = 0; j < v.after.length; j++) {
      const g = Math.abs(ref[off + j]!);
      const bound = lr * Math.min(2, (d * eps) / (Math.max(0, g - d) + eps) ** 2) + stepTol(lr, wMax);
      worst = Math.max(worst, Math.abs(v.after[j]! - ref[total + off + j]!) / bound);
    }
  }
  return worst;
}

/** A float64 file as an array (a fresh copy: small files come back as views into Node's shared buffer pool). */
function readF64(file: string): Float64Array {
  const b = readFileSync(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Tolerances, relative to the largest reference gradient of the group (max |diff| / max |g|): the fixtures'
 * recommended float32 tolerances are 2e-5 on logits and 5e-5 on block outputs of O(1) values (relative ≈ 5e-5), what a
 * correct float32 forward may be off by; a backward pass runs the chain again (LayerNorm and softmax VJPs divide by
 * σ and sum over tokens), so gradients get 1e-4 relative, twice that. A wrong or missing rule is off by O(1).
 */
const GRAD_TOL = 1e-4;
/** the loss is logsumexp(z) − Σ t·z: its float32 error is bounded by the logits' (the fixtures' 2e-5) */
const LOSS_TOL = 2e-5;

/**
 * The bench's gradient-parity section: for each fixture preset (test/fixtures/keras-vit) and mode (head, last-k k=1,
 * full; full again with label smoothing 0.1), vit-doctor's ONNX trainer (gradients by graph-build-time autodiff)
 * against PyTorch autograd in float64 and float32 on the same converted images, labels and head initialisation; then
 * one AdamW step against torch.optim.AdamW (Keras's epsilon ε = 1e-7 is ε·√(1−β₂ᵗ)⁻¹ in PyTorch's formula: at step 1,
 * eps = 1e-7/√0.001 = 3.16e-6 is passed to torch).
 */
/** The fixture presets' cases: head, last-k (k=1), full, and full with label smoothing 0.1. */
function fixtureCases(): Case[] {
  const cases: Case[] = [];
  for (const fixture of ['vit_tiny_cls', 'vit_tiny_nocls']) {
    const inputs = join(FIXTURES, fixture, 'inputs');
    const base = {
      fixture, presetDir: join(FIXTURES, fixture, 'preset'), files: readdirSync(inputs).filter((f) => f.endsWith('.png')).sort().map((f) => join(inputs, f)),
      classes: JSON.parse(readFileSync(join(FIXTURES, fixture, 'expected.json'), 'utf8')).spec.task.num_classes as number,
    };
    for (const mode of ['head', 'last-k', 'full'] as const) cases.push({ ...base, mode, k: 1, smoothing: 0 });
    cases.push({ ...base, mode: 'full', k: 1, smoothing: 0.1 });
  }
  return cases;
}

/** `extra`: further cases (the bench's optional ViT-B/16 row) after the fixtures'. */
export async function benchGradParity(extra: Case[] = []): Promise<string> {
  const py = findPython();
  if ('missing' in py) return `(skipped: no Python with torch, h5py, Pillow and numpy — ${py.missing}. On Debian: sudo bash scripts/bench/installTorch.sh)`;
  const rows: string[] = [];
  const steps: string[] = [];
  let failures = 0;
  let torchInfo = '';
  for (const c of [...fixtureCases(), ...extra]) {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-grad-parity-'));
    try {
      const { presetDir, files, classes } = c;
      const preset = loadPresetDir(presetDir);
      const images = await Promise.all(files.map((f) => loadImage(f)));
      const pixels = preprocessImages(preset, images, 'preset');
      const labels = files.map((_, i) => i % classes);
      const ours = await engineRun(preset, pixels, files.length, labels, c, classes, dir);
      const head = (name: string): Float32Array => ours.vars.find((v) => v.name === name)!.param;
      writeFileSync(join(dir, 'pixels.f32'), pixels);
      writeFileSync(join(dir, 'head_kernel.f32'), head('head.kernel'));
      writeFileSync(join(dir, 'head_bias.f32'), head('head.bias'));
      const grads = new Float32Array(ours.vars.reduce((s, v) => s + v.grad.length, 0));
      const offsetOf = new Map<string, number>();
      let off = 0;
      for (const v of ours.vars) {
        offsetOf.set(v.name, off);
        grads.set(v.grad, off);
        off += v.grad.length;
      }
      writeFileSync(join(dir, 'engine_grads.f32'), grads);
      const [H, W, C] = preset.backbone.imageShape;
      const meta = {
        preset: presetDir, mode: c.mode, pooling: preset.backbone.useClassToken ? 'token' : 'gap', classes, labels, labelSmoothing: c.smoothing,
        lr: LR[c.mode], beta1: ADAM.beta1, beta2: ADAM.beta2, weightDecay: ADAM.weightDecay, torchEps: ADAM.epsilon / Math.sqrt(1 - ADAM.beta2),
        pixelsShape: [files.length, H, W, C], params: ours.vars.map((v) => ({ name: v.name, dims: v.dims })),
      };
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
      const r = spawnSync(py.python, [SCRIPT, dir], { encoding: 'utf8', cwd: resolve('scripts/bench') });
      if (r.status !== 0) return `(PyTorch script failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')})`;
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { torch: string; blas: string; float64: { loss: number }; float32: { loss: number } };
      torchInfo = `torch ${out.torch} (${out.blas} BLAS)`;
      const f64 = readF64(join(dir, 'torch_float64.f64'));
      const f32 = readF64(join(dir, 'torch_float32.f64'));
      const stepFromOurGrads = readF64(join(dir, 'torch_adamw_engine_grads.f64'));
      const label = `${c.fixture} | ${c.mode}${c.mode === 'last-k' ? ` k=${c.k}` : ''} | ${c.smoothing}`;
      const lossOk = Math.abs(ours.loss - out.float64.loss) <= LOSS_TOL;
      failures += lossOk ? 0 : 1;
      rows.push(`| ${label} | loss (${ours.loss.toFixed(6)}) | ${e(Math.abs(ours.loss - out.float64.loss))} | ${e(Math.abs(ours.loss - out.float64.loss) / Math.abs(out.float64.loss))} | ${e(Math.abs(ours.loss - out.float32.loss))} | ${e(LOSS_TOL)} abs | ${lossOk ? 'ok' : 'FAIL'} |`);
      const total = grads.length;
      const updatedOffset = new Map([...offsetOf].map(([k, v]) => [k, v + total]));
      const delta = new Map<string, number>();
      for (const group of [...new Set(ours.vars.map((v) => v.group))]) {
        const a = groupDiff(ours.vars, (v) => v.grad, f64, offsetOf, group);
        delta.set(group, a.abs);
        const b = groupDiff(ours.vars, (v) => v.grad, f32, offsetOf, group);
        const ok = a.rel <= GRAD_TOL && b.rel <= GRAD_TOL;
        failures += ok ? 0 : 1;
        rows.push(`| ${label} | ${group} (worst: ${a.worst}) | ${e(a.abs)} | ${e(a.rel)} | ${e(b.abs)} | ${e(GRAD_TOL)} rel | ${ok ? 'ok' : 'FAIL'} |`);
      }
      // AdamW: the whole chain (torch's own float64 gradients, then torch.optim.AdamW) and the optimizer alone (torch.optim.AdamW on our gradients)
      const lr = LR[c.mode];
      const chain = ours.vars.reduce((m, v) => Math.max(m, groupDiff([v], (x) => x.after, f64, updatedOffset, v.group).abs), 0);
      const alone = ours.vars.reduce((m, v) => Math.max(m, groupDiff([v], (x) => x.after, stepFromOurGrads, offsetOf, v.group).abs), 0);
      const wMax = ours.vars.reduce((m, v) => v.param.reduce((a, x) => Math.max(a, Math.abs(x)), m), 0);
      const ratio = chainRatio(ours.vars, f64, offsetOf, total, lr, meta.torchEps, delta, wMax);
      const stepOk = alone <= stepTol(lr, wMax) && ratio <= 1;
      failures += stepOk ? 0 : 1;
      steps.push(`| ${label} | ${lr} | ${e(alone)} | ${e(stepTol(lr, wMax))} | ${e(chain)} (${(chain / lr).toFixed(3)}·lr) | ${ratio.toFixed(3)} | ${stepOk ? 'ok' : 'FAIL'} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return [
    '| fixture | mode | label smoothing | variable group | max abs diff vs torch float64 | max rel diff vs float64 | max abs diff vs torch float32 | tolerance | |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'One AdamW step (weight decay 0.004, β 0.9/0.999, Keras ε 1e-7 = torch eps 3.16e-6 at step 1): updated weights, max |ours − torch|',
    '',
    '| fixture | mode | label smoothing | lr | optimizer alone: torch.optim.AdamW on our gradients | tolerance | whole chain: torch float64 gradients + torch.optim.AdamW | whole chain / its bound | |',
    '|---|---|---|---|---|---|---|---|---|',
    ...steps,
    '',
    `${torchInfo}; the fixtures' 8 PNGs (native and resized; ViT-B/16: 4 bench PNGs) converted by the engine, labels i mod C, the engine's fresh head (seed 7) written for both sides, backbone weights read by each side from model.weights.h5. ` +
      `Relative diff = max |diff| / max |reference| over the group. Gradient tolerance ${e(GRAD_TOL)}: the fixtures' float32 tolerances (logits 2e-5, block outputs 5e-5 on O(1) values) doubled for the backward pass; a wrong rule is off by O(1). ` +
      `Loss ${e(LOSS_TOL)}: the fixtures' logits tolerance (the loss is logsumexp(z) − Σt·z). Optimizer alone: 1.2e-7·max(1, max|w|) + 1e-4·lr (rounding to float32 weights: half an ulp is ≤ 6e-8·|w|; plus float32 arithmetic on the lr-sized update). ` +
      'Whole chain: at step 1 Adam moves a weight by lr·g/(|g| + eps), so a gradient off by δ (the group\'s measured max diff) may move it by lr·min(2, δ·eps/((|g| − δ)⁺ + eps)²): near g = 0 float32 noise can flip a ±lr step; each weight must be within that bound plus the optimizer tolerance (ratio ≤ 1).',
    failures ? `${failures} row(s) over tolerance.` : 'Every row within tolerance.',
  ].join('\n');
}
