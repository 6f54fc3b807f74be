import type { Node } from 'web-tree-sitter';
import type { KerasValue } from '../kerasValues';
import type { LintRule, RuleContext } from '../lintTypes';

function presetShape(b: KerasValue, ctx: RuleContext): { size: [number, number] | null; patch: [number, number] | null; explicit: Node | null } {
  const explicit = b.def.kwargs.get('image_shape') ?? null;
  const nums = explicit ? ctx.model.numberList(explicit) : null;
  const size = nums && nums[0] != null && nums[1] != null ? ([nums[0], nums[1]] as [number, number]) : b.facts?.imageSize ?? null;
  return { size, patch: b.facts?.patchSize ?? null, explicit };
}

/** VTD004: Input(shape=...) or a resize size that differs from the preset's image size, or is not a multiple of the patch. */
export const inputShapeMismatch: LintRule = {
  code: 'VTD004',
  name: 'input-shape-mismatch',
  defaultSeverity: 'warning',
  summary: "The image size in the code does not match the preset's image size or patch grid.",
  check(ctx) {
    const b = ctx.values.ofKind('backbone', 'task').find((v) => v.family?.output === 'tokens' && v.facts?.imageSize);
    if (!b) return;
    const { size, patch, explicit } = presetShape(b, ctx);
    if (!size) return;
    const related = [{ message: `${b.preset ?? b.className}: ${size[0]}×${size[1]}`, range: ctx.range(b.def.node) }];
    if (explicit && patch && (size[0] % patch[0] !== 0 || size[1] % patch[1] !== 0)) {
      ctx.report({ message: `image_shape ${size[0]}×${size[1]} is not a multiple of the ${patch[0]}×${patch[1]} patch: ViTBackbone raises.`, range: ctx.range(explicit), severity: 'error', related });
      return;
    }
    if (explicit && b.facts?.imageSize && (size[0] !== b.facts.imageSize[0] || size[1] !== b.facts.imageSize[1])) {
      ctx.report({ message: `image_shape ${size[0]}×${size[1]} differs from the preset's ${b.facts.imageSize[0]}×${b.facts.imageSize[1]}: ViT position embeddings are fixed by the config, so the pretrained weights do not fit.`, range: ctx.range(explicit), related });
    }
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
            ctx.report({
              message: `Input shape ${hw[0]}×${hw[1]} differs from the preset's ${size[0]}×${size[1]}${patch && ((hw[0] as number) % patch[0] !== 0 || (hw[1] as number) % patch[1] !== 0) ? `, and is not a multiple of the ${patch[0]}×${patch[1]} patch` : ''}: ViT position embeddings are fixed, so the backbone cannot take it. Resize to ${size[0]}×${size[1]} (the preset's ImageConverter does).`,
              range: ctx.range(at),
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
