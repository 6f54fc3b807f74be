import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { SanityReport } from '../../src/protocol/engineProtocol';
import type { DiffPanelState, ReportPanelState, StatsPanelState } from '../../src/protocol/panelProtocol';
import { launchBrowser, openPanel, posted, send, SHOTS } from './browserHarness';

const FIX = resolve('test', 'fixtures', 'keras-vit');
const XSS = '<img src=x onerror="window.__xss=1">';

function sanityReport(args: string[]): SanityReport {
  const out = execFileSync(process.execPath, [resolve('dist/cli.js'), 'sanity', '--json', ...args], { encoding: 'utf8' });
  return JSON.parse(out) as SanityReport;
}

describe('webview panels in headless Chromium', () => {
  let browser: Browser;
  let report: SanityReport;
  let bad: SanityReport;
  before(async () => {
    browser = await launchBrowser();
    report = sanityReport(['--preset', join(FIX, 'vit_tiny_cls', 'preset'), '--images', join(FIX, 'vit_tiny_cls', 'inputs')]);
    bad = sanityReport(['--preset', join(FIX, 'vit_tiny_nocls', 'preset'), '--images', join(FIX, 'vit_tiny_nocls', 'inputs'), '--preprocessing', 'none', '--pooling', 'token']);
  });
  after(async () => {
    await browser?.close();
  });

  it('report: pipeline stages with shapes, CLS token drawn, findings; clicking a stage posts revealLine', async () => {
    const page = await openPanel(browser, 'report');
    const state: ReportPanelState = { report, expected: null, stageLines: { tokens: 4, pooled: 12 }, sourceFile: 'train.py', running: false, error: null };
    await send(page, state);
    await page.locator('[data-stage="tokens"]').first().waitFor();
    assert.match(await page.locator('h1').innerText(), /Sanity batch/);
    assert.match(await page.locator('[data-stage="tokens"]').first().innerText(), /\(8, 17, 16\)/);
    assert.match(await page.locator('[data-stage="pooled"]').first().innerText(), /\(8, 16\)/);
    assert.equal(await page.locator('.tok.cls').count(), 1);
    assert.equal(await page.locator('.tok').count(), 17);
    assert.match(await page.locator('body').innerText(), /None: the batch matches/);
    await page.locator('[data-stage="pooled"]').first().click();
    await page.keyboard.press('Tab');
    const msgs = await posted(page);
    assert.deepEqual(msgs.find((m) => m.method === 'panel/revealLine')?.params, { line: 12 });
    await page.locator('#rerun').click();
    assert.ok((await posted(page)).some((m) => m.method === 'panel/rerun'));
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
    assert.deepEqual((page as unknown as { errors: string[] }).errors, []);
  });

  it('report after a DINOv2-with-registers run: CLS, the 4 registers, then the patches in the token strip', async () => {
    const dino = resolve('test', 'fixtures', 'keras-dinov2', 'dinov2_tiny_registers');
    const rep = sanityReport(['--preset', join(dino, 'preset'), '--images', join(dino, 'inputs'), '--pooling', 'after_cls_mean']);
    const page = await openPanel(browser, 'report');
    await send(page, { report: rep, expected: null, stageLines: {}, sourceFile: 'train.py', running: false, error: null } satisfies ReportPanelState);
    await page.locator('[data-stage="tokens"]').first().waitFor();
    assert.equal(await page.locator('.tok.cls').count(), 1);
    assert.equal(await page.locator('.tok.reg').count(), 4);
    assert.equal(await page.locator('.tok').count(), 9);
    const text = await page.locator('body').innerText();
    assert.match(text, /Token sequence: 9 tokens \(CLS, 4 registers, then patches from index 5\)/);
    assert.match(text, /SAN016/);
    assert.deepEqual((page as unknown as { errors: string[] }).errors, []);
  });

  it('report: findings of a broken pipeline, no class token, mismatch highlighted in the expected shapes', async () => {
    const page = await openPanel(browser, 'report');
    await send(page, {
      report: bad, stageLines: {}, sourceFile: 'train.py', running: false, error: null,
      expected: { preset: 'p', imageSize: [32, 32], patchSize: [8, 8], useClassToken: false, hiddenDim: 16, numLayers: 2, pooling: 'token', headUnits: 5, codeInputSize: [48, 48] },
    } satisfies ReportPanelState);
    await page.locator('.finding').first().waitFor();
    const text = await page.locator('body').innerText();
    assert.match(text, /SAN001/);
    assert.match(text, /SAN004/);
    assert.equal(await page.locator('.tok.cls').count(), 0);
    assert.ok((await page.locator('.stage.bad').count()) >= 2, 'mismatched stages are highlighted');
    await page.screenshot({ path: join(SHOTS, 'report-findings.png'), fullPage: true });
  });

  it('report: expected shapes of a DINOv2 with registers before any run (1374 tokens, registers placed, ImageNet converter)', async () => {
    const page = await openPanel(browser, 'report');
    await send(page, {
      report: null, stageLines: {}, sourceFile: 'dino.py', running: false, error: null,
      expected: { preset: 'dinov2_with_registers_base', imageSize: [518, 518], patchSize: [14, 14], useClassToken: true, hiddenDim: 768, numLayers: 12, pooling: 'token', headUnits: null, codeInputSize: null, registers: 4, converter: '(x / 255 - ImageNet mean) / ImageNet std' },
    } satisfies ReportPanelState);
    await page.locator('[data-stage="tokens"]').first().waitFor();
    const tokens = await page.locator('[data-stage="tokens"]').first().innerText();
    assert.match(tokens, /1374/);
    assert.match(tokens, /CLS at index 0, 4 registers at 1–4, patches from 5/);
    assert.match(await page.locator('[data-stage="preprocessed"]').first().innerText(), /ImageNet mean/);
  });

  it('report: state is restored after a reload from the saved webview state', async () => {
    const page = await openPanel(browser, 'report', { report, expected: null, stageLines: {}, sourceFile: null, running: false, error: null });
    await page.locator('[data-stage="tokens"]').first().waitFor();
  });

  it('every value from disk is escaped (configs and file names are untrusted)', async () => {
    const page = await openPanel(browser, 'report');
    const evil = { ...report, preset: { ...report.preset, name: XSS }, findings: [{ code: 'SAN001', name: 'x', severity: 'warning' as const, title: XSS, detail: XSS, fix: XSS }] };
    await send(page, { report: evil, expected: null, stageLines: {}, sourceFile: XSS, running: false, error: XSS } satisfies ReportPanelState);
    await page.locator('.finding').first().waitFor();
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined);
    assert.match(await page.locator('h1').innerText(), /<img src=x/);
  });

  it('input statistics: SVG histograms with the expected range shaded, tables, verdict, thumbnails', async () => {
    const page = await openPanel(browser, 'stats');
    const thumb = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
    const state: StatsPanelState = { report: { inputStats: bad.inputStats, images: bad.images, userPreprocessing: bad.userPreprocessing, findings: bad.findings, preset: bad.preset }, thumbnails: bad.images.map(() => thumb) };
    await send(page, state);
    await page.locator('svg').first().waitFor();
    assert.equal(await page.locator('svg rect.hist-expected').count(), 3);
    assert.ok((await page.locator('svg rect.hist-bar').count()) > 10);
    assert.match(await page.locator('#verdict').innerText(), /Raw pixels reach the backbone/);
    assert.equal(await page.locator('.thumbs img').count(), 8);
    assert.match(await page.locator('table').innerText(), /fed to backbone/);
    await page.screenshot({ path: join(SHOTS, 'stats.png'), fullPage: true });
  });

  it('preset diff: effective mapping verdict, changed keys highlighted, equal keys toggled', async () => {
    const page = await openPanel(browser, 'presetDiff');
    const state: DiffPanelState = {
      leftLabel: 'old', rightLabel: XSS,
      mapping: { left: 'y = x · [0.007843] + [-1]', right: 'y = x · [0.007843] + [-1]', same: true, explanation: 'Same input mapping' },
      rows: [
        { file: 'config.json', key: 'config.use_class_token', left: 'true', right: 'false', kind: 'changed', meaning: 'Class token presence differs' },
        { file: 'config.json', key: 'config.hidden_dim', left: '16', right: '16', kind: 'same' },
      ],
    };
    await send(page, state);
    await page.locator('#diff-table').waitFor();
    assert.match(await page.locator('#mapping-verdict').innerText(), /Same input mapping/);
    assert.equal(await page.locator('#diff-table tr.diff-changed').count(), 1);
    assert.equal(await page.locator('#diff-table tr.diff-same').count(), 0);
    await page.locator('#toggle-same').click();
    assert.equal(await page.locator('#diff-table tr.diff-same').count(), 1);
    assert.equal(await page.locator('img').count(), 0);
    const saved = await page.evaluate(() => (globalThis as unknown as { __state: { showSame: boolean } }).__state);
    assert.equal(saved.showSame, true);
    await page.screenshot({ path: join(SHOTS, 'preset-diff.png'), fullPage: true });
  });

  it('preset diff: the effective mapping item by item (mean/std, resize, built size, tokens with registers)', async () => {
    const page = await openPanel(browser, 'presetDiff');
    const state: DiffPanelState = {
      leftLabel: 'dinov2_base', rightLabel: 'dinov2_with_registers_base',
      mapping: {
        left: 'y = x · [0.01712] + [-2.118]', right: 'y = x · [0.01712] + [-2.118]', same: true, explanation: 'Same input mapping. Tokens differ',
        details: [
          { label: 'as mean/std', left: 'mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]', right: 'mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]', same: true },
          { label: 'tokens', left: '1 CLS + 37×37 patches = 1370 at 518×518 (patches from index 1)', right: `1 CLS + 4 registers + 37×37 patches = 1374 ${XSS}`, same: false },
        ],
      },
      rows: [],
    };
    await send(page, state);
    await page.locator('#mapping-table').waitFor();
    assert.equal(await page.locator('#mapping-table tr').count(), 4);
    assert.equal(await page.locator('#mapping-table tr.diff-changed').count(), 1);
    assert.match(await page.locator('#mapping-table tr.diff-changed').innerText(), /tokens\s+1 CLS \+ 37×37 patches = 1370.*\s+1 CLS \+ 4 registers/s);
    assert.equal(await page.locator('img').count(), 0);
  });
});
