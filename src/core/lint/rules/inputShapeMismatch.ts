import type { SyntaxNode as Node } from '../syntaxNode';
import type { KerasValue } from '../kerasValues';
import { attribute, chainOf } from '../flowAttribution';
import type { LintRule, RuleContext } from '../lintTypes';

function presetShape(b: KerasValue, ctx: RuleContext): { size: [number, number] | null; patch: [number, number] | null; explicit: Node | null } {
  const explicit = b.def.kwargs.get('image_shape') ?? null;
  const nums = explicit ? ctx.model.numberList(explicit) : null;
  const size = nums && nums[0] != null && nums[1] != null ? ([nums[0], nums[1]] as [number, number]) : b.facts?.imageSize ?? null;
  return { size, patch: b.facts?.patchSize ?? null, explicit };
}

type Size = [number, number];
const SAME_SIZE_LAYERS = new Set(['Rescaling', 'Normalization', 'Dropout', 'RandomFlip', 'RandomRotation', 'RandomContrast', 'RandomBrightness', 'RandomTranslation', 'BatchNormalization', 'Activation', 'GaussianNoise']);

/**
 * Follows the value a backbone is called on back to the keras.Input it comes from, through layers that keep the size
 * (Rescaling, augmentation) or set it (UpSampling2D, Resizing, CenterCrop, tf.image.resize, an ImageConverter).
 * Returns the Input call and the size the backbone then sees, or null when the path cannot be followed.
 */
/**
 * For an Input inside a `keras.Sequential([...])` list: the size a Resizing/CenterCrop layer between it and the
 * backbone sets, 'other-model' when the backbone is not in that list, null when nothing in between sets a size.
 */
function sequentialResize(ctx: RuleContext, input: Node, b: KerasValue): Size | 'other-model' | null {
  const list = input.parent;
  if (list?.type !== 'list') return null;
  const items = list.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment');
  const at = items.findIndex((n) => n.id === input.id);
  const bi = items.findIndex((n) => ctx.values.valueOf(n) === b);
  if (bi < 0) return 'other-model';
  let out: Size | null = null;
  for (const el of items.slice(at + 1, bi)) {
    const c = ctx.model.callAt(el);
    const name = c?.callee?.split('.').pop() ?? '';
    if (c && (name === 'Resizing' || name === 'CenterCrop')) {
      const h = ctx.model.numberValue(c.kwargs.get('height') ?? c.args[0]);
      const w = ctx.model.numberValue(c.kwargs.get('width') ?? c.args[1]);
      if (h !== null && w !== null) out = [h, w];
    }
  }
  return out;
}

