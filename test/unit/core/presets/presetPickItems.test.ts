import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { KERAS_HUB_KNOWLEDGE } from '../../../../src/core/presets/kerasHubKnowledge';
import { catalogPickGroups, presetFolderFamily } from '../../../../src/core/presets/presetPickItems';
import { fixturesRoot } from '../../helpers/kerasFixtures';

describe('preset picker items', () => {
  it('lists every current DINOv2 preset of the generated knowledge after the ViT ones, with size, registers and tokens', () => {
    const groups = catalogPickGroups();
    assert.deepEqual(groups.map((g) => g.heading), ['Keras Hub ViT presets', 'Keras Hub DINOv2 presets']);
    const dino = groups[1]!.items;
    const names = KERAS_HUB_KNOWLEDGE.presets.filter((p) => p.family === 'dinov2' && p.current).map((p) => p.name).sort();
    assert.deepEqual(dino.map((i) => i.label).sort(), names);
    assert.equal(dino.find((i) => i.label === 'dinov2_base')?.description, '518px, patch 14, base, 1370 tokens, backbone only');
    assert.equal(dino.find((i) => i.label === 'dinov2_with_registers_small')?.description, '518px, patch 14, small, 4 registers, 1374 tokens, backbone only');
    assert.ok(groups[0]!.items.some((i) => i.label === 'vit_base_patch16_224_imagenet'));
  });
  it('names the family of a preset folder from its config.json', () => {
    const dino = readFileSync(resolve('test', 'fixtures', 'keras-dinov2', 'dinov2_tiny', 'preset', 'config.json'), 'utf8');
    const vit = readFileSync(join(fixturesRoot(), 'vit_tiny_cls', 'preset', 'config.json'), 'utf8');
    assert.equal(presetFolderFamily(dino), 'DINOv2');
    assert.equal(presetFolderFamily(vit), 'ViT');
    assert.equal(presetFolderFamily('{"class_name": "ResNetBackbone"}'), 'ResNet');
    assert.equal(presetFolderFamily('{"class_name": "ViTImageConverter"}'), null);
  });
});
