#!/usr/bin/env bash
# The README's test command: type check, lint, build every bundle and the tests, run all test tiers.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run check
node esbuild.mjs --tests
node --test --test-reporter=spec --test-concurrency=1 $(find out/test/unit -name '*.test.js' | sort)
