import type { SanityReport } from '../protocol/engineProtocol';
import type { ChannelStats } from '../protocol/statsTypes';

const n = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
const shape = (s: (number | null)[]): string => `(${s.map((d) => (d === null ? '?' : d)).join(', ')})`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function statsRows(label: string, s: ChannelStats[]): string[][] {
  return s.map((c, i) => [i === 0 ? label : '', 'RGB'[i] ?? String(i), n(c.min), n(c.max), n(c.mean), n(c.std)]);
}

/** Human-readable sanity report (the CLI's default output). */
export function formatSanityReport(r: SanityReport): string {
  const p = r.preset;
  const out: string[] = [];
  out.push(`ViT Doctor sanity batch — ${p.name} (${p.backboneClass}, ${p.source === 'kagglehub-cache' ? 'kagglehub cache' : 'directory'})`);
  out.push(`  ${p.dir}`);
  out.push(
    `  image ${p.imageShape.join('×')}, patch ${p.patchSize.join('×')}, ${p.numLayers} layers, ${p.numHeads} heads, hidden ${p.hiddenDim}, mlp ${p.mlpDim}, ` +
      `${p.useClassToken ? 'class token' : 'NO class token'}${p.tokenLayout?.registers ? ` + ${p.tokenLayout.registers} registers (patches from index ${p.tokenLayout.patchStart})` : ''}, ${p.numTokens} tokens, ${p.parameterCount.toLocaleString('en-US')} backbone params`,
  );
  out.push(`  head: ${p.task ? `${p.task.numClasses} classes, pooling "${p.task.pooling}", ${p.task.activation ?? 'logits (activation=None)'}` : 'none (backbone-only preset)'}`);
  out.push(`  input contract: ${p.converter ? `${p.converter.resize}; ${p.converter.formula} → ${p.converter.rangeText}` : 'unknown (no converter in preset)'}`);
  out.push(`  backend: ${r.backend.name}${r.backend.notes.length > 1 ? ` (${r.backend.notes.slice(0, -1).join('; ')})` : ''}`);
  out.push('');
  out.push('Stages');
  out.push(
    table([
      ['stage', 'shape', 'mean', 'std', 'detail'],
      ...r.stages.map((s) => [s.label, shape(s.shape), n(s.mean), n(s.std), s.detail]),
    ]).replace(/^/gm, '  '),
  );
  out.push('');
  out.push(`Input statistics (preprocessing: ${r.userPreprocessing}; expected ${r.inputStats.expectedRange.rangeText} from ${r.inputStats.expectedRange.formula})`);
  out.push(
    table([
      ['', 'ch', 'min', 'max', 'mean', 'std'],
      ...statsRows('raw 0–255', r.inputStats.raw),
      ...statsRows('fed to backbone', r.inputStats.fed),
      ...statsRows('preset expects', r.inputStats.expected),
    ]).replace(/^/gm, '  '),
  );
  if (r.featureSimilarity !== null) out.push(`  pooled-feature cosine similarity, your input vs preset converter: ${r.featureSimilarity.toFixed(4)}`);
  if (r.loss) {
    out.push('');
    out.push(`Loss at initialisation (fresh ${r.loss.numClasses}-class head): ${r.loss.loss.toFixed(4)} vs ln(${r.loss.numClasses}) = ${r.loss.lnC.toFixed(4)}, ≈ ${r.loss.expected.toFixed(4)} for this head's logit scale → ${r.loss.verdict}` +
      (r.userPreprocessing !== 'preset' ? `; with the preset converter: ${r.loss.lossCorrect.toFixed(4)}` : ''));
  }
  if (r.predictions.length) {
    out.push('');
    out.push('Preset head, top-3 per image');
    for (const pr of r.predictions) {
      out.push(`  ${pr.file.split(/[\\/]/).pop()}: ${pr.top.map((t) => `#${t.index} ${(t.probability * 100).toFixed(1)}%`).join('  ')}`);
    }
  }
  out.push('');
  if (r.findings.length === 0) out.push('Findings: none — the batch matches the preset\'s input contract.');
  else {
    out.push(`Findings (${r.findings.length})`);
    for (const f of r.findings) {
      out.push(`  ${f.severity.toUpperCase().padEnd(7)} ${f.code} ${f.name}: ${f.title}`);
      out.push(`          ${f.detail}`);
      out.push(`          fix: ${f.fix}`);
    }
  }
  if (r.skipped?.length) {
    out.push('');
    out.push(`Skipped files (${r.skipped.length})`);
    for (const sk of r.skipped.slice(0, 20)) out.push(`  ${sk.file}: ${sk.reason}`);
    if (r.skipped.length > 20) out.push(`  … and ${r.skipped.length - 20} more (see --json)`);
  }
  const t = r.timings;
  out.push('');
  const phases = Object.entries(t.loadPhases ?? {}).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v.toFixed(0)}`).join(', ');
  out.push(`Timings: load ${t.loadMs.toFixed(0)} ms${phases ? ` (${phases})` : ''}, decode ${t.decodeMs.toFixed(0)} ms, preprocess ${t.preprocessMs.toFixed(0)} ms, forward ${t.forwardMs.toFixed(0)} ms, total ${t.totalMs.toFixed(0)} ms`);
  return out.join('\n');
}
