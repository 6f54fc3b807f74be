import type { Node } from 'web-tree-sitter';
import type { KerasValue } from '../kerasValues';
import type { LintRule, RuleContext } from '../lintTypes';

function presetShape(b: KerasValue, ctx: RuleContext): { size: [number, number] | null; patch: [number, number] | null; explicit: Node | null } {
  const explicit = b.def.kwargs.get('image_shape') ?? null;
  const nums = explicit ? ctx.model.numberList(explicit) : null;
  const size = nums && nums[0] != null && nums[1] != null ? ([nums[0], nums[1]] as [number, number]) : b.facts?.imageSize ?? null;
  return { size, patch: b.facts?.patchSize ?? null, explicit };
}

/**
 * The image_shape given to from_preset: not a multiple of the patch is an error; for a ViT (fixed position
 * embeddings) a size other than the preset's is a warning; DINOv2 interpolates, so any multiple of 14 is fine.
 * Returns true when an error was reported (nothing else is worth saying about that backbone).
 */
function checkImageShape(ctx: RuleContext, b: KerasValue): boolean {
  const { size, patch, explicit } = presetShape(b, ctx);
  if (!size || !explicit) return false;
  const related = [{ message: `${b.preset ?? b.className}: ${size[0]}×${size[1]}`, range: ctx.range(b.def.node) }];
  const interpolates = b.family?.family === 'dinov2';
  if (patch && (size[0] % patch[0] !== 0 || size[1] % patch[1] !== 0)) {
    const near = `${Math.round(size[0] / patch[0]) * patch[0]}×${Math.round(size[1] / patch[1]) * patch[1]}`;
    ctx.report({ message: `image_shape ${size[0]}×${size[1]} is not a multiple of the ${patch[0]}×${patch[1]} patch of ${b.preset ?? b.className}: ${interpolates ? 'the patch grid does not tile the image' : 'ViTBackbone raises'}. Use a multiple of ${patch[0]}, e.g. ${near}.`, range: ctx.range(explicit), severity: 'error', related });
    return true;
  }
  if (!interpolates && b.facts?.imageSize && (size[0] !== b.facts.imageSize[0] || size[1] !== b.facts.imageSize[1])) {
    ctx.report({ message: `image_shape ${size[0]}×${size[1]} differs from the preset's ${b.facts.imageSize[0]}×${b.facts.imageSize[1]}: ViT position embeddings are fixed by the config, so the pretrained weights do not fit.`, range: ctx.range(explicit), related });
  }
  return false;
}

/** VTD004: Input(shape=...) or a resize size that differs from the preset's image size, or is not a multiple of the patch. */
export const inputShapeMismatch: LintRule = {
  code: 'VTD004',
  name: 'input-shape-mismatch',
  defaultSeverity: 'warning',
  summary: "The image size in the code does not match the preset's image size or patch grid.",
  check(ctx) {
    const backbones = ctx.values.ofKind('backbone', 'task').filter((v) => v.family?.output === 'tokens' && v.facts?.imageSize);
    // every backbone's own image_shape is checked; the inputs and resizes of the file against the first one
    for (const other of backbones.slice(1)) checkImageShape(ctx, other);
    const b = backbones[0];
    if (!b) return;
    const { size, patch, explicit } = presetShape(b, ctx);
    if (!size) return;
    const related = [{ message: `${b.preset ?? b.className}: ${size[0]}×${size[1]}`, range: ctx.range(b.def.node) }];
    const interpolates = b.family?.family === 'dinov2';
    const notMultiple = (h: number, w: number): boolean => !!patch && (h % patch[0] !== 0 || w % patch[1] !== 0);
    if (checkImageShape(ctx, b)) return;
    const converterApplied = ctx.evidence.appliedConverters.length > 0 || ctx.evidence.tasksFittedWithPreprocessor.length > 0;
    for (const c of ctx.model.calls) {
      const name = c.callee?.split('.').pop() ?? '';
      let hw: (number | null)[] | null = null;
      let at: Node = c.node;
      if ((name === 'Input' || name === 'InputLayer') && /^keras\.(layers\.)?Input/.test(c.callee ?? '')) {
        const shapeNode = c.kwargs.get('shape') ?? c.args[0] ?? null;
        hw = ctx.model.numberList(shapeNode);
        at = shapeNode ?? c.node;
        if (hw && hw.length === 3) {
          if (hw[0] === null || hw[1] === null) continue;
          if (hw[0] !== size[0] || hw[1] !== size[1]) {
            const h = hw[0] as number;
            const w = hw[1] as number;
            const patchNote = notMultiple(h, w) ? `, and is not a multiple of the ${patch![0]}×${patch![1]} patch` : '';
            ctx.report({
              message: interpolates
                ? `Input shape ${h}×${w} differs from the ${size[0]}×${size[1]} the backbone was built for${explicit ? '' : ' (from_preset without image_shape)'}${patchNote}: the image_shape of the layer that runs is the one given to from_preset. ${notMultiple(h, w) ? `Use a multiple of ${patch![0]} and pass` : 'Pass'} image_shape=(${notMultiple(h, w) ? Math.round(h / patch![0]) * patch![0] : h}, ${notMultiple(h, w) ? Math.round(w / patch![1]) * patch![1] : w}, 3) to from_preset.`
                : `Input shape ${h}×${w} differs from the preset's ${size[0]}×${size[1]}${patchNote}: ViT position embeddings are fixed, so the backbone cannot take it. Resize to ${size[0]}×${size[1]} (the preset's ImageConverter does).`,
              range: ctx.range(at),
              severity: interpolates && notMultiple(h, w) ? 'error' : undefined,
              related,
            });
          }
        }
        continue;
      }
      if (converterApplied) continue; // the converter resizes to the preset size afterwards
      if (name === 'Resizing' || /(^|\.)image\.resize$/.test(c.callee ?? '')) {
        const node = name === 'Resizing' ? null : c.args[1] ?? c.kwargs.get('size') ?? null;
        hw = name === 'Resizing' ? [ctx.model.numberValue(c.kwargs.get('height') ?? c.args[0]), ctx.model.numberValue(c.kwargs.get('width') ?? c.args[1])] : ctx.model.numberList(node);
        at = node ?? c.node;
      } else if (name === 'image_dataset_from_directory') {
        const node = c.kwargs.get('image_size') ?? null;
        hw = node ? ctx.model.numberList(node) : [256, 256];
        at = node ?? c.node;
      }
      if (hw && hw[0] != null && hw[1] != null && (hw[0] !== size[0] || hw[1] !== size[1])) {
        ctx.report({
          message: `Images are resized to ${hw[0]}×${hw[1]}${name === 'image_dataset_from_directory' && !c.kwargs.get('image_size') ? ' (the default image_size)' : ''}, but ${b.preset ?? b.className} takes ${size[0]}×${size[1]}.`,
          range: ctx.range(at),
          related,
        });
      }
    }
  },
};
