import { relative } from 'node:path';
import type { FileFindings } from '../core/lint/lintFiles';
import { ruleDocPath } from '../core/lint/lintTypes';
import { RULES } from '../core/lint/ruleRegistry';

const SARIF_LEVEL = { error: 'error', warning: 'warning', information: 'note' } as const;

/** ruff-like text: path:line:col: CODE [severity] message (rule). */
export function formatLintText(results: FileFindings[], cwd = process.cwd()): string {
  const lines: string[] = [];
  let n = 0;
  for (const r of results) {
    for (const f of r.findings) {
      n++;
      const cell = f.cell !== undefined ? `cell ${f.cell + 1}:` : '';
      lines.push(`${relative(cwd, r.file)}:${cell}${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code} [${f.severity}] ${f.message} (${f.rule})`);
    }
  }
  const skipped = results.filter((r) => r.notLinted).length;
  const tail = skipped ? ` (${skipped} file${skipped === 1 ? '' : 's'} not linted, see above)` : '';
  lines.push(n === 0 ? (skipped === results.length ? `No file linted${tail}.` : `All checks passed${tail}.`) : `Found ${n} finding${n === 1 ? '' : 's'} in ${results.filter((r) => r.findings.length).length} file(s)${tail}.`);
  return lines.join('\n');
}

/**
 * JSON: an array of {file, line, column, endLine, endColumn, code, rule, severity, message}, 1-based lines and columns;
 * in a notebook also `cell` (1-based position among all its cells, markdown included) with lines counted in that cell.
 */
export function formatLintJson(results: FileFindings[]): string {
  return JSON.stringify(
    results.flatMap((r) =>
      r.findings.map((f) => ({
        file: r.file, line: f.range.start.line + 1, column: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1,
        code: f.code, rule: f.rule, severity: f.severity, message: f.message, ...(f.cell !== undefined ? { cell: f.cell + 1 } : {}),
      })),
    ),
    null,
    2,
  );
}

/** SARIF 2.1.0 for code-scanning upload. */
export function formatLintSarif(results: FileFindings[], cwd = process.cwd()): string {
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vit-doctor',
            informationUri: 'https://example.invalid/vit-doctor',
            version: '0.1.0',
            rules: RULES.map((r) => ({
              id: r.code, name: r.name, shortDescription: { text: r.summary }, helpUri: `https://example.invalid/vit-doctor/blob/main/${ruleDocPath(r)}`,
              defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity] },
            })),
          },
        },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.code,
            ruleIndex: RULES.findIndex((x) => x.code === f.code),
            level: SARIF_LEVEL[f.severity],
            message: { text: f.message },
            locations: [{
              physicalLocation: { artifactLocation: { uri: relative(cwd, r.file).split('\\').join('/') }, region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 } },
              // a notebook: the region's lines are inside this cell (1-based among all cells)
              ...(f.cell !== undefined ? { properties: { cell: f.cell + 1 } } : {}),
            }],
            relatedLocations: f.related.map((rel, i) => ({
              id: i, message: { text: rel.message },
              physicalLocation: { artifactLocation: { uri: relative(cwd, r.file).split('\\').join('/') }, region: { startLine: rel.range.start.line + 1, startColumn: rel.range.start.character + 1 } },
              ...(rel.cell !== undefined ? { properties: { cell: rel.cell + 1 } } : {}),
            })),
            ...(f.cell !== undefined ? { properties: { cell: f.cell + 1 } } : {}),
          })),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
