import type { StageReport } from '../../src/protocol/engineProtocol';
import type { ExpectedShapes, ReportPanelState, StageLines } from '../../src/protocol/panelProtocol';
import { custom, fmt, h, shapeText } from '../shared/dom';

export interface ReportActions {
  reveal(line: number): void;
  rerun(): void;
}

interface StageBox {
  id: string;
  label: string;
  shape: (number | null)[];
  detail: string;
  bad?: string;
}

/** Stages the static analysis expects before any run: image → converter → patches → tokens → encoder → pooled → head. */
export function expectedStages(e: ExpectedShapes): StageBox[] {
  const [H, W] = e.imageSize ?? [null, null];
  const [ph, pw] = e.patchSize ?? [null, null];
  const gh = H && ph ? H / ph : null;
  const gw = W && pw ? W / pw : null;
  const R = e.registers ?? 0;
  const T = gh && gw ? gh * gw + (e.useClassToken ? 1 : 0) + R : null;
  const D = e.hiddenDim;
  const codeMismatch = e.codeInputSize && e.imageSize && (e.codeInputSize[0] !== e.imageSize[0] || e.codeInputSize[1] !== e.imageSize[1]);
  const stages: StageBox[] = [
    { id: 'preprocessed', label: 'Converter output', shape: [null, H, W, 3], detail: `crop + resize + ${e.converter ?? 'x / 127.5 - 1'}`, bad: codeMismatch ? `your code feeds ${e.codeInputSize![0]}×${e.codeInputSize![1]}` : undefined },
    { id: 'patches', label: 'Patch grid', shape: [null, gh, gw, ph && pw ? ph * pw * 3 : null], detail: ph ? `${ph}×${pw} patches` : '' },
    { id: 'tokens', label: 'Tokens', shape: [null, T, D], detail: e.useClassToken === false ? 'no class token' : R ? `CLS at index 0, ${R} registers at 1–${R}, patches from ${1 + R}` : 'CLS at index 0' },
    { id: 'backbone_output', label: 'Backbone output', shape: [null, T, D], detail: `${e.numLayers ?? '?'} encoder blocks + LayerNorm` },
    {
      id: 'pooled', label: 'Pooled', shape: [null, D],
      detail: e.pooling === 'token' ? 'features[:, 0, :]' : e.pooling === 'gap' ? 'mean over tokens' : 'pooling not found in code',
      bad: e.pooling === 'token' && e.useClassToken === false ? 'index 0 is a patch: no class token' : undefined,
    },
  ];
  if (e.headUnits) stages.push({ id: 'logits', label: 'Head', shape: [null, e.headUnits], detail: 'Dense' });
  return stages;
}

function reportStages(stages: StageReport[]): StageBox[] {
  // collapse encoder blocks into one box when there are many
  const blocks = stages.filter((s) => s.id.startsWith('block_'));
  const out: StageBox[] = [];
  for (const s of stages) {
    if (s.id.startsWith('block_')) {
      if (s === blocks[0]) out.push({ id: 'blocks', label: `Encoder × ${blocks.length}`, shape: s.shape, detail: `activation std ${blocks.map((b) => fmt(b.std, 2)).join(' → ')}` });
      continue;
    }
    out.push({ id: s.id, label: s.label, shape: s.shape, detail: s.detail + (s.std !== undefined ? ` · mean ${fmt(s.mean)} std ${fmt(s.std)}` : '') });
  }
  return out;
}

