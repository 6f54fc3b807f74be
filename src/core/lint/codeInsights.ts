import type { UserPooling, UserPreprocessing } from '../../protocol/engineProtocol';
import type { ExpectedShapes, StageLines } from '../../protocol/panelProtocol';
import type { PresetLookup } from '../presets/presetFacts';
import { findHead, findLosses } from './headAndLoss';
import { KerasValues, type KerasValue } from './kerasValues';
import { collectEvidence, matchesContract } from './preprocessingEvidence';
import { PythonModel } from './pythonModel';
import type { PythonSource } from './pythonSource';

/** What the host needs from the open file: presets, expected shapes, stage lines, and the pipeline as written. */
export interface CodeInsights {
  presets: { preset: string; line: number; start: number; end: number; kind: string }[];
  expected: ExpectedShapes | null;
  stageLines: StageLines;
  /** How the code prepares pixels, pools tokens and computes the loss, for the sanity batch to reproduce. */
  pipeline: { preprocessing: UserPreprocessing | null; pooling: UserPooling | null; fromLogits: boolean | undefined };
}

export function codeInsights(src: PythonSource, lookup?: PresetLookup): CodeInsights {
  const model = new PythonModel(src);
  const values = new KerasValues(model, lookup);
  const ev = collectEvidence(model, values);
  const presets = values.values
    .filter((v) => v.preset && v.presetNode)
    .map((v) => ({ preset: v.preset as string, line: v.presetNode!.startPosition.row, start: v.presetNode!.startIndex, end: v.presetNode!.endIndex, kind: v.kind }));
  const b: KerasValue | undefined = values.ofKind('backbone')[0] ?? values.ofKind('task')[0];
  const stageLines: StageLines = {};
  let pooling: UserPooling | null = null;
  let codeInputSize: [number, number] | null = null;
  for (const c of model.calls) {
    if (/^keras\.(layers\.)?Input$/.test(c.callee ?? '')) {
      const hw = model.numberList(c.kwargs.get('shape') ?? c.args[0]);
      if (hw && hw[0] != null && hw[1] != null) codeInputSize = [hw[0], hw[1]];
      stageLines.preprocessed ??= c.node.startPosition.row;
    }
  }
  const conv = ev.appliedConverters[0];
  if (conv) stageLines.preprocessed = conv.def.node.startPosition.row;
  if (b) {
    stageLines.tokens = b.def.node.startPosition.row;
    const site = values.callsOf(b)[0];
    if (site) stageLines.backbone_output = site.node.startPosition.row;
    for (const sub of model.nodesOfType('subscript')) {
      const r = model.resolve(sub.childForFieldName('value'));
      if (r?.type === 'call' && values.valueOf(r.childForFieldName('function'))?.def.node.id === b.def.node.id && /\[\s*:\s*,\s*0\s*(,\s*:\s*)?\]$/.test(sub.text)) {
        pooling = 'token';
        stageLines.pooled = sub.startPosition.row;
      }
    }
    if (!pooling && model.calls.some((c) => /GlobalAveragePooling1D$/.test(model.callAt(c.fn)?.callee ?? '') || /ops\.mean$|reduce_mean$/.test(c.callee ?? ''))) pooling = 'gap';
  }
  const head = findHead(model, values);
  if (head) stageLines.logits = head.node.startPosition.row;
  const loss = findLosses(model)[0];
  let preprocessing: UserPreprocessing | null = null;
  if (b?.family) {
    const contract = b.family.contract;
    if (ev.appliedConverters.length || ev.tasksFittedWithPreprocessor.length) preprocessing = 'preset';
    else if (ev.manual.some((m) => matchesContract(m.kind, contract) === true)) preprocessing = 'preset';
    else if (ev.manual.length) {
      const k = ev.manual[0]!.kind;
      preprocessing = k === 'div255' ? 'rescale' : k === 'imagenet' ? 'imagenet' : k === 'caffe' ? 'caffe' : k === 'minus1to1' ? 'tf' : 'none';
    } else if (ev.unknown.length === 0 && values.callsOf(b).length) preprocessing = 'none';
  }
  const f = b?.facts;
  // a DINOv2 built with from_preset(..., image_shape=) runs at that size (its position table is interpolated)
  const shapeArg = b && f?.dinov2 ? model.numberList(b.def.kwargs.get('image_shape') ?? null) : null;
  const builtSize: [number, number] | null = shapeArg && shapeArg[0] != null && shapeArg[1] != null ? [shapeArg[0], shapeArg[1]] : f?.imageSize ?? null;
  const expected: ExpectedShapes | null = b
    ? {
        preset: b.preset ?? b.className,
        imageSize: builtSize,
        patchSize: f?.patchSize ?? null,
        useClassToken: f?.useClassToken ?? null,
        hiddenDim: f?.hiddenDim ?? null,
        numLayers: f?.numLayers ?? null,
        pooling: pooling ?? 'unknown',
        headUnits: head?.units ?? null,
        codeInputSize,
        ...(f?.dinov2 ? { registers: f.dinov2.numRegisterTokens } : {}),
        ...(f?.formula ? { converter: f.formula } : {}),
      }
    : null;
  return { presets, expected, stageLines, pipeline: { preprocessing, pooling, fromLogits: loss ? loss.fromLogits : undefined } };
}
