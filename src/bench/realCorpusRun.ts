import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { lintSource } from '../core/lint/linter';
import { findProjectFacts } from '../core/lint/projectFacts';
import { getPythonParser, parsePython } from '../core/lint/pythonSource';
import { RULES } from '../core/lint/ruleRegistry';
import { parseIpynb } from '../core/notebook/ipynbReader';
import { lintNotebook } from '../core/notebook/lintNotebook';
import { formatRealCorpusScore, scoreRealCorpus, type RealCorpusFile, type RealCorpusScore, type RealFinding } from './realCorpusScore';

export const REAL_CORPUS_LABELS = 'test/corpus-real/labels.json';
export const REAL_CORPUS_CACHE = '.cache/corpus-real/files';

/** The label file's entries (committed; the texts are not). */
export function readRealCorpusLabels(file = resolve(REAL_CORPUS_LABELS)): RealCorpusFile[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { files: RealCorpusFile[] }).files;
}

const keep = (severity: string): boolean => severity === 'warning' || severity === 'error';

/**
 * Lints every cached corpus file whose sha256 matches its label entry and scores the warnings and errors against the
 * labels. `score` is null when no file is cached (CI: the texts are fetched by scripts/corpus/fetchRealCorpus.mjs).
 */
export async function runRealCorpus(labelsFile = resolve(REAL_CORPUS_LABELS), cacheDir = resolve(REAL_CORPUS_CACHE)): Promise<{ text: string; score: RealCorpusScore | null }> {
  const corpus = readRealCorpusLabels(labelsFile);
  if (!existsSync(cacheDir)) {
    return { text: `Real corpus skipped: no texts in ${REAL_CORPUS_CACHE} (node scripts/corpus/fetchRealCorpus.mjs fetches the ${corpus.length} labelled files).`, score: null };
  }
  const parser = await getPythonParser();
  const found = new Map<string, RealFinding[]>();
  const skipped: string[] = [];
  let internalErrors = 0;
  const unreadable: string[] = [];
  const information = new Map<string, number>();
  const note = (f: { code: string; severity: string }): boolean => {
    if (keep(f.severity)) return true;
    information.set(f.code, (information.get(f.code) ?? 0) + 1);
    return false;
  };
  for (const file of corpus) {
    const at = join(cacheDir, file.repo, file.path);
    const bytes = existsSync(at) ? readFileSync(at) : null;
    if (!bytes || createHash('sha256').update(bytes).digest('hex') !== file.sha256) {
      skipped.push(`${file.repo}/${file.path}`);
      continue;
    }
    const text = bytes.toString('utf8');
    const findings: RealFinding[] = [];
    // the repository's folder in the cache stands for its checkout root (test/corpus-real/projectFiles.json)
    const project = findProjectFacts(dirname(at), join(cacheDir, file.repo));
    if (file.kind === 'notebook') {
      let nb: ReturnType<typeof parseIpynb>;
      try {
        nb = parseIpynb(text, file.path);
      } catch (e) {
        unreadable.push(`${file.repo}/${file.path}: ${(e as Error).message}`);
        continue;
      }
      const r = lintNotebook(parser, nb.cells, { ignore: nb.ignore, project });
      internalErrors += r.internalErrors.length;
      for (const f of r.findings) if (note(f)) findings.push({ code: f.code, cell: f.cell, line: f.range.start.line + 1, message: f.message });
    } else {
      const src = parsePython(parser, text);
      try {
        const r = lintSource(src, { project });
        internalErrors += r.internalErrors.length;
        for (const f of r.findings) if (note(f)) findings.push({ code: f.code, line: f.range.start.line + 1, message: f.message });
      } finally {
        src.tree.delete();
      }
    }
    found.set(`${file.repo}/${file.path}`, findings);
  }
  if (found.size === 0) return { text: `Real corpus skipped: none of the ${corpus.length} labelled files is in ${REAL_CORPUS_CACHE} with its sha256.`, score: null };
  const score = scoreRealCorpus(corpus, found, RULES.map((r) => r.code));
  const notes = [
    skipped.length ? `(${skipped.length} labelled files not cached or changed, not scored)` : '',
    unreadable.length ? `(${unreadable.length} notebooks the reader refused, not scored: ${unreadable.join('; ')})` : '',
    internalErrors ? `(${internalErrors} internal rule errors)` : '',
    `Information findings (not scored): ${information.size ? [...information].sort().map(([c, n]) => `${c} ${n}`).join(', ') : 'none'}`,
  ].filter(Boolean);
  return { text: [formatRealCorpusScore(score, new Map(RULES.map((r) => [r.code, r.name]))), ...notes].join('\n'), score };
}

/** False positives and misses, one line each, for the error analysis (`--details`). */
export function formatRealCorpusDetails(s: RealCorpusScore): string {
  const where = (f: { file: RealCorpusFile; cell?: number; line: number }): string => `${f.file.repo}/${f.file.path}:${f.cell === undefined ? '' : `cell ${f.cell}:`}${f.line}`;
  return [
    'False positives:',
    ...s.falsePositives.map((f) => `  ${f.code} ${where(f)} [${f.file.code_classes.join(',')}] ${f.message}`),
    'Misses (confidence >= 0.7):',
    ...s.misses.map((m) => `  ${m.code} ${where(m)} [${m.scope}] ${m.why}`),
  ].join('\n');
}
