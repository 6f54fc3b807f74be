import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadPresetDir, type LoadedPreset } from '../../../../src/core/presets/presetLoader';
import { tokenLayout } from '../../../../src/core/presets/tokenLayout';
import type { CheckResult, TrainEvent } from '../../../../src/protocol/trainProtocol';
import { loadOnnxRuntime } from '../../../../src/engine/backend/onnxBackend';
import { selectBackend } from '../../../../src/engine/backend/selectBackend';
import { loadImage } from '../../../../src/engine/data/imageLoader';
import { createOnnxViTRunner } from '../../../../src/engine/runners/onnxViTRunner';
import { createTfjsDinov2Runner } from '../../../../src/engine/runners/tfjsDinov2Runner';
import { FeatureHeadTrainer } from '../../../../src/engine/train/featureHeadTrainer';
import { runPipelineChecks } from '../../../../src/engine/train/pipelineChecks';
import { preprocessImages } from '../../../../src/engine/train/preparedData';
import { runTraining, type TrainContext } from '../../../../src/engine/train/trainRun';

const ROOT = resolve('test', 'fixtures', 'keras-dinov2');
const TINY = join(ROOT, 'dinov2_tiny', 'preset');
const REGISTERS = join(ROOT, 'dinov2_tiny_registers', 'preset');
const VIT = resolve('test', 'fixtures', 'keras-vit', 'vit_tiny_cls', 'preset');
const CLI = resolve('dist/cli.js');

/** Loss at initialisation may sit this far from ln(C) (the head is Glorot-initialised on LayerNorm'd features). */
const INIT_LOSS_TOLERANCE = 0.35;

/**
 * Two classes from the 16 fixture PNGs of both DINOv2 fixtures (one sub-folder per class, as the training data
 * loader reads them): noisy images (random, low-contrast random) vs smooth ones (gradients, constants).
 */
function fixtureData(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vtd-dinov2-data-')), 'data');
  for (const fixture of ['dinov2_tiny', 'dinov2_tiny_registers']) {
    const inputs = join(ROOT, fixture, 'inputs');
    for (const f of readdirSync(inputs)) {
      const cls = /random/.test(f) ? 'noisy' : 'smooth';
      mkdirSync(join(dir, cls), { recursive: true });
      copyFileSync(join(inputs, f), join(dir, cls, `${fixture}_${f}`));
    }
  }
  return dir;
}

const DATA = fixtureData();

function onnxContext(emit: (e: TrainEvent) => void = () => {}): TrainContext {
  const loaded = loadOnnxRuntime();
  if ('error' in loaded) throw new Error(`onnxruntime-node must load in the tests: ${loaded.error}`);
  const cacheDir = mkdtempSync(join(tmpdir(), 'vtd-dinov2-train-'));
  return {
    signal: new AbortController().signal, emit, backend: 'cpu',
    onnx: { ort: loaded.ort, threads: 1 },
    forwardRunner: (p: LoadedPreset) => createOnnxViTRunner(p, { ort: loaded.ort, cacheDir, threads: 1, notes: [] }),
  };
}

const tfjsContext = (): TrainContext => ({ signal: new AbortController().signal, backend: 'cpu', emit: () => {} });

function assertChecks(r: CheckResult, label: string): void {
  assert.equal(r.classNames.length, 2);
  const gap = Math.abs(r.initLoss.loss - r.initLoss.lnC);
  assert.ok(Number.isFinite(r.initLoss.loss) && gap < INIT_LOSS_TOLERANCE, `${label}: loss at init ${r.initLoss.loss} vs ln(2) = ${r.initLoss.lnC} (tolerance ${INIT_LOSS_TOLERANCE})`);
  assert.equal(r.initLoss.verdict, 'ok', label);
  assert.ok(r.overfit.passed && r.overfit.finalLoss < 0.05, `${label}: ${r.overfit.verdict}`);
  assert.ok(r.overfit.losses[0]! > 10 * r.overfit.finalLoss, `${label}: the overfit curve barely moved: ${r.overfit.losses[0]} → ${r.overfit.finalLoss}`);
  assert.equal(r.baseline.ignoresInput, false, `${label}: ${r.baseline.verdict}`);
  // zeroed inputs give one feature row for every image: the head cannot beat the label entropy
  assert.ok(r.baseline.finalLoss > 0.5, `${label}: the zero-input baseline reached ${r.baseline.finalLoss}`);
  assert.deepEqual(r.ab.map((a) => a.preprocessing), ['preset', 'none', 'rescale'], label);
  for (const a of r.ab) assert.ok(Number.isFinite(a.valLoss) && a.valAccuracy >= 0 && a.valAccuracy <= 1 && a.curve.length === 40, `${label}: A/B ${a.preprocessing} ${JSON.stringify({ ...a, curve: a.curve.length })}`);
  assert.ok(r.ab[0]!.curve[39]! < r.ab[0]!.curve[0]!, `${label}: the preset-converter A/B run did not learn`);
  assert.match(r.abVerdict, /preset converter/);
}

