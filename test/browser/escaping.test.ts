import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SanityReport } from '../../src/protocol/engineProtocol';
import type { DiffPanelState, ReportPanelState, StatsPanelState, TrainPanelState } from '../../src/protocol/panelProtocol';
import type { CheckResult, TrainEvent } from '../../src/protocol/trainProtocol';
import { launchBrowser, openPanel, send } from './browserHarness';

const FIX = resolve('test', 'fixtures', 'keras-vit');
const MARKUP = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><a href="javascript:window.__xss=3">x</a><svg onload="window.__xss=4">';
const JS_URL = 'javascript:window.__xss=5';
/** keys whose values steer rendering (enums); everything else is text that came from disk or from the engine */
const ENUMS = new Set(['severity', 'kind', 'verdict', 'type', 'mode', 'id', 'pooling', 'source', 'userPreprocessing', 'userPooling', 'converterPath', 'preprocessing', 'optimizer']);

/** Every string value replaced: file names and URLs by a javascript: URL, text by markup that would run if parsed. */
function poison<T>(value: T, key = ''): T {
  if (typeof value === 'string') {
    if (ENUMS.has(key)) return value;
    return (/file|dir|path|thumbnail|url|uri/i.test(key) ? `${JS_URL}//${value}` : `${value}${MARKUP}`) as T;
  }
  if (Array.isArray(value)) return value.map((v) => poison(v, key === 'thumbnails' ? 'thumbnail' : key)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, k)])) as T;
  return value;
}

async function assertInert(page: Page, scriptsBefore: number): Promise<void> {
  // click everything clickable: a javascript: href or an injected handler would fire now
  for (const el of await page.locator('button, vscode-button, a, [role="button"], [data-stage]').all()) await el.click({ timeout: 2000 }).catch(() => {});
  await page.waitForTimeout(100);
  const probe = await page.evaluate(() => {
    type El = { getAttribute(n: string): string | null; attributes: ArrayLike<{ name: string }> };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } }).document;
    const all = (sel: string): El[] => Array.from(doc.querySelectorAll(sel));
    return {
      xss: (globalThis as unknown as { __xss?: number }).__xss,
      scripts: all('script').length,
      badImg: all('img').filter((i) => !i.getAttribute('src')?.startsWith('data:image/')).length,
      jsLinks: all('[href],[src],[action],[formaction]').filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src') ?? '')).length,
      handlers: all('*').filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith('on'))).length,
      svgInjected: all('svg[onload]').length,
    };
  });
  assert.deepEqual(probe, { xss: undefined, scripts: scriptsBefore, badImg: 0, jsLinks: 0, handlers: 0, svgInjected: 0 });
  assert.deepEqual((page as Page & { errors: string[] }).errors, []);
  assert.ok((await page.locator('body').innerText()).includes('<img src=x'), 'the markup is shown as text');
}

describe('webviews: every value from disk is text, never markup or a link that runs', () => {
  let browser: Browser;
  let report: SanityReport;
  before(async () => {
    browser = await launchBrowser();
    report = JSON.parse(execFileSync(process.execPath, [resolve('dist/cli.js'), 'sanity', '--json', '--preset', join(FIX, 'vit_tiny_cls', 'preset'), join(FIX, 'vit_tiny_cls', 'inputs'), '--preprocessing', 'none'], { encoding: 'utf8' })) as SanityReport;
    report.skipped = [{ file: '/data/README.txt', reason: 'not an image file (.txt)' }];
  });
  after(async () => {
    await browser?.close();
  });

  it('report panel', async () => {
    const page = await openPanel(browser, 'report');
    const state: ReportPanelState = {
      report: poison(report), sourceFile: `${JS_URL}//train.py`, running: false, error: MARKUP, stageLines: { tokens: 3 },
      expected: poison({ preset: 'vit_x', imageSize: [32, 32], patchSize: [8, 8], useClassToken: true, hiddenDim: 16, numLayers: 2, pooling: 'token', headUnits: 5, codeInputSize: [48, 48] } as const),
    };
    const scripts = await page.locator('script').count();
    await send(page, state);
    await page.locator('.finding').first().waitFor();
    await assertInert(page, scripts);
  });

  it('input statistics panel (thumbnails as javascript: URLs are not shown)', async () => {
    const page = await openPanel(browser, 'stats');
    const { inputStats, images, userPreprocessing, findings, preset } = poison(report);
    const state: StatsPanelState = { report: { inputStats, images, userPreprocessing, findings, preset }, thumbnails: images.map(() => JS_URL) };
    const scripts = await page.locator('script').count();
    await send(page, state);
    await page.locator('svg').first().waitFor();
    await assertInert(page, scripts);
  });

  it('preset diff panel', async () => {
    const page = await openPanel(browser, 'presetDiff');
    const state: DiffPanelState = poison({
      leftLabel: 'old', rightLabel: 'new',
      mapping: { left: 'y = x', right: 'y = 2x', same: false, explanation: 'differs' },
      rows: [{ file: 'config.json', key: 'config.name', left: 'a', right: 'b', kind: 'changed' as const, meaning: 'm' }, { file: 'task.json', key: 'k', left: 'a', right: 'a', kind: 'same' as const }],
    });
    const scripts = await page.locator('script').count();
    await send(page, state);
    await page.locator('#diff-table').waitFor();
    await assertInert(page, scripts);
  });

  it('training panel (events and a pipeline check)', async () => {
    const page = await openPanel(browser, 'training');
    const events: TrainEvent[] = [
      { type: 'data', classNames: ['cat', 'dog'], counts: [4, 4], train: 6, val: 2, imbalance: 1, skipped: [{ file: '/x/bad.png', reason: 'cannot be decoded' }] },
      { type: 'plan', mode: 'head', trainableParams: 10, frozenParams: 1, memoryEstimateMb: 1, memoryLimitMb: 10, lr: 1e-3, optimizer: 'adamw', stepsPerEpoch: 1, note: 'n', backends: { features: 'onnx', gradients: 'wasm', why: 'w' } },
      { type: 'health', severity: 'warning', code: 'imbalance', message: 'm' },
      { type: 'step', step: 1, epoch: 1, loss: 1, accuracy: 0.5, gradNorm: 1, gradNorms: { head: 1 }, lr: 1e-3, imagesPerSec: 10 },
      { type: 'epoch', epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5 },
    ];
    const check: CheckResult = {
      classNames: ['cat', 'dog'], initLoss: { loss: 0.7, lnC: 0.69, expected: 0.7, verdict: 'ok' },
      overfit: { losses: [1, 0.1], finalLoss: 0.01, passed: true, verdict: 'v', likelyCauses: ['c'] },
      baseline: { losses: [1, 0.7], finalLoss: 0.7, passed: true, ignoresInput: false, verdict: 'v' },
      ab: [{ preprocessing: 'preset', valAccuracy: 1, valLoss: 0.1, curve: [1, 0.1] }, { preprocessing: 'none', valAccuracy: 0.5, valLoss: 0.7, curve: [1, 0.7] }],
      abVerdict: 'a', seconds: 1,
    };
    const state: TrainPanelState = { title: 'run', running: false, events: poison(events), check: poison(check), error: MARKUP };
    const scripts = await page.locator('script').count();
    await send(page, state);
    await page.locator('body').waitFor();
    await assertInert(page, scripts);
  });
});
