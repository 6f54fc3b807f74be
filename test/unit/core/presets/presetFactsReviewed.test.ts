import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DINOV2_CATALOG } from '../../../../src/core/presets/dinov2Catalog';
import { dinov2ParameterCount } from '../../../../src/core/presets/dinov2Params';
import { KERAS_HUB_KNOWLEDGE } from '../../../../src/core/presets/kerasHubKnowledge';
import { ARCHITECTURE_FACTS } from '../../../../src/core/presets/presetFactsReviewed';

describe('reviewed architecture facts', () => {
  it('every row has a source and covers a preset the generated knowledge maps to that upstream checkpoint', () => {
    for (const r of ARCHITECTURE_FACTS) {
      assert.ok(r.source.length > 20, r.upstream);
      assert.ok(KERAS_HUB_KNOWLEDGE.presets.some((p) => p.upstream === r.upstream), `${r.upstream}: no generated preset converts from it`);
    }
  });
  it('every current DINOv2 preset gets a catalog entry, and its dimensions reproduce keras-hub\'s published parameter count exactly', () => {
    const current = KERAS_HUB_KNOWLEDGE.presets.filter((p) => p.family === 'dinov2' && p.current);
    assert.ok(current.length >= 8);
    for (const p of current) {
      const e = DINOV2_CATALOG.find((x) => x.name === p.name);
      assert.ok(e, `${p.name}: no catalog entry (upstream ${p.upstream ?? 'unknown'})`);
      assert.ok(p.params, p.name);
      assert.equal(dinov2ParameterCount(e.config), p.params, p.name);
    }
  });
  it('a wrong dimension would be caught: the count moves with hidden size, registers and SwiGLU', () => {
    const e = DINOV2_CATALOG.find((x) => x.name === 'dinov2_with_registers_base');
    assert.ok(e);
    const n = dinov2ParameterCount(e.config);
    assert.notEqual(dinov2ParameterCount({ ...e.config, numRegisterTokens: 0 }), n);
    assert.equal(n - dinov2ParameterCount({ ...e.config, numRegisterTokens: 0 }), 4 * 768);
    assert.notEqual(dinov2ParameterCount({ ...e.config, useSwigluFfn: true }), n);
    // the interpolated table is counted: built at 224 the count drops (facts sheet: dinov2_small at 224 is 22,155,264)
    const small = DINOV2_CATALOG.find((x) => x.name === 'dinov2_small');
    assert.ok(small);
    assert.equal(dinov2ParameterCount({ ...small.config, imageShape: [224, 224, 3] }), 22_155_264);
  });
});