describe('DINOv2 head mode: features, pipeline checks, training', () => {
  it('CLS / patch-mean features are pooled from the runner\'s final tokens, registers excluded from the patch mean', async () => {
    await selectBackend('cpu');
    const preset = loadPresetDir(REGISTERS);
    const layout = tokenLayout(preset);
    assert.equal(layout.patchStart, 1 + preset.dinov2!.numRegisterTokens);
    assert.ok(layout.registers > 0, 'the registers fixture has registers');
    const files = readdirSync(join(DATA, 'noisy')).slice(0, 3).map((f) => join(DATA, 'noisy', f));
    const pixels = preprocessImages(preset, await Promise.all(files.map(loadImage)), 'preset');
    const runner = await createTfjsDinov2Runner(preset, { notes: [] });
    const tokens = (await runner.run(pixels, files.length)).backboneOutput;
    await runner.dispose();
    const [B, T, D] = tokens.shape as [number, number, number];
    for (const pooling of ['token', 'patch_mean'] as const) {
      const trainer = await FeatureHeadTrainer.create({}, preset, { mode: 'head', k: 0, numClasses: 2, seed: 1, optimizer: 'adam', accumulate: 1, pooling });
      const x = await trainer.prefix(pixels, files.length, null);
      await trainer.dispose();
      assert.deepEqual(x.rowShape, [D]);
      for (let b = 0; b < B; b++) {
        for (let d = 0; d < D; d++) {
          let want = tokens.data[b * T * D + d]!;
          if (pooling === 'patch_mean') {
            want = 0;
            for (let t = layout.patchStart; t < T; t++) want += tokens.data[(b * T + t) * D + d]! / (T - layout.patchStart);
          }
          assert.ok(Math.abs(x.data[b * D + d]! - want) < 1e-5, `${pooling} feature [${b}, ${d}]: ${x.data[b * D + d]} vs ${want}`);
        }
      }
    }
  });

  it('check on dinov2_tiny (ONNX Runtime, CLS): loss at init ≈ ln(C), one batch overfits, the baseline differs, the A/B runs', async () => {
    await selectBackend('cpu');
    const r = await runPipelineChecks({ preset: TINY, data: DATA, seed: 5, epochs: 40, compare: ['none', 'rescale'] }, onnxContext());
    assertChecks(r, 'dinov2_tiny onnx token');
  });

  it('check on dinov2_tiny_registers (TF.js, patch mean): the same verdicts', async () => {
    await selectBackend('cpu');
    const r = await runPipelineChecks({ preset: REGISTERS, data: DATA, seed: 5, epochs: 40, compare: ['none', 'rescale'], pooling: 'patch_mean' }, tfjsContext());
    assertChecks(r, 'dinov2_tiny_registers cpu patch_mean');
  });

  it('train --mode head: the loss falls on the ONNX head trainer; last-k, full and --out are refused with what to do', async () => {
    await selectBackend('cpu');
    const events: TrainEvent[] = [];
    const r = await runTraining({ preset: TINY, data: DATA, seed: 3, mode: 'head', epochs: 20, batch: 8, lr: 3e-2, validationSplit: 0.25 }, onnxContext((e) => events.push(e)));
    assert.equal(r.stopped, 'completed');
    assert.deepEqual({ f: r.plan.backends.features, g: r.plan.backends.gradients }, { f: 'onnx', g: 'onnx' });
    assert.equal(r.plan.trainableParams, 16 * 2 + 2, 'only the Dense head trains');
    const first = r.epochs[0]!.trainLoss;
    const last = r.epochs[r.epochs.length - 1]!.trainLoss;
    assert.ok(last < 0.5 * first, `head loss did not fall: ${first} → ${last}`);
    assert.ok(r.steps.every((s) => Object.keys(s.gradNorms).join() === 'head'));
    for (const mode of ['last-k', 'full'] as const) {
      await assert.rejects(runTraining({ preset: TINY, data: DATA, mode }, onnxContext()), (e: Error & { wire?: { code: string; hint?: string } }) => {
        assert.match(e.message, new RegExp(`config\\.json: mode "${mode}" is not available for DINOV2Backbone`));
        assert.equal(e.wire?.code, 'E_TRAIN_MODE_UNSUPPORTED');
        assert.match(e.wire?.hint ?? '', /--mode head/);
        return true;
      });
    }
    await assert.rejects(runTraining({ preset: REGISTERS, data: DATA, mode: 'head', out: join(tmpdir(), 'never-written') }, tfjsContext()), /--out cannot save a trained DINOV2Backbone: keras-hub has no DINOv2 task class/);
    await assert.rejects(runTraining({ preset: VIT, data: DATA, mode: 'head', pooling: 'patch_mean' }, tfjsContext()), /--pooling chooses the feature of DINOv2 presets/);
  });

  it('vit-doctor check exits 0 on a DINOv2 preset and prints the verdicts', () => {
    const r = spawnSync(process.execPath, [CLI, 'check', '--preset', REGISTERS, '--data', DATA, '--pooling', 'patch_mean', '--epochs', '40', '--compare', 'none', '--json', '--fail-on', 'error'], { encoding: 'utf8', timeout: 180000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const res = JSON.parse(r.stdout) as CheckResult;
    assert.ok(res.overfit.passed && !res.baseline.ignoresInput, res.overfit.verdict);
    assert.deepEqual(res.ab.map((a) => a.preprocessing), ['preset', 'none']);
    const bad = spawnSync(process.execPath, [CLI, 'train', '--preset', TINY, '--data', DATA, '--mode', 'last-k'], { encoding: 'utf8', timeout: 180000 });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /mode "last-k" is not available for DINOV2Backbone.*--mode head/s);
  });
});
