/**
 * Generates src/core/presets/kerasHubKnowledge.ts from keras-hub's releases (and keras-cv's) in local clones.
 * Usage (see scripts/knowledge/README.md):
 *   npm run kb:generate -- --from-git KERAS_HUB_CLONE --keras-cv-git KERAS_CV_CLONE [--check]
 * Exit codes: 0 written (or --check: up to date), 1 --check found a difference, 2 bad arguments or unreadable sources.
 */
import { GenerateError, runGenerate } from './runGenerate';

runGenerate(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kb:generate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof GenerateError ? e.code : 2);
  },
);
