import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { diffEffectiveMapping } from '../../../../src/core/presets/presetDiff';
import { presetDiffSide, presetDiffState } from '../../../../src/core/presets/presetDiffSide';
import { fixturesRoot } from '../../helpers/kerasFixtures';

const DINO = resolve(process.cwd(), 'test', 'fixtures', 'keras-dinov2');
const side = (p: string) => presetDiffSide(p, ['/nonexistent']);
const detail = (s: ReturnType<typeof presetDiffState>, label: string) => s.mapping.details?.find((d) => d.label === label);

describe('preset diff with DINOv2', () => {
  it('ViT vs DINOv2 (catalog): different pixel map ([-1, 1] vs ImageNet mean/std), resize, built size and tokens', () => {
    const s = presetDiffState(side('vit_base_patch16_224_imagenet'), side('dinov2_base'));
    assert.equal(s.mapping.same, false);
    assert.match(s.mapping.explanation, /\[-1\.000, 1\.000\].*\[-2\.118, 2\.249\]/);
    assert.match(s.mapping.explanation, /Tokens differ: vit_base_patch16_224_imagenet \(catalog\) gives 197, dinov2_base \(catalog\) 1370\./);
    assert.deepEqual(detail(s, 'as mean/std'), { label: 'as mean/std', left: 'mean [0.500, 0.500, 0.500], std [0.500, 0.500, 0.500]', right: 'mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]', same: false });
    assert.deepEqual(detail(s, 'resize'), { label: 'resize', left: '224×224, bilinear, crop to aspect', right: '518×518, bicubic, crop to aspect', same: false });
    assert.equal(detail(s, 'built size')?.right, '518×518, patch 14');
    assert.equal(detail(s, 'tokens')?.left, '1 CLS + 14×14 patches = 197 at 224×224 (patches from index 1)');
    assert.equal(detail(s, 'tokens')?.right, '1 CLS + 37×37 patches = 1370 at 518×518 (patches from index 1)');
    const cls = s.rows.find((r) => r.file === 'config.json' && r.key === 'class_name');
    assert.equal(cls?.kind, 'changed');
    assert.match(cls!.meaning!, /another model family/);
    // no preprocessor.json / task.json on the DINOv2 side: the ViT's task.json is "removed"
    assert.ok(s.rows.some((r) => r.file === 'task.json' && r.kind === 'removed'));
    assert.ok(!s.rows.some((r) => r.file === 'task.json' && r.kind === 'added'));
  });

  it('two DINOv2 presets (catalog): same pixel map, but registers move the patch tokens (1370 vs 1374, index 1 vs 5)', () => {
    const s = presetDiffState(side('dinov2_base'), side('dinov2_with_registers_base'));
    assert.equal(s.mapping.same, true);
    assert.equal(detail(s, 'as mean/std')?.same, true);
    assert.equal(detail(s, 'resize')?.same, true);
    assert.equal(detail(s, 'tokens')?.right, '1 CLS + 4 registers + 37×37 patches = 1374 at 518×518 (patches from index 5)');
    assert.equal(detail(s, 'tokens')?.same, false);
    assert.match(s.mapping.explanation, /Same input mapping.*Tokens differ: .* 1370, .* 1374\. Patch tokens start at index 1 vs 5 \(register tokens sit between the CLS token and the patches\): a slice such as features\[:, 1:\] is right for only one\./);
    const regs = s.rows.find((r) => r.key === 'config.num_register_tokens');
    assert.deepEqual([regs?.left, regs?.right, regs?.kind], ['0', '4', 'changed']);
    assert.match(regs!.meaning!, /between the CLS token and the patches/);
    assert.equal(s.rows.find((r) => r.key === 'config.antialias_in_interpolation')?.kind, 'changed');
    assert.equal(s.rows.find((r) => r.key === 'config.image_shape')?.kind, 'same');
    const params = s.rows.find((r) => r.file === 'metadata.json' && r.key === 'parameter_count');
    assert.deepEqual([params?.left, params?.right], ['87632640', '87635712']);
  });

  it('the two DINOv2 fixture folders (as save_to_preset wrote them): effective mapping from their files', () => {
    const l = presetDiffSide(join(DINO, 'dinov2_tiny', 'preset'), [process.cwd()]);
    const r = presetDiffSide(join(DINO, 'dinov2_tiny_registers', 'preset'), [process.cwd()]);
    assert.deepEqual(Object.keys(l.files).sort(), ['config.json', 'image_converter.json', 'metadata.json']);
    const m = diffEffectiveMapping(l, r);
    assert.equal(m.sameMapping, true);
    assert.equal(m.sameResize, false);
    assert.equal(m.left?.resize, '42×42, bicubic, crop to aspect');
    assert.equal(m.tokens.left, '1 CLS + 3×3 patches = 10 at 42×42 (patches from index 1)');
    assert.equal(m.tokens.right, '1 CLS + 4 registers + 2×2 patches = 9 at 28×28 (patches from index 5)');
    const s = presetDiffState(l, r);
    assert.equal(detail(s, 'as mean/std')?.left, 'mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]');
    // between two DINOv2s a different image_shape is an interpolation, not a weight mismatch
    assert.match(s.rows.find((x) => x.key === 'config.image_shape')!.meaning!, /interpolates its stored position table/);
    assert.equal(s.rows.find((x) => x.key === 'config.image_size')?.kind, 'changed');
  });

  it('a ViT fixture folder against a DINOv2 one: the ViT meaning of image_shape (fixed position embeddings) stays', () => {
    const s = presetDiffState(presetDiffSide(join(fixturesRoot(), 'vit_tiny_cls', 'preset'), [process.cwd()]), presetDiffSide(join(DINO, 'dinov2_tiny_registers', 'preset'), [process.cwd()]));
    assert.equal(s.mapping.same, false);
    assert.match(s.rows.find((x) => x.key === 'config.image_shape')?.meaning ?? '', /fixed per size/);
    assert.equal(detail(s, 'tokens')?.right, '1 CLS + 4 registers + 2×2 patches = 9 at 28×28 (patches from index 5)');
  });

  it('an unknown name says which presets it knows', () => {
    assert.throws(() => side('dinov2_huge'), /neither a folder, in the kagglehub cache, nor an official ViT or DINOv2 preset name/);
  });
});