function traceToInput(ctx: RuleContext, expr: Node | null, presetSize: Size, depth = 0): { input: Node; map: (s: Size) => Size } | null {
  if (!expr || depth > 25) return null;
  // `x = layer(x)`: the x inside is the value assigned before this statement, not this assignment
  if (expr.type === 'identifier') {
    let a = ctx.model.lastAssignment(expr.text, expr.startIndex);
    if (a && a.value.startIndex <= expr.startIndex && a.value.endIndex >= expr.endIndex) a = ctx.model.lastAssignment(expr.text, a.target.startIndex);
    if (a) return traceToInput(ctx, a.value, presetSize, depth + 1);
  }
  const r = ctx.model.resolve(expr);
  // backbone({"images": x}): a keras_hub backbone's image input given by name
  if (r?.type === 'dictionary') {
    const pairs = r.namedChildren.filter((p): p is Node => p?.type === 'pair');
    const images = pairs.find((p) => ctx.model.stringValue(p.childForFieldName('key')) === 'images');
    return images ? traceToInput(ctx, images.childForFieldName('value'), presetSize, depth + 1) : null;
  }
  const c = ctx.model.callAt(r);
  if (!r || !c) return null;
  const name = c.callee?.split('.').pop() ?? '';
  if ((name === 'Input' || name === 'InputLayer') && /^keras\.(layers\.)?Input/.test(c.callee ?? '')) return { input: r, map: (s) => s };
  if (/(^|\.)image\.resize$/.test(c.callee ?? '')) {
    const hw = ctx.model.numberList(c.args[1] ?? c.kwargs.get('size') ?? null);
    const inner = traceToInput(ctx, c.args[0] ?? null, presetSize, depth + 1);
    return inner && hw && hw[0] != null && hw[1] != null ? { input: inner.input, map: () => [hw[0] as number, hw[1] as number] } : null;
  }
  const fn = r.childForFieldName('function');
  const v = ctx.values.valueOf(fn);
  if (v?.kind === 'converter' || v?.kind === 'preprocessor') {
    const inner = traceToInput(ctx, c.args[0] ?? null, presetSize, depth + 1);
    // the converter resizes to its own image_size when the code gives one, else to the preset's
    const own = ctx.model.numberList(v.def.kwargs.get('image_size') ?? null);
    const target: Size = own && own[0] != null && own[1] != null ? [own[0], own[1]] : presetSize;
    return inner && { input: inner.input, map: () => target };
  }
  if (fn?.type !== 'call') return null;
  const layer = ctx.model.callAt(fn);
  const lname = layer?.callee?.split('.').pop() ?? '';
  if (!layer || !/^keras\.layers\./.test(layer.callee ?? '')) return null;
  const inner = traceToInput(ctx, c.args[0] ?? null, presetSize, depth + 1);
  if (!inner) return null;
  if (SAME_SIZE_LAYERS.has(lname)) return inner;
  if (lname === 'UpSampling2D') {
    const node = layer.kwargs.get('size') ?? layer.args[0] ?? null;
    const k = ctx.model.numberList(node) ?? (node ? [ctx.model.numberValue(node), ctx.model.numberValue(node)] : [2, 2]);
    if (k[0] == null || k[1] == null) return null;
    return { input: inner.input, map: (s) => { const t = inner.map(s); return [t[0] * (k[0] as number), t[1] * (k[1] as number)]; } };
  }
  if (lname === 'Resizing' || lname === 'CenterCrop') {
    const h = ctx.model.numberValue(layer.kwargs.get('height') ?? layer.args[0] ?? null);
    const w = ctx.model.numberValue(layer.kwargs.get('width') ?? layer.args[1] ?? null);
    return h !== null && w !== null ? { input: inner.input, map: () => [h, w] } : null;
  }
  return null;
}

/**
 * `Input(shape=img_shape)` with `img_shape` a parameter whose default is the shape read, in a function never called
 * in this file: what the callers pass is not known (the text saying so), else null. Calls that all leave the default
 * make it the shape that runs (null: judged as written).
 */
