import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseDINOV2BackboneConfig } from '../../../../src/core/presets/dinov2Config';
import { inputContract } from '../../../../src/core/presets/inputContract';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { UserError } from '../../../../src/core/userError';

const DINO = resolve(process.cwd(), 'test', 'fixtures', 'keras-dinov2');

describe('DINOv2 preset folders (config.json of DINOV2Backbone, image_converter.json, no preprocessor or task)', () => {
  it('both fixture presets load with their converter read as ImageNet mean/std, bicubic, crop to aspect', () => {
    for (const [name, registers, side] of [['dinov2_tiny', 0, 42], ['dinov2_tiny_registers', 4, 28]] as const) {
      const p = loadPresetDir(join(DINO, name, 'preset'));
      assert.equal(p.backboneClass, 'DINOV2Backbone', name);
      assert.equal(p.family, 'dinov2', name);
      assert.equal(p.dinov2?.numRegisterTokens, registers, name);
      assert.equal(p.task, null, name);
      assert.equal(p.taskFilesIssue, null, name);
      assert.ok(p.converterFile?.endsWith('image_converter.json'), name);
      assert.deepEqual(Object.keys(p.raw).sort(), ['config.json', 'image_converter.json', 'metadata.json'], name);
      const c = inputContract(p.converter!);
      assert.equal(c.formula, 'R: x * 0.0171248 - 2.1179, G: x * 0.0175070 - 2.0357, B: x * 0.0174292 - 1.8044', name);
      assert.equal(c.resize, `centre-crop to aspect ratio, then bicubic resize to ${side}x${side}`, name);
    }
  });
  it('a config that keras-hub would refuse is a UserError naming the file and the key', () => {
    const base = (JSON.parse(readFileSync(join(DINO, 'dinov2_tiny', 'preset', 'config.json'), 'utf8')) as { config: Record<string, unknown> }).config;
    const bad = (patch: Record<string, unknown>): unknown => {
      try {
        parseDINOV2BackboneConfig({ ...base, ...patch }, 'p/config.json');
      } catch (e) {
        return e;
      }
      return null;
    };
    const notSquare = bad({ image_shape: [28, 42, 3] });
    assert.ok(notSquare instanceof UserError);
    assert.match(notSquare.message, /^p\/config\.json: "image_shape" 28×42 is not square/);
    assert.match((bad({ num_register_tokens: -1 }) as Error).message, /"num_register_tokens"/);
    assert.match((bad({ hidden_dim: 15 }) as Error).message, /"hidden_dim" 15 is not divisible by "num_heads" 2/);
    assert.equal(bad({}), null);
  });
});
