// UI scenario in the real VS Code workbench (code-server): diagnostics in the Problems panel, a preset hover,
// a quick fix, and Run Sanity Batch from the palette with the shapes read in the report webview.
// env: CS_URL, WS_FOLDER, SHOTS
const fs = require('fs');
const { launch } = require('./browser');
const { CS_URL, WS_FOLDER, SHOTS = 'test-results/e2e' } = process.env;
let passed = 0;
const ok = (m) => {
  passed++;
  console.log(`  ✔ ${m}`);
};

async function palette(page, text) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${text}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
}

(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(`${CS_URL}/?folder=${encodeURIComponent(WS_FOLDER)}`);
    const file = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'train.py' });
    await file.waitFor({ timeout: 90000 });
    ok('workbench loaded');
    await file.click();
    await page.locator('.monaco-editor .view-lines', { hasText: 'from_preset' }).waitFor();

    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 60000 });
    ok('diagnostic squiggles shown');

    await palette(page, 'View: Focus Problems');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'VTD001' }).first();
    await row.waitFor({ timeout: 20000 });
    ok(`problems panel: ${(await row.innerText()).replace(/\s+/g, ' ').slice(0, 120)}`);
    const rows005 = page.locator('.markers-panel .monaco-list-row', { hasText: 'VTD005' });
    await rows005.first().waitFor({ timeout: 10000 });
    ok('problems panel lists VTD005 too');

    // put the cursor inside the preset string and ask for the hover from the keyboard (Ctrl+K Ctrl+I)
    await page.locator('.monaco-editor .view-line span span', { hasText: /^"vit_base_patch16_224_imagenet"$/ }).first().click();
    await page.keyboard.press('Control+k');
    await page.keyboard.press('Control+i');
    const hover = page.locator('.monaco-hover-content', { hasText: '197' }).first();
    await hover.waitFor({ timeout: 20000 });
    ok(`hover: ${(await hover.innerText()).split('\n')[0]}`);
    await page.screenshot({ path: `${SHOTS}/hover.png` });
    // a keyboard-opened hover stays until Escape; it covers the line the quick fix clicks on
    await page.keyboard.press('Escape');
    await hover.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    await page.mouse.move(5, 600);

    // quick fix on the VTD001 line: click the line, then Ctrl+. and choose the converter fix
    await page.locator('.monaco-editor .view-line', { hasText: 'features = backbone(inputs)' }).locator('span span', { hasText: /^inputs$/ }).first().click();
    await palette(page, 'Quick Fix...');
    const fix = page.locator('.action-widget .monaco-list-row, .context-view .monaco-list-row', { hasText: 'ImageConverter.from_preset' }).first();
    await fix.waitFor({ timeout: 20000 });
    await fix.click();
    await page.locator('.monaco-editor .view-lines', { hasText: 'image_converter(inputs)' }).waitFor({ timeout: 20000 });
    ok('quick fix inserted the preset converter');

    await palette(page, 'ViT Doctor: Run Sanity Batch');
    const web = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    // the panel first shows the preset's static shapes (batch "?"), then the engine's run (batch 8): wait for the run
    const tokens = web.locator('[data-stage="tokens"]').first();
    await tokens.waitFor({ timeout: 180000 });
    await web.locator('[data-stage="tokens"]', { hasText: /\(8, 37, 64\)/ }).first().waitFor({ timeout: 180000 })
      .catch(async () => { throw new Error(`unexpected token shape: ${await tokens.innerText()}`); });
    const shape = await tokens.innerText();
    ok(`report panel shows tokens ${shape.split('\n')[1]}`);
    const cls = await web.locator('.tok.cls').count();
    if (cls !== 1) throw new Error(`CLS token not drawn (${cls})`);
    ok('CLS token drawn at index 0');
    await page.screenshot({ path: `${SHOTS}/report.png` });
    console.log(`${passed} passed, 0 failed`);
  } catch (e) {
    await page.screenshot({ path: `${SHOTS}/failure.png` }).catch(() => {});
    console.error(e);
    console.log(`${passed} passed, 1 failed`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