function uncalledDefault(ctx: RuleContext, shapeNode: Node | null): string | null {
  if (shapeNode?.type !== 'identifier') return null;
  const scope = ctx.model.scopes.scopeAt(shapeNode.startIndex);
  if (scope < 0 || !ctx.model.scopes.isParam(scope, shapeNode.text) || ctx.model.lastAssignment(shapeNode.text, shapeNode.startIndex)?.scope === scope) return null;
  const fn = ctx.model.scopes.list[scope]!;
  return ctx.model.callSitesOf(scope).length === 0 ? `${shapeNode.text} is the default of ${fn.name}(), which this file never calls` : null;
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
    // other models of the file (a zoo: Xception at 299 beside the ViT): a resize to their input size is theirs
    const otherSizes = ctx.model.calls
      .filter((c) => /^keras\.applications\./.test(c.callee ?? '') && c.kwargs.has('input_shape'))
      .map((c) => ctx.model.numberList(c.kwargs.get('input_shape') ?? null))
      .filter((hw): hw is number[] => !!hw && hw[0] != null && hw[1] != null)
      .map((hw) => `${hw[0]}x${hw[1]}`);
    // where the backbone is called on a value we can follow back to an Input, judge the size it arrives at
    const backboneCalls = ctx.model.calls.filter((c) => ctx.values.valueOf(c.fn) === b);
    const inSequential = ctx.values.sequentialUses(b).length > 0;
    const traced = new Map<number, Size | null>();
    let untraceable = false;
    for (const bc of backboneCalls) {
      const t = traceToInput(ctx, bc.args[0] ?? null, size);
      if (!t) {
        untraceable = true;
        continue;
      }
      const hw = ctx.model.numberList(ctx.model.callAt(t.input)?.kwargs.get('shape') ?? ctx.model.callAt(t.input)?.args[0] ?? null);
      traced.set(t.input.id, hw && hw[0] != null && hw[1] != null ? t.map([hw[0], hw[1]]) : null);
    }
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
          if (traced.has(c.node.id)) {
            // followed to the backbone: what matters is the size it arrives at (32×32 upsampled ×7 is 224×224)
            const at2 = traced.get(c.node.id);
            if (!at2 || (at2[0] === size[0] && at2[1] === size[1])) continue;
            if (at2[0] !== hw[0] || at2[1] !== hw[1]) {
              ctx.report({ message: `Images of ${hw[0]}×${hw[1]} reach the backbone at ${at2[0]}×${at2[1]} after the layers in between, but ${b.preset ?? b.className} takes ${size[0]}×${size[1]}.`, range: ctx.range(at), related });
              continue;
            }
          } else if (backboneCalls.length > 0 && (untraceable || traced.size > 0)) {
            continue; // this Input does not reach the backbone along a path we can follow: say nothing
          }
          // keras.Sequential([Input(...), Resizing(224, 224), ..., backbone, ...]): the size set before the backbone
          const resized = sequentialResize(ctx, c.node, b);
          if (resized === 'other-model') continue;
          // the backbone sits in a Sequential list this Input is not part of: the Input is another model's
          if (inSequential && c.node.parent?.type !== 'list') continue;
          if (resized) {
            if (resized[0] !== size[0] || resized[1] !== size[1]) {
              ctx.report({ message: `Images of ${hw[0]}×${hw[1]} reach the backbone at ${resized[0]}×${resized[1]} after the layers in between, but ${b.preset ?? b.className} takes ${size[0]}×${size[1]}.`, range: ctx.range(at), related });
            }
            continue;
          }
          if (hw[0] !== size[0] || hw[1] !== size[1]) {
            const h = hw[0] as number;
            const w = hw[1] as number;
            const patchNote = notMultiple(h, w) ? `, and is not a multiple of the ${patch![0]}×${patch![1]} patch` : '';
            const uncalled = uncalledDefault(ctx, shapeNode);
            ctx.report({
              message: (interpolates
                ? `Input shape ${h}×${w} differs from the ${size[0]}×${size[1]} the backbone was built for${explicit ? '' : ' (from_preset without image_shape)'}${patchNote}: the image_shape of the layer that runs is the one given to from_preset. ${notMultiple(h, w) ? `Use a multiple of ${patch![0]} and pass` : 'Pass'} image_shape=(${notMultiple(h, w) ? Math.round(h / patch![0]) * patch![0] : h}, ${notMultiple(h, w) ? Math.round(w / patch![1]) * patch![1] : w}, 3) to from_preset.`
                : `Input shape ${h}×${w} differs from the preset's ${size[0]}×${size[1]}${patchNote}: ViT position embeddings are fixed, so the backbone cannot take it. Resize to ${size[0]}×${size[1]} (the preset's ImageConverter does).`) + (uncalled ? ` (Not certain: ${uncalled}.)` : ''),
              range: ctx.range(at),
              severity: uncalled ? 'information' : interpolates && notMultiple(h, w) ? 'error' : undefined,
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
        if (otherSizes.includes(`${hw[0]}x${hw[1]}`)) continue; // the input size of another model in this file
        // the resize counts only on the path of the data into this backbone (a baseline's 180×180 is the baseline's)
        const verdict = attribute(ctx, b, c.node);
        if (!verdict.on && !verdict.info) continue;
        ctx.report({
          message: `Images are resized to ${hw[0]}×${hw[1]}${name === 'image_dataset_from_directory' && !c.kwargs.get('image_size') ? ' (the default image_size)' : ''}, but ${b.preset ?? b.className} takes ${size[0]}×${size[1]}.${verdict.on ? '' : ` (Not certain: ${verdict.info}.)`}`,
          range: ctx.range(at),
          severity: verdict.on ? undefined : 'information',
          related: verdict.on ? chainOf(ctx, b) : related,
        });
      }
    }
  },
};
