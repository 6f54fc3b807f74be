import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { RULES } from '../../../src/core/lint/ruleRegistry';
import { readRealCorpusLabels, runRealCorpus } from '../../../src/bench/realCorpusRun';
import { formatRealCorpusScore, scoreRealCorpus, type RealCorpusFile, type RealFinding } from '../../../src/bench/realCorpusScore';

const CODES = RULES.map((r) => r.code);

function file(path: string, labels: RealCorpusFile['labels'], kind: RealCorpusFile['kind'] = 'script'): RealCorpusFile {
  return { repo: 'o/r', path, commit: 'c'.repeat(40), sha256: 'a'.repeat(64), kind, code_classes: [], verdict: labels.length ? 'defective' : 'clean', labels };
}
const label = (code: string, line: number, confidence = 0.9, extra: Partial<RealCorpusFile['labels'][number]> = {}): RealCorpusFile['labels'][number] => ({ code, line, why: 'x', confidence, scope: 'doc', ...extra });
const finding = (code: string, line: number, cell?: number): RealFinding => ({ code, line, cell, message: 'm' });

describe('real corpus score', () => {
  it('counts a finding on a labelled line as a true positive, elsewhere as a false positive and the label as a miss', () => {
    const corpus = [file('a.py', [label('VTD001', 10)]), file('b.py', [label('VTD002', 4)])];
    const s = scoreRealCorpus(corpus, new Map([['o/r/a.py', [finding('VTD001', 10)]], ['o/r/b.py', [finding('VTD002', 5)]]]), CODES);
    assert.deepEqual(s.perRule.get('VTD001'), { tp: 1, fp: 0, fn: 0, tpDoc: 1, fnDoc: 0, tpFile: 1, fpFile: 0, fnFile: 0 });
    assert.deepEqual(s.perRule.get('VTD002'), { tp: 0, fp: 1, fn: 1, tpDoc: 0, fnDoc: 1, tpFile: 1, fpFile: 0, fnFile: 0 }, 'right code in the right file at another line: wrong anchor');
    assert.equal(s.falsePositives.length, 1);
    assert.equal(s.misses[0]?.file.path, 'b.py');
  });

  it('accepts the alternative anchors of a label and counts several findings on one label once', () => {
    const s = scoreRealCorpus([file('a.py', [label('VTD005', 3, 0.9, { lines: [7] })])], new Map([['o/r/a.py', [finding('VTD005', 7), finding('VTD005', 3)]]]), CODES);
    assert.deepEqual(s.perRule.get('VTD005'), { tp: 1, fp: 0, fn: 0, tpDoc: 1, fnDoc: 0, tpFile: 1, fpFile: 0, fnFile: 0 });
  });

  it('matches notebook labels by cell as well as line', () => {
    const nb = file('n.ipynb', [label('VTD001', 2, 0.8, { cell: 4 })], 'notebook');
    const s = scoreRealCorpus([nb], new Map([['o/r/n.ipynb', [finding('VTD001', 2, 5)]]]), CODES);
    assert.deepEqual(s.perRule.get('VTD001'), { tp: 0, fp: 1, fn: 1, tpDoc: 0, fnDoc: 1, tpFile: 1, fpFile: 0, fnFile: 0 });
  });

  it('does not count an unfound label under 0.7 as a miss, and a finding on it is not a false positive', () => {
    const corpus = [file('a.py', [label('VTD007', 9, 0.5, { scope: 'beyond' })]), file('b.py', [label('VTD007', 2, 0.4)])];
    const s = scoreRealCorpus(corpus, new Map([['o/r/a.py', []], ['o/r/b.py', [finding('VTD007', 2)]]]), CODES);
    assert.deepEqual(s.perRule.get('VTD007'), { tp: 1, fp: 0, fn: 0, tpDoc: 0, fnDoc: 0, tpFile: 1, fpFile: 0, fnFile: 0 });
    assert.equal(s.misses.length, 0);
  });

  it('reports correct files with any warning as flagged and skips files that were not scored', () => {
    const corpus = [file('clean1.py', []), file('clean2.py', []), file('unscored.py', [])];
    const s = scoreRealCorpus(corpus, new Map([['o/r/clean1.py', [finding('VTD004', 1)]], ['o/r/clean2.py', []]]), CODES);
    assert.equal(s.files, 2);
    assert.deepEqual(s.cleanFilesFlagged.map((f) => f.path), ['clean1.py']);
    assert.equal(s.perRule.get('VTD004')?.fpFile, 1);
    assert.match(formatRealCorpusScore(s, new Map()), /Correct files flagged: 1 of 2 \(50%\)/);
  });

  it('lints cached scripts and notebooks, maps notebook findings to cells and skips a file whose sha256 changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtd-real-'));
    try {
      const script = readFileSync(join(process.cwd(), 'test/fixtures/python/vit_logits_loss.py'), 'utf8');
      const lines = script.split('\n');
      const notebook = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# the same code split over cells'] },
        { cell_type: 'code', metadata: {}, outputs: [], source: lines.slice(0, 8).join('\n') },
        { cell_type: 'code', metadata: {}, outputs: [], source: lines.slice(8).join('\n') },
      ] });
      const put = (path: string, text: string): string => {
        const at = join(dir, 'cache', 'o/r', path);
        mkdirSync(dirname(at), { recursive: true });
        writeFileSync(at, text);
        return createHash('sha256').update(text).digest('hex');
      };
      const entry = (path: string, kind: RealCorpusFile['kind'], sha256: string, labels: RealCorpusFile['labels']): RealCorpusFile => ({ ...file(path, labels, kind), sha256 });
      const files = [
        entry('a.py', 'script', put('a.py', script), [label('VTD005', 13)]),
        entry('n.ipynb', 'notebook', put('n.ipynb', notebook), [label('VTD005', 5, 0.9, { cell: 2 })]),
        entry('changed.py', 'script', 'b'.repeat(64), [label('VTD005', 13)]),
      ];
      put('changed.py', script);
      writeFileSync(join(dir, 'labels.json'), JSON.stringify({ files }));
      const r = await runRealCorpus(join(dir, 'labels.json'), join(dir, 'cache'));
      assert.ok(r.score);
      assert.equal(r.score.files, 2);
      assert.deepEqual(r.score.perRule.get('VTD005'), { tp: 2, fp: 0, fn: 0, tpDoc: 2, fnDoc: 0, tpFile: 2, fpFile: 0, fnFile: 0 }, r.text);
      assert.match(r.text, /1 labelled files not cached or changed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says the real part is skipped when the texts are not cached (CI)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vtd-real-'));
    try {
      const missing = await runRealCorpus(undefined, join(empty, 'nothing-here'));
      assert.equal(missing.score, null);
      assert.match(missing.text, /Real corpus skipped/);
      const noneMatching = await runRealCorpus(undefined, empty);
      assert.equal(noneMatching.score, null);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('real corpus label file', () => {
  const corpus = readRealCorpusLabels();
  it('holds at least 120 public files, 40 notebooks and 40% correct code', () => {
    assert.ok(corpus.length >= 120, `${corpus.length} files`);
    assert.ok(corpus.filter((f) => f.kind === 'notebook').length >= 40);
    assert.ok(corpus.filter((f) => f.verdict === 'clean').length >= 0.4 * corpus.length);
    assert.equal(new Set(corpus.map((f) => `${f.repo}/${f.path}`)).size, corpus.length, 'no file twice');
  });
  it('names each file by repository, commit and sha256, with labels the scorer can use', () => {
    for (const f of corpus) {
      const at = `${f.repo}/${f.path}`;
      assert.match(f.repo, /^[\w.-]+\/[\w.-]+$/, at);
      assert.match(f.commit, /^[0-9a-f]{40}$/, at);
      assert.match(f.sha256, /^[0-9a-f]{64}$/, at);
      assert.equal(f.kind, f.path.endsWith('.ipynb') ? 'notebook' : 'script', at);
      assert.equal(f.verdict, f.labels.length ? 'defective' : 'clean', at);
      for (const l of f.labels) {
        assert.ok(CODES.includes(l.code), `${at}: ${l.code}`);
        assert.ok(Number.isInteger(l.line) && l.line >= 1, at);
        assert.equal(l.cell !== undefined, f.kind === 'notebook', `${at}: notebook labels name a cell, script labels do not`);
        assert.ok(l.confidence >= 0 && l.confidence <= 1 && l.why.length > 0, at);
        assert.ok(l.scope === 'doc' || l.scope === 'beyond', at);
      }
    }
  });
});
