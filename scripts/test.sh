#!/usr/bin/env bash
# The README's test command (npm test): type check and lint, build every bundle and the tests, then run
# unit tests (node --test), webview tests (headless Debian Chromium) and end-to-end tests in a real VS Code.
# Installs what the browser tiers need first (idempotent; see test/e2e/installVscode.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/e2e/installVscode.sh
npm run check
node esbuild.mjs --tests
echo "== unit tests"
node --test --test-reporter=spec --test-concurrency=1 $(find out/test/unit -name '*.test.js' | sort)
echo "== fuzz tier (seeded; VTD_FUZZ_SEED=n for another set)"
node --test --test-reporter=spec out/test/fuzz/fuzz.test.js
echo "== webview tests (headless Chromium)"
node --test --test-reporter=spec $(find out/test/browser -name '*.test.js' | sort)
echo "== end-to-end tests (code-server = real VS Code)"
npm run e2e