function pipeline(boxes: StageBox[], lines: StageLines, actions: ReportActions): HTMLElement {
  const el = h('div', { class: 'pipeline', role: 'list' });
  boxes.forEach((b, i) => {
    if (i > 0) el.appendChild(h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
    const line = lines[b.id as keyof StageLines];
    const box = h(
      'button',
      { class: `stage${b.bad ? ' bad' : ''}`, role: 'listitem', 'data-stage': b.id, title: line !== undefined ? `Reveal line ${line + 1}` : b.detail },
      h('div', { class: 'label' }, b.label),
      h('div', { class: 'shape' }, shapeText(b.shape)),
      h('div', { class: 'muted' }, b.detail),
      b.bad ? h('div', { class: 'mismatch' }, b.bad) : null,
    );
    box.addEventListener('click', () => {
      if (line !== undefined) actions.reveal(line);
    });
    el.appendChild(box);
  });
  return el;
}

function tokenStrip(numPatches: number, cls: boolean, registers = 0): HTMLElement {
  const shown = Math.min(numPatches, 196);
  const el = h('div', { class: 'tokens', 'aria-label': `${cls ? 'CLS token then ' : ''}${registers ? `${registers} register tokens then ` : ''}${numPatches} patch tokens` });
  if (cls) el.appendChild(h('span', { class: 'tok cls', title: 'CLS token (index 0)' }));
  // DINOv2 registers sit between the CLS token and the patches, with no position embedding
  for (let i = 0; i < registers; i++) el.appendChild(h('span', { class: 'tok reg', title: `register ${i} (index ${i + 1}, no position embedding)` }));
  for (let i = 0; i < shown; i++) el.appendChild(h('span', { class: 'tok', title: `patch ${i}` }));
  if (shown < numPatches) el.appendChild(h('span', { class: 'muted' }, ` … ${numPatches - shown} more`));
  return el;
}

/** Pure render of the sanity report / shape inspector panel. */
export function renderReport(root: HTMLElement, state: ReportPanelState, actions: ReportActions): void {
  root.replaceChildren();
  const r = state.report;
  const rerun = custom('vscode-button', { id: 'rerun', ...(state.running ? { disabled: true } : {}) }, state.running ? 'Running…' : 'Run sanity batch');
  rerun.addEventListener('click', () => actions.rerun());
  root.appendChild(h('h1', {}, r ? `Sanity batch — ${r.preset.name}` : state.expected ? `Shape inspector — ${state.expected.preset}` : 'ViT Doctor'));
  root.appendChild(h('div', {}, rerun));
  if (state.error) root.appendChild(h('div', { class: 'finding error', role: 'alert' }, state.error));
  if (!r && !state.expected) {
    root.appendChild(h('p', { class: 'empty muted' }, 'No run yet. Open a training script with a from_preset(...) call, or run the sanity batch.'));
    return;
  }
  if (r) {
    const p = r.preset;
    root.appendChild(
      h('p', { class: 'muted' },
        `${p.backboneClass} · image ${p.imageShape.join('×')} · patch ${p.patchSize.join('×')} · ${p.numLayers} layers · hidden ${p.hiddenDim} · ${p.useClassToken ? 'class token' : 'no class token'} · backend ${r.backend.name} · ${r.images.length} image(s) · preprocessing: ${r.userPreprocessing}`),
    );
    root.appendChild(h('h2', {}, 'Pipeline (last run)'));
    root.appendChild(pipeline(reportStages(r.stages), state.stageLines, actions));
    const [gh, gw] = p.tokenLayout?.grid ?? [Math.floor(p.imageShape[0]! / p.patchSize[0]!), Math.floor(p.imageShape[1]! / p.patchSize[1]!)];
    const registers = p.tokenLayout?.registers ?? 0;
    root.appendChild(h('h2', {}, `Token sequence: ${p.numTokens} tokens${registers ? ` (CLS, ${registers} registers, then patches from index ${1 + registers})` : ''}`));
    root.appendChild(tokenStrip(gh * gw, p.useClassToken, registers));
    root.appendChild(h('p', { class: 'muted' }, `Pooling: ${r.stages.find((s) => s.id === 'pooled')?.detail ?? ''}`));
    if (r.loss) {
      root.appendChild(h('p', {}, `Loss at initialisation: ${r.loss.loss.toFixed(3)} vs ln(${r.loss.numClasses}) = ${r.loss.lnC.toFixed(3)} `, h('span', { class: r.loss.verdict === 'ok' ? 'ok' : 'mismatch' }, r.loss.verdict)));
    }
    if (r.featureSimilarity !== null) root.appendChild(h('p', {}, `Feature similarity, your input vs the preset converter: ${r.featureSimilarity.toFixed(3)}`));
    root.appendChild(h('h2', {}, `Findings (${r.findings.length})`));
    if (r.findings.length === 0) root.appendChild(h('p', { class: 'ok' }, "None: the batch matches the preset's input contract."));
    for (const f of r.findings) {
      root.appendChild(
        h('div', { class: `finding ${f.severity === 'error' ? 'error' : f.severity === 'info' ? 'info' : ''}` },
          h('div', {}, custom('vscode-badge', {}, f.code), ' ', h('strong', {}, f.title)),
          h('div', {}, f.detail),
          h('div', {}, 'Fix: ', h('code', {}, f.fix))),
      );
    }
  }
  if (r?.skipped?.length) {
    root.appendChild(h('h2', {}, `Skipped files (${r.skipped.length})`));
    const list = h('ul', { id: 'skipped' });
    for (const sk of r.skipped.slice(0, 100)) list.appendChild(h('li', {}, h('code', {}, sk.file), `: ${sk.reason}`));
    if (r.skipped.length > 100) list.appendChild(h('li', { class: 'muted' }, `… and ${r.skipped.length - 100} more`));
    root.appendChild(list);
  }
  if (state.expected) {
    root.appendChild(h('h2', {}, `Expected from ${state.sourceFile ?? 'the code'} (static analysis)`));
    root.appendChild(pipeline(expectedStages(state.expected), state.stageLines, actions));
  }
}
