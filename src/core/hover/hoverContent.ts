import type { SyntaxNode as Node } from '../lint/syntaxNode';
import { dinov2ImageShapeRow } from '../presets/dinov2PresetFacts';
import { presetFacts, type PresetFacts, type PresetLookup } from '../presets/presetFacts';
import type { PythonSource } from '../lint/pythonSource';

/** Commands a hover may link to (the host enables exactly these). */
export const HOVER_COMMANDS = ['vitDoctor.showPresetConfig', 'vitDoctor.comparePresets', 'vitDoctor.runSanityBatch'] as const;

export interface PresetHover {
  preset: string;
  markdown: string;
  /** 0-based offsets of the string literal hovered. */
  start: number;
  end: number;
}

function stringAt(src: PythonSource, offset: number): Node | null {
  let n: Node | null = src.root.descendantForIndex(offset);
  while (n && n.type !== 'string') n = n.parent;
  return n;
}

function stringContent(n: Node): string | null {
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  return n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => (c as Node).text).join('');
}

const cmd = (id: string, arg: unknown): string => `command:${id}?${encodeURIComponent(JSON.stringify([arg]))}`;
const md = (s: string): string => s.replace(/[\\`*_{}[\]<>()#+!|]/g, (c) => `\\${c}`);

export function presetHoverMarkdown(f: PresetFacts, keras_hub = 'keras_hub', callImageShape?: [number, number] | null): string {
  const name = md(f.preset);
  const lines: string[] = [];
  const fam = f.family;
  lines.push(`**${name}** — ${fam ? `${fam.classPrefix} (Keras Hub)` : 'Keras Hub preset'}${f.dir ? ` · files in ${md(f.dir)}` : ''}`);
  lines.push('');
  if (f.description) lines.push(`${md(f.description)}`, '');
  const rows: [string, string][] = [];
  if (f.imageSize) rows.push(['Image size', `${f.imageSize[0]}×${f.imageSize[1]}`]);
  if (f.patchSize) rows.push(['Patch', `${f.patchSize[0]}×${f.patchSize[1]}`]);
  if (f.imageSize && f.patchSize) {
    const grid = (f.imageSize[0] / f.patchSize[0]) * (f.imageSize[1] / f.patchSize[1]);
    rows.push(['Tokens', f.useClassToken ? `${grid} + 1 CLS = ${grid + 1}` : `${grid} (no class token)`]);
  }
  if (f.hiddenDim) rows.push(['Hidden size', `${f.hiddenDim}${f.numLayers ? `, ${f.numLayers} layers` : ''}${f.numHeads ? `, ${f.numHeads} heads` : ''}`]);
  if (f.useClassToken !== null) rows.push(['Class token', f.useClassToken ? 'yes — CLS at index 0: `features[:, 0, :]`' : 'no — average the tokens']);
  if (f.pretraining) rows.push(['Pretraining', f.pretraining]);
  if (f.taskClasses !== undefined) rows.push(['Head', f.taskClasses === null ? 'none (backbone only): pass `num_classes` to ImageClassifier' : `${f.taskClasses} classes, logits (activation=None)`]);
  if (f.params) rows.push(['Parameters', f.params.toLocaleString('en-US')]);
  if (f.listedIn) rows.push(['keras-hub', md(f.listedIn)]);
  // the family's own rows replace the generic ones of the same name; new ones go after the token count
  let at = rows.findIndex(([k]) => k === 'Tokens') + 1 || rows.length;
  for (const [k, v] of f.familyRows ?? []) {
    const i = rows.findIndex(([r]) => r === k);
    if (i >= 0) rows[i] = [k, v];
    else rows.splice(at++, 0, [k, v]);
  }
  if (f.dinov2 && callImageShape) rows.splice(at, 0, dinov2ImageShapeRow(f.dinov2, callImageShape));
  if (rows.length) {
    lines.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`));
    lines.push('');
  }
  if (f.formula) {
    lines.push(`**Input contract:** \`${f.formula}\`${f.range ? ` → range ${md(f.range)}` : ''}${f.resize ? `; ${md(f.resize)}` : fam?.interpolation ? `, ${fam.interpolation} resize` : ''}. The backbone does **not** include it.`);
    lines.push('');
    lines.push('```python');
    lines.push(`image_converter = ${keras_hub}.layers.ImageConverter.from_preset(${JSON.stringify(f.preset)})`);
    lines.push('```');
    lines.push('');
  }
  lines.push(`[Show config](${cmd('vitDoctor.showPresetConfig', f.preset)}) · [Compare…](${cmd('vitDoctor.comparePresets', f.preset)}) · [Run sanity batch](${cmd('vitDoctor.runSanityBatch', f.preset)})`);
  lines.push('');
  lines.push(`<sub>Source: ${md(f.source)}</sub>`);
  return lines.join('\n');
}

/** The hover for a preset string at `offset`, or null when the cursor is not on a known preset name. */
export function presetHoverAt(src: PythonSource, offset: number, lookup?: PresetLookup): PresetHover | null {
  const n = stringAt(src, offset);
  if (!n) return null;
  const value = stringContent(n);
  if (!value || value.length > 200) return null;
  const facts = presetFacts(value, lookup);
  if (!facts || (!facts.known && !isFromPresetArg(n))) return null;
  return { preset: value, markdown: presetHoverMarkdown(facts, 'keras_hub', isFromPresetArg(n) ? imageShapeArg(n) : null), start: n.startIndex, end: n.endIndex };
}

/** A literal image_shape=(H, W[, C]) keyword of the from_preset call whose argument `n` is. */
function imageShapeArg(n: Node): [number, number] | null {
  const args = n.parent?.type === 'argument_list' ? n.parent : n.parent?.parent?.type === 'argument_list' ? n.parent.parent : null;
  const kw = args?.namedChildren.find((c) => c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === 'image_shape');
  const value = kw?.childForFieldName('value');
  if (!value || (value.type !== 'tuple' && value.type !== 'list')) return null;
  const nums = value.namedChildren.map((c) => (c?.type === 'integer' ? Number(c.text) : NaN));
  return nums.length >= 2 && nums.every((x) => Number.isInteger(x) && x > 0) ? [nums[0] as number, nums[1] as number] : null;
}

function isFromPresetArg(n: Node): boolean {
  const call = n.parent?.type === 'argument_list' ? n.parent.parent : n.parent?.parent?.type === 'argument_list' ? n.parent.parent.parent : null;
  return !!call && call.type === 'call' && (call.childForFieldName('function')?.text.endsWith('.from_preset') ?? false);
}
