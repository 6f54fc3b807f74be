import { readFileSync, writeFileSync } from 'node:fs';
import { GenerateError } from './runGenerate';

/**
 * The last step of a knowledge generator: with `check`, fail (exit 1) unless the committed `out` equals `rendered`;
 * otherwise write `out`, and the manifest when its release list changed. `command` is the npm script to re-run.
 */
export function writeOrCheck(opts: {
  out: string;
  rendered: string;
  summary: string;
  check: boolean;
  command: string;
  manifest: { path: string; text: string; changed: boolean };
  log: (line: string) => void;
}): 0 {
  const { out, rendered, summary, manifest, log } = opts;
  if (opts.check) {
    let committed = '';
    try {
      committed = readFileSync(out, 'utf8');
    } catch {
      /* missing: differs */
    }
    if (committed !== rendered) throw new GenerateError(`${out} is not what the sources give: run ${opts.command} and commit the result`, 1);
    log(`${out} is up to date (${summary}).`);
    return 0;
  }
  if (manifest.changed) writeFileSync(manifest.path, manifest.text);
  writeFileSync(out, rendered);
  log(`wrote ${out}${manifest.changed ? ` and ${manifest.path} (releases re-listed)` : ''}: ${summary}`);
  return 0;
}
