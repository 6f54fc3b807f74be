/** One defect a labeller wrote down for a real file, before the linter ran on it (test/corpus-real/labels.json). */
export interface RealLabel {
  code: string;
  /** 1-based; within the cell for notebooks */
  line: number;
  /** other lines where the same fix could be made (a finding there counts as the same defect) */
  lines?: number[];
  /** notebooks: index in the notebook's cells array, markdown cells counted */
  cell?: number;
  why: string;
  confidence: number;
  /** "doc": the rule's page claims this case; "beyond": same defect class outside it (e.g. keras.applications) */
  scope: 'doc' | 'beyond';
}

export interface RealCorpusFile {
  repo: string;
  path: string;
  commit: string;
  sha256: string;
  kind: 'script' | 'notebook';
  code_classes: string[];
  verdict: 'clean' | 'defective';
  labels: RealLabel[];
}

/** A warning or error the linter reported on a corpus file (1-based line; cell for notebooks). */
export interface RealFinding {
  code: string;
  line: number;
  cell?: number;
  message: string;
}

export interface RuleTally {
  tp: number;
  fp: number;
  /** labels of confidence >= RECALL_CONFIDENCE that no finding matched */
  fn: number;
  /** the same, counting only labels whose scope is "doc" */
  tpDoc: number;
  fnDoc: number;
  /** file level (anchor ignored): labels with a finding of their code anywhere in the file, findings in files without a label of their code, labels >= 0.7 without one */
  tpFile: number;
  fpFile: number;
  fnFile: number;
}

export interface ScoredFinding extends RealFinding {
  file: RealCorpusFile;
}

export interface MissedLabel extends RealLabel {
  file: RealCorpusFile;
}

export interface RealCorpusScore {
  files: number;
  notebooks: number;
  perRule: Map<string, RuleTally>;
  cleanFiles: number;
  cleanFilesFlagged: RealCorpusFile[];
  falsePositives: ScoredFinding[];
  misses: MissedLabel[];
}

/** Labels below this confidence never count as misses (a finding on them is still not a false positive). */
export const RECALL_CONFIDENCE = 0.7;

function matches(label: RealLabel, f: RealFinding): boolean {
  if (label.code !== f.code || (label.cell ?? -1) !== (f.cell ?? -1)) return false;
  return label.line === f.line || (label.lines ?? []).includes(f.line);
}

/**
 * Precision and recall per rule on the real corpus: a finding on a labelled line with that code is a true positive
 * (whatever the label's confidence), any other finding a false positive, a label of confidence >= 0.7 without a finding
 * a miss. Several findings on one label count once. `found` holds each scored file's warnings and errors, keyed by
 * `repo/path`; files absent from it were not scored.
 */
export function scoreRealCorpus(corpus: RealCorpusFile[], found: Map<string, RealFinding[]>, codes: string[]): RealCorpusScore {
  const empty = (): RuleTally => ({ tp: 0, fp: 0, fn: 0, tpDoc: 0, fnDoc: 0, tpFile: 0, fpFile: 0, fnFile: 0 });
  const perRule = new Map<string, RuleTally>(codes.map((c) => [c, empty()]));
  const tally = (code: string): RuleTally => {
    let t = perRule.get(code);
    if (!t) perRule.set(code, (t = empty()));
    return t;
  };
  const score: RealCorpusScore = { files: 0, notebooks: 0, perRule, cleanFiles: 0, cleanFilesFlagged: [], falsePositives: [], misses: [] };
  for (const file of corpus) {
    const findings = found.get(`${file.repo}/${file.path}`);
    if (!findings) continue;
    score.files++;
    if (file.kind === 'notebook') score.notebooks++;
    if (file.verdict === 'clean') {
      score.cleanFiles++;
      if (findings.length > 0) score.cleanFilesFlagged.push(file);
    }
    const hit = new Set<RealLabel>();
    for (const f of findings) {
      const label = file.labels.find((l) => matches(l, f));
      if (!label) {
        tally(f.code).fp++;
        score.falsePositives.push({ ...f, file });
        continue;
      }
      if (hit.has(label)) continue;
      hit.add(label);
      const t = tally(f.code);
      t.tp++;
      if (label.scope === 'doc' && label.confidence >= RECALL_CONFIDENCE) t.tpDoc++;
    }
    const codesFound = new Set(findings.map((f) => f.code));
    const codesLabelled = new Set(file.labels.map((l) => l.code));
    for (const f of findings) if (!codesLabelled.has(f.code)) tally(f.code).fpFile++;
    for (const l of file.labels) {
      if (codesFound.has(l.code)) tally(l.code).tpFile++;
      else if (l.confidence >= RECALL_CONFIDENCE) tally(l.code).fnFile++;
    }
    for (const l of file.labels) {
      if (hit.has(l) || l.confidence < RECALL_CONFIDENCE) continue;
      const t = tally(l.code);
      t.fn++;
      if (l.scope === 'doc') t.fnDoc++;
      score.misses.push({ ...l, file });
    }
  }
  return score;
}

const ratio = (a: number, b: number): string => (b === 0 ? '—' : (a / b).toFixed(2));

/** The score as the markdown table `npm run lint:score` prints. */
export function formatRealCorpusScore(s: RealCorpusScore, ruleNames: Map<string, string>): string {
  const row = (t: RuleTally): string => `${t.tp} | ${t.fp} | ${t.fn} | ${ratio(t.tp, t.tp + t.fp)} | ${ratio(t.tp, t.tp + t.fn)} | ${ratio(t.tpDoc, t.tpDoc + t.fnDoc)} | ${ratio(t.tpFile, t.tpFile + t.fpFile)} | ${ratio(t.tpFile, t.tpFile + t.fnFile)} |`;
  const rows = [...s.perRule].map(([code, t]) => `| ${code} | ${ruleNames.get(code) ?? ''} | ${row(t)}`);
  const all = [...s.perRule.values()].reduce((a, t) => {
    for (const k of Object.keys(a) as (keyof RuleTally)[]) a[k] += t[k];
    return a;
  }, { tp: 0, fp: 0, fn: 0, tpDoc: 0, fnDoc: 0, tpFile: 0, fpFile: 0, fnFile: 0 });
  return [
    `${s.files} real files (${s.notebooks} notebooks); warnings and errors only; recall on labels of confidence >= ${RECALL_CONFIDENCE}`,
    '',
    '| code | rule | TP | FP | FN | precision | recall | recall (documented cases) | precision (same file, any line) | recall (same file, any line) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| all | | ${row(all)}`,
    '',
    `Correct files flagged: ${s.cleanFilesFlagged.length} of ${s.cleanFiles} (${s.cleanFiles === 0 ? '—' : ((100 * s.cleanFilesFlagged.length) / s.cleanFiles).toFixed(0)}%)`,
  ].join('\n');
}
