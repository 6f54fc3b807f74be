import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TrainPanelState } from '../../src/protocol/panelProtocol';
import type { CheckResult, StepEvent, TrainEvent } from '../../src/protocol/trainProtocol';
import { launchBrowser, openPanel, posted, send, SHOTS } from './browserHarness';

const step = (i: number): StepEvent => ({
  type: 'step', step: i, epoch: Math.ceil(i / 50), loss: 1.4 * Math.exp(-i / 120) + 0.05 * Math.sin(i), accuracy: Math.min(1, i / 300), gradNorm: 1 / i,
  gradNorms: { block_3: 0.01 / i, block_4: 0.02 / i, final_ln: 0.005, head: 0.5 / i }, lr: 1e-4, imagesPerSec: 120,
});

describe('training panel in headless Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('draws live curves for hundreds of steps, appends events, and the stop button posts panel/stop', async () => {
    const page = await openPanel(browser, 'training');
    const events: TrainEvent[] = [
      { type: 'data', classNames: ['cat', 'dog'], counts: [40, 12], train: 42, val: 10, imbalance: 3.3, skipped: [{ file: '<b>bad.png</b>', reason: 'x' }] },
      { type: 'plan', mode: 'last-k', trainableParams: 1234, frozenParams: 1, memoryEstimateMb: 12, memoryLimitMb: 3072, lr: 1e-4, optimizer: 'adamw', stepsPerEpoch: 50, note: 'blocks 3–4', backends: { features: 'onnx', gradients: 'wasm', why: 'x' } },
      { type: 'health', severity: 'warning', code: 'imbalance', message: 'Classes are imbalanced' },
      ...Array.from({ length: 300 }, (_, i) => step(i + 1)),
      ...Array.from({ length: 6 }, (_, e) => ({ type: 'epoch' as const, epoch: e + 1, trainLoss: 1 / (e + 1), trainAccuracy: 0.5 + e / 20, valLoss: 1.1 / (e + 1), valAccuracy: 0.45 + e / 20 })),
    ];
    await send(page, { title: 'Training demo', running: true, events, check: null, error: null } satisfies TrainPanelState);
    await page.locator('svg[data-chart="loss"] polyline.train').waitFor();
    const pts = await page.locator('svg[data-chart="loss"] polyline.train').getAttribute('points');
    assert.equal(pts!.trim().split(' ').length, 300);
    assert.equal(await page.locator('svg[data-chart="accuracy"] polyline.val').count(), 1);
    assert.equal(await page.locator('[data-bar]').count(), 4);
    assert.match(await page.locator('body').innerText(), /imbalance: Classes are imbalanced/);
    await page.evaluate(() => (globalThis as unknown as { __send(m: string, p: unknown): void }).__send('train/append', { events: [{ type: 'step', step: 301, epoch: 7, loss: 0.01, accuracy: 1, gradNorm: 0.1, gradNorms: { head: 0.1 }, lr: 1e-5, imagesPerSec: 99 }] }));
    await page.locator('#last-step', { hasText: 'step 301' }).waitFor();
    await page.locator('#stop').click();
    assert.ok((await posted(page)).some((m) => m.method === 'panel/stop'));
    assert.equal(await page.locator('b').count(), 0);
    await page.screenshot({ path: join(SHOTS, 'training.png'), fullPage: true });
  });

  it('shows the pipeline check: overfit and baseline curves, A/B bars, verdicts', async () => {
    const page = await openPanel(browser, 'training');
    const check: CheckResult = {
      classNames: ['a', 'b', 'c', 'd'],
      initLoss: { loss: 1.9, lnC: 1.386, expected: 1.95, verdict: 'ok' },
      overfit: { losses: Array.from({ length: 150 }, (_, i) => 1.8 * Math.exp(-i / 20)), finalLoss: 0.003, passed: true, verdict: 'One batch of 8 images is learnt', likelyCauses: [] },
      baseline: { losses: Array.from({ length: 150 }, (_, i) => 1.386 + 0.4 * Math.exp(-i / 10)), finalLoss: 1.386, passed: true, ignoresInput: false, verdict: 'Zeroed inputs plateau at 1.386' },
      ab: [
        { preprocessing: 'preset', valAccuracy: 0.9, valLoss: 0.3, curve: [] },
        { preprocessing: 'none', valAccuracy: 0.55, valLoss: 1, curve: [] },
      ],
      abVerdict: 'the silent failure costs 35.0 points',
      seconds: 1,
    };
    await send(page, { title: 'Check', running: false, events: [], check, error: null } satisfies TrainPanelState);
    await page.locator('#ab-verdict').waitFor();
    assert.match(await page.locator('#overfit').innerText(), /pass/);
    assert.equal(await page.locator('svg[data-chart^="one-batch"] polyline').count(), 2);
    assert.equal(await page.locator('[data-bar="none"]').count(), 1);
    const wPreset = Number(await page.locator('[data-bar="preset"]').getAttribute('width'));
    const wNone = Number(await page.locator('[data-bar="none"]').getAttribute('width'));
    assert.ok(wPreset > wNone);
    await page.screenshot({ path: join(SHOTS, 'check.png'), fullPage: true });
  });
});
