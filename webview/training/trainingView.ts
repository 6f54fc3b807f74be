import type { TrainPanelState } from '../../src/protocol/panelProtocol';
import type { DataEvent, EpochEvent, HealthEvent, PlanEvent, StepEvent } from '../../src/protocol/trainProtocol';
import { custom, h } from '../shared/dom';
import { barChart, lineChart } from './lineChart';

/** Pure render of the training panel (live curves, gradient norms, health, A/B). */
export function renderTraining(root: HTMLElement, st: TrainPanelState, onStop: () => void): void {
  root.replaceChildren();
  root.appendChild(h('h1', {}, st.title));
  if (st.running) {
    const stop = custom('vscode-button', { id: 'stop' }, 'Stop');
    stop.addEventListener('click', onStop);
    root.appendChild(h('div', {}, stop, ' ', h('span', { class: 'muted', id: 'status' }, 'running…')));
  }
  if (st.error) root.appendChild(h('div', { class: 'finding error', role: 'alert' }, st.error));
  const data = st.events.find((e): e is DataEvent => e.type === 'data');
  const plan = st.events.find((e): e is PlanEvent => e.type === 'plan');
  const steps = st.events.filter((e): e is StepEvent => e.type === 'step');
  const epochs = st.events.filter((e): e is EpochEvent => e.type === 'epoch');
  const health = st.events.filter((e): e is HealthEvent => e.type === 'health');
  if (data) root.appendChild(h('p', { class: 'muted' }, `${data.classNames.length} classes (${data.classNames.map((c, i) => `${c}: ${data.counts[i]}`).join(', ')}) · train ${data.train} · val ${data.val}${data.skipped.length ? ` · ${data.skipped.length} unreadable skipped` : ''}`));
  if (plan) root.appendChild(h('p', { class: 'muted', id: 'plan' }, `${plan.mode}: ${plan.trainableParams.toLocaleString('en-US')} trainable parameters, ${plan.optimizer} lr ${plan.lr}, ~${plan.memoryEstimateMb} MB of ${plan.memoryLimitMb} MB — ${plan.note}${plan.backends ? `; features on ${plan.backends.features}, gradients on ${plan.backends.gradients}` : ''}`));
  for (const x of health) root.appendChild(h('div', { class: `finding ${x.severity === 'error' ? 'error' : ''}` }, `${x.code}: ${x.message}`));
  if (steps.length || epochs.length) {
    const spe = plan?.stepsPerEpoch ?? 1;
    const charts = h('div', { class: 'pipeline' });
    charts.appendChild(lineChart('loss', [
      { name: 'train (step)', cls: 'train', points: steps.map((x) => [x.step, x.loss]) },
      { name: 'val (epoch)', cls: 'val', points: epochs.map((x) => [x.epoch * spe, x.valLoss]) },
    ]));
    charts.appendChild(lineChart('accuracy', [
      { name: 'train (step)', cls: 'train', points: steps.map((x) => [x.step, x.accuracy]) },
      { name: 'val (epoch)', cls: 'val', points: epochs.map((x) => [x.epoch * spe, x.valAccuracy]) },
    ], { yMin: 0, yMax: 1 }));
    root.appendChild(charts);
    const last = steps[steps.length - 1];
    if (last) {
      root.appendChild(h('p', { id: 'last-step' }, `step ${last.step} · loss ${last.loss.toFixed(4)} · lr ${last.lr.toExponential(2)} · ${last.imagesPerSec.toFixed(0)} img/s`));
      root.appendChild(barChart('gradient norm per block (log scale)', Object.entries(last.gradNorms).map(([label, value]) => ({ label, value, text: value.toExponential(2) })), { log: true }));
    }
  }
  const c = st.check;
  if (c) {
    root.appendChild(h('h2', {}, 'Can this pipeline learn?'));
    root.appendChild(h('p', { id: 'init-loss', class: c.initLoss.verdict === 'ok' ? 'ok' : 'mismatch' }, `Loss at initialisation ${c.initLoss.loss.toFixed(3)} vs ln(${c.classNames.length}) = ${c.initLoss.lnC.toFixed(3)}: ${c.initLoss.verdict}`));
    root.appendChild(h('p', { id: 'overfit', class: c.overfit.passed ? 'ok' : 'mismatch' }, `Overfit one batch: ${c.overfit.passed ? 'pass' : 'FAIL'} — ${c.overfit.verdict}`));
    for (const cause of c.overfit.likelyCauses) root.appendChild(h('div', { class: 'muted' }, `likely cause: ${cause}`));
    root.appendChild(h('p', { id: 'baseline', class: c.baseline.ignoresInput ? 'mismatch' : 'ok' }, c.baseline.verdict));
    root.appendChild(lineChart('one-batch loss: real inputs vs zeroed inputs', [
      { name: 'real', cls: 'train', points: c.overfit.losses.map((y, i) => [i + 1, y]) },
      { name: 'zeros', cls: 'val', points: c.baseline.losses.map((y, i) => [i + 1, y]) },
    ]));
    root.appendChild(h('h2', {}, 'Preprocessing A/B (validation accuracy)'));
    root.appendChild(barChart('validation accuracy', c.ab.map((a) => ({ label: a.preprocessing, value: a.valAccuracy, cls: a.preprocessing === 'preset' ? '' : 'exp', text: `${(a.valAccuracy * 100).toFixed(1)}%` })), { max: 1 }));
    root.appendChild(h('p', { id: 'ab-verdict' }, c.abVerdict));
  }
  if (!st.running && !c && steps.length === 0 && !st.error) root.appendChild(h('p', { class: 'empty muted' }, 'Run "ViT Doctor: Train..." or "ViT Doctor: Check Pipeline Can Learn".'));
}
