import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { dinov2CommonView, parseDINOV2BackboneConfig, swigluInnerDim } from '../../../../src/core/presets/dinov2Config';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { UserError } from '../../../../src/core/userError';
import { mapDINOV2BackboneWeights } from '../../../../src/engine/models/dinov2/dinov2Weights';
import { readH5Weights } from '../../../../src/engine/weights/h5Reader';

const FIX = resolve('test', 'fixtures', 'keras-dinov2');
const base = { patch_size: 14, num_layers: 2, hidden_dim: 16, num_heads: 2, intermediate_dim: 64 };

function rejects(cfg: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(() => parseDINOV2BackboneConfig(cfg, '/p/config.json'), (e: unknown) => e instanceof UserError && /^\/p\/config\.json: /.test(e.message) && pattern.test(e.message));
}

describe('DINOV2Backbone config.json', () => {
  it('defaults as the keras-hub constructor: 224 built, 518 table, no registers, mask token, GELU, no antialias', () => {
    const c = parseDINOV2BackboneConfig(base, 'c');
    assert.deepEqual([c.imageShape, c.positionEmbeddingShape, c.numRegisterTokens, c.useMaskToken, c.useSwigluFfn, c.antialiasInInterpolation, c.layerScaleInitValue], [[224, 224, 3], [518, 518], 0, true, false, false, 1]);
    const v = dinov2CommonView(c);
    assert.equal(v.layerNormEpsilon, 1e-6);
    assert.equal(v.useClassToken, true);
  });
  it('SwiGLU inner width (int(M·2/3) + 7) // 8 · 8: 6144 → 4096 (giant)', () => {
    assert.equal(swigluInnerDim(6144), 4096);
    assert.equal(dinov2CommonView(parseDINOV2BackboneConfig({ ...base, intermediate_dim: 6144, use_swiglu_ffn: true }, 'c')).mlpDim, 4096);
  });
  it('errors name the file and the key', () => {
    rejects({ ...base, patch_size: undefined }, /"patch_size" is missing/);
    rejects({ ...base, image_shape: [224, 196, 3] }, /not square/);
    rejects({ ...base, num_heads: 3 }, /"hidden_dim" 16 is not divisible by "num_heads" 3/);
    rejects({ ...base, num_register_tokens: -1 }, /"num_register_tokens" must be a non-negative integer/);
    rejects({ ...base, use_swiglu_ffn: 'yes' }, /"use_swiglu_ffn" must be true or false/);
    rejects({ ...base, position_embedding_shape: [518] }, /"position_embedding_shape" must be a list/);
  });
  it('config.json saying 4 registers for weights without them: a weights mismatch naming the file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vtd-dino-cfg-')), 'p');
    cpSync(join(FIX, 'dinov2_tiny', 'preset'), dir, { recursive: true });
    const cfgFile = join(dir, 'config.json');
    const json = JSON.parse(readFileSync(cfgFile, 'utf8'));
    json.config.num_register_tokens = 4;
    writeFileSync(cfgFile, JSON.stringify(json));
    const p = loadPresetDir(dir);
    const weights = await readH5Weights(p.weightsFile);
    assert.throws(() => mapDINOV2BackboneWeights(p.dinov2!, weights, p.weightsFile), (e: unknown) => e instanceof UserError && e.message.startsWith(`${p.weightsFile}: `) && /4 register tokens/.test(e.message));
  });
});
