import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ruleDocPath } from '../../../../src/core/lint/lintTypes';
import { RULES } from '../../../../src/core/lint/ruleRegistry';

describe('rule registry', () => {
  it('stable unique codes, kebab-case names, a docs page with bad and good examples for every rule', () => {
    assert.equal(new Set(RULES.map((r) => r.code)).size, RULES.length);
    for (const r of RULES) {
      assert.match(r.code, /^VTD\d{3}$/);
      assert.match(r.name, /^[a-z]+(-[a-z]+)*$/);
      const doc = ruleDocPath(r);
      assert.ok(existsSync(doc), doc);
      const text = readFileSync(doc, 'utf8');
      assert.match(text, /## Bad\n\n```python/);
      assert.match(text, /## Good\n\n```python/);
    }
  });
  it('the required rule names are fixed', () => {
    assert.deepEqual(RULES.slice(0, 9).map((r) => r.name), ['missing-preprocessing', 'double-normalization', 'token-output-misuse', 'input-shape-mismatch', 'logits-loss-mismatch', 'label-head-mismatch', 'unfrozen-backbone-high-lr', 'unknown-keras-hub-api', 'preset-flavor']);
  });
});
