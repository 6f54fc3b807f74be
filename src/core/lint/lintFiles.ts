import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { diskPresetLookup } from '../presets/presetFactsFromDisk';
import { fsUserError, statOrMissing, withFsErrors } from '../fsErrors';
import { UserError } from '../userError';
import { DEFAULT_LINT_CONFIG, parsePyprojectConfig, type LintConfig } from './lintConfig';
import { lintSource } from './linter';
import type { LintFinding } from './lintTypes';
import { findProjectFacts, type ProjectFacts } from './projectFacts';
import { getPythonParser, parsePython } from './pythonSource';
import { decodePythonBytes, MAX_LINT_BYTES, normalizePythonText } from './pythonText';
import { parseIpynb } from '../notebook/ipynbReader';
import { lintNotebook } from '../notebook/lintNotebook';
import type { Parser } from 'web-tree-sitter';

/** A finding; in a notebook, `cell` is the cell's index among all its cells (0-based) and ranges are inside their cells. */
export type FileFinding = Omit<LintFinding, 'related'> & { cell?: number; related: { message: string; range: LintFinding['range']; cell?: number }[] };

export interface FileFindings {
  file: string;
  findings: FileFinding[];
  /** why the file was not linted (too large, binary, cannot be parsed), when it was not */
  notLinted?: string;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', '.tox', 'site-packages', 'dist', 'build']);

export function listPythonFiles(paths: string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    for (const name of withFsErrors(p, 'the folder', () => readdirSync(p), 'list').sort()) {
      if (name.startsWith('.') || SKIP_DIRS.has(name)) continue;
      const f = join(p, name);
      const st = statOrMissing(f, 'the file');
      if (!st) continue; // a dangling symbolic link: nothing to lint
      if (st.isDirectory()) walk(f);
      else if (name.endsWith('.py') || name.endsWith('.ipynb')) out.push(f);
    }
  };
  for (const a of paths) {
    const p = resolve(cwd, a);
    const st = statOrMissing(p, 'the path');
    if (!st) throw new UserError('E_LINT_PATH', `${p}: no such file or folder.`, { file: p });
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** Nearest pyproject.toml with a [tool.vit-doctor] table, searching upwards. */
export function findLintConfig(start: string): { config: LintConfig; root: string } {
  let dir = resolve(start);
  for (;;) {
    const f = join(dir, 'pyproject.toml');
    if (existsSync(f)) {
      const text = withFsErrors(f, 'the lint configuration', () => readFileSync(f, 'utf8'));
      if (/\[tool\.vit-doctor/.test(text)) return { config: parsePyprojectConfig(text), root: dir };
    }
    const up = dirname(dir);
    if (up === dir) return { config: DEFAULT_LINT_CONFIG, root: resolve(start) };
    dir = up;
  }
}

/** A notebook: its Python cells linted as one program; what cannot be read is a reason, not an exception. */
function lintIpynb(parser: Parser, file: string, bytes: Buffer, config: LintConfig | undefined, project: ProjectFacts): FileFindings {
  let nb;
  try {
    nb = parseIpynb(bytes.toString('utf8'), file);
  } catch (e) {
    if (e instanceof UserError) return { file, findings: [], notLinted: `${e.message.replace(`${file}: `, '').replace(/\.$/, '')}: not linted` };
    throw e;
  }
  const size = nb.cells.reduce((n, c) => n + c.text.length, 0);
  if (size > MAX_LINT_BYTES) return { file, findings: [], notLinted: `its cells hold more than ${MAX_LINT_BYTES / 1024 / 1024} MB of source: not linted` };
  const found = config ? { config, root: process.cwd() } : findLintConfig(dirname(file));
  const rel = relative(found.root, file).split(sep).join('/');
  const cells = nb.cells.map((c) => ({ ...c, text: normalizePythonText(c.text) }));
  const { findings } = lintNotebook(parser, cells, { config: found.config, relativePath: rel, lookup: diskPresetLookup([dirname(file), process.cwd()]), project, ignore: nb.ignore });
  return {
    file,
    findings: findings.map((f) => ({ ...f, fixes: [] })),
  };
}

export async function lintFiles(files: string[], opts: { config?: LintConfig } = {}): Promise<FileFindings[]> {
  const parser = await getPythonParser();
  const out: FileFindings[] = [];
  // project facts per folder, looked up once per folder of this run
  const projects = new Map<string, ProjectFacts>();
  const projectOf = (dir: string): ProjectFacts => {
    let facts = projects.get(dir);
    if (!facts) projects.set(dir, (facts = findProjectFacts(dir)));
    return facts;
  };
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw fsUserError(e, file, 'the Python file') ?? e;
    }
    if (file.endsWith('.ipynb')) {
      out.push(lintIpynb(parser, file, bytes, opts.config, projectOf(dirname(file))));
      continue;
    }
    const decoded = decodePythonBytes(bytes);
    if (decoded.skip !== undefined) {
      out.push({ file, findings: [], notLinted: decoded.skip });
      continue;
    }
    const found = opts.config ? { config: opts.config, root: process.cwd() } : findLintConfig(dirname(file));
    const rel = relative(found.root, file).split(sep).join('/');
    let src;
    try {
      src = parsePython(parser, decoded.text);
    } catch (e) {
      out.push({ file, findings: [], notLinted: `cannot be parsed (${(e as Error).message}): not linted` });
      continue;
    }
    try {
      const { findings } = lintSource(src, { config: found.config, relativePath: rel, lookup: diskPresetLookup([dirname(file), process.cwd()]), project: projectOf(dirname(file)) });
      out.push({ file, findings });
    } finally {
      src.tree.delete();
    }
  }
  return out;
}
