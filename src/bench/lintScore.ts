import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lintSource } from '../core/lint/linter';
import { getPythonParser, parsePython } from '../core/lint/pythonSource';
import { RULES } from '../core/lint/ruleRegistry';

/** `# expect: VTD001, VTD003` markers of a corpus file → "line:code" keys (1-based lines). */
function expected(text: string): Set<string> {
  const out = new Set<string>();
  text.split(/\r?\n/).forEach((l, i) => {
    const m = /#\s*expect:\s*([A-Z0-9,\s]+)$/.exec(l);
    if (m) for (const c of (m[1] as string).split(',').map((s) => s.trim()).filter(Boolean)) out.add(`${i + 1}:${c}`);
  });
  return out;
}

/**
 * Precision and recall per rule over the corpus (test/fixtures/python): a finding on a marked line with that code is a
 * true positive, an unmarked finding a false positive, a marker without a finding a false negative. The corpus test
 * requires a perfect score; this table shows what a change trades while it is being made.
 */
export async function lintScore(dir = resolve('test/fixtures/python')): Promise<string> {
  const parser = await getPythonParser();
  const score = new Map(RULES.map((r) => [r.code, { tp: 0, fp: 0, fn: 0 }]));
  let files = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.py')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const want = expected(text);
    const src = parsePython(parser, text);
    const got = new Set(lintSource(src).findings.map((x) => `${x.range.start.line + 1}:${x.code}`));
    src.tree.delete();
    files++;
    for (const k of got) {
      const s = score.get(k.split(':')[1] as string);
      if (!s) continue;
      if (want.has(k)) s.tp++;
      else s.fp++;
    }
    for (const k of want) if (!got.has(k)) score.get(k.split(':')[1] as string)!.fn++;
  }
  const pct = (a: number, b: number): string => (b === 0 ? '—' : (a / b).toFixed(2));
  const rows = [...score].map(([code, s]) => `| ${code} | ${RULES.find((r) => r.code === code)!.name} | ${s.tp} | ${s.fp} | ${s.fn} | ${pct(s.tp, s.tp + s.fp)} | ${pct(s.tp, s.tp + s.fn)} |`);
  const t = [...score.values()].reduce((a, s) => ({ tp: a.tp + s.tp, fp: a.fp + s.fp, fn: a.fn + s.fn }), { tp: 0, fp: 0, fn: 0 });
  return [`${files} corpus files`, '', '| code | rule | TP | FP | FN | precision | recall |', '|---|---|---|---|---|---|---|', ...rows, `| all | | ${t.tp} | ${t.fp} | ${t.fn} | ${pct(t.tp, t.tp + t.fp)} | ${pct(t.tp, t.tp + t.fn)} |`].join('\n');
}
