import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectedFindings, lintText } from './lintHarness';

const DIR = join(process.cwd(), 'test', 'fixtures', 'python');

describe('lint corpus: every expected finding and no other', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.py')).sort()) {
    it(file, async () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const findings = await lintText(text);
      const actual = findings.map((f) => `${f.range.start.line + 1}:${f.code}`).sort();
      assert.deepEqual(actual, expectedFindings(text), findings.map((f) => `${f.range.start.line + 1}:${f.code} ${f.message}`).join('\n'));
    });
  }
});
