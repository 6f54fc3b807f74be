// Runs the mocha suites inside code-server's extension host (the @vscode/test-electron equivalent).
// usage: node test/e2e/extHostTests.js <extensionsDir> <extensionTestsPath>   env: CS_URL, WS_FOLDER
const util = require('util');
const { launch } = require('./browser');
const [extDir, testsPath] = process.argv.slice(2);
const { CS_URL, WS_FOLDER } = process.env;
(async () => {
  const browser = await launch();
  const page = await browser.newPage();
  let exit;
  const exited = new Promise((r) => (exit = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...args);
    if (!/connection|ExtensionHostConnection|\[uncaught exception\]: Canceled/i.test(line)) console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => exit(code));
  const host = new URL(CS_URL).host;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${host}${extDir}`],
    ['extensionTestsPath', `vscode-remote://${host}${testsPath}`],
  ];
  await page.goto(`${CS_URL}/?folder=${encodeURIComponent(WS_FOLDER)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 300000))]);
  await browser.close();
  console.log(`extension host tests exit code: ${code}`);
  process.exit(code === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
