/**
 * Generates src/core/presets/kerasApplicationsKnowledge.ts from keras and tf-keras release tags in local clones.
 * Usage (see scripts/knowledge/README.md):
 *   npm run kb:applications -- --keras-git KERAS_CLONE --tf-keras-git TF_KERAS_CLONE [--check]
 * Exit codes: 0 written (or --check: up to date), 1 --check found a difference, 2 bad arguments or unreadable sources.
 */
import { runApplications } from './runApplications';
import { GenerateError } from './runGenerate';

runApplications(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kb:applications: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof GenerateError ? e.code : 2);
  },
);
