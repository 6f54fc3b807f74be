import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { lintFiles } from '../../../../src/core/lint/lintFiles';
import { getPythonParser } from '../../../../src/core/lint/pythonSource';
import { lintNotebook } from '../../../../src/core/notebook/lintNotebook';
import { buildNotebookProgram, type NotebookCell } from '../../../../src/core/notebook/notebookProgram';

const code = (text: string): NotebookCell => ({ kind: 'code', language: 'python', text });
const md = (text: string): NotebookCell => ({ kind: 'markup', language: 'markdown', text });

/** The preprocessing bug spread over cells: imports, from_preset, the call on raw pixels, fit. */
const CELLS: NotebookCell[] = [
  md('# Fine-tune a ViT'),
  code('!pip install -q keras-hub\n%matplotlib inline\nimport keras\nimport keras_hub'),
  code('backbone = keras_hub.models.Backbone.from_preset("vit_base_patch16_224_imagenet")'),
  md('Now the head'),
  code('%%time\ninputs = keras.Input(shape=(224, 224, 3))\nfeatures = backbone(inputs)\nx = features[:, 0, :]\noutputs = keras.layers.Dense(10)(x)\nmodel = keras.Model(inputs, outputs)'),
  { kind: 'code', language: 'r', text: 'library(ggplot2)' },
  code('model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")\nmodel.fit(train_ds, epochs=3)'),
];

function ipynb(cells: NotebookCell[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' }, ...extra },
    cells: cells.map((c) => ({
      cell_type: c.kind === 'code' ? 'code' : 'markdown', metadata: c.language === 'r' ? { vscode: { languageId: 'r' } } : {},
      source: c.text.split(/(?<=\n)/), ...(c.kind === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
  });
}

describe('notebooks: the code cells as one program', () => {
  it('magics become comments of the same length; other languages and markdown are left out', () => {
    const p = buildNotebookProgram(CELLS);
    assert.deepEqual(p.cellStart, [null, 0, 4, null, 5, null, 11]);
    const lines = p.text.split('\n');
    assert.equal(lines[0], '#pip install -q keras-hub');
    assert.equal(lines[1], '#matplotlib inline');
    assert.equal(lines[5], '#%time');
    assert.equal(lines[0]!.length, CELLS[1]!.text.split('\n')[0]!.length);
    assert.ok(!p.text.includes('ggplot2'));
  });
  it('a bug spread over three cells is found once, at the right cell and line, with related locations in the others', async () => {
    const parser = await getPythonParser();
    const { findings } = lintNotebook(parser, CELLS);
    const vtd001 = findings.filter((f) => f.code === 'VTD001');
    assert.equal(vtd001.length, 1, JSON.stringify(findings.map((f) => [f.code, f.cell, f.range.start])));
    const f = vtd001[0]!;
    assert.equal(f.cell, 4);
    assert.deepEqual(f.range.start, { line: 2, character: 11 });
    assert.ok(f.related.some((r) => r.cell === 2), 'points at the from_preset cell');
    const vtd005 = findings.find((x) => x.code === 'VTD005');
    assert.equal(vtd005?.cell, 6, 'the loss/logits mismatch is reported in the compile cell');
    // quick fixes land in the cells they edit; "in this file" reads "in this notebook"
    assert.ok(f.fixes.some((x) => x.title === 'Ignore VTD001 in this notebook' && x.edits[0]!.cell === 1));
    assert.ok(f.fixes.some((x) => x.title === 'Ignore VTD001 on this line' && x.edits[0]!.cell === 4));
  });
  it('moving a cell moves the finding; an edit in one cell only shifts positions in that cell', async () => {
    const parser = await getPythonParser();
    const moved = [CELLS[0]!, CELLS[1]!, CELLS[3]!, CELLS[2]!, CELLS[4]!, CELLS[5]!, CELLS[6]!];
    assert.equal(lintNotebook(parser, moved).findings.find((f) => f.code === 'VTD001')?.cell, 4);
    const grown = CELLS.map((c, i) => (i === 2 ? code(`# a comment\n\n${c.text}`) : c));
    const f = lintNotebook(parser, grown).findings.find((x) => x.code === 'VTD001')!;
    assert.deepEqual([f.cell, f.range.start.line], [4, 2]);
    assert.ok(f.related.some((r) => r.cell === 2 && r.range.start.line === 2));
  });
  it('suppressions: on the line, for the notebook in its first cell, and in the notebook metadata', async () => {
    const parser = await getPythonParser();
    const onLine = CELLS.map((c, i) => (i === 4 ? code(c.text.replace('features = backbone(inputs)', 'features = backbone(inputs)  # vit-doctor: ignore[VTD001]')) : c));
    assert.ok(!lintNotebook(parser, onLine).findings.some((f) => f.code === 'VTD001'));
    const inFirst = CELLS.map((c, i) => (i === 1 ? code(`# vit-doctor: ignore-file[VTD001]\n${c.text}`) : c));
    assert.ok(!lintNotebook(parser, inFirst).findings.some((f) => f.code === 'VTD001'));
    assert.ok(!lintNotebook(parser, CELLS, { ignore: ['VTD001'] }).findings.some((f) => f.code === 'VTD001'));
  });
});

describe('vit-doctor lint on notebooks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtd-nb-'));
  const nb = join(dir, 'train.ipynb');
  writeFileSync(nb, ipynb(CELLS));
  const run = (args: string[]) => spawnSync(process.execPath, [resolve('dist/cli.js'), 'lint', ...args], { encoding: 'utf8', cwd: dir });
  it('text: file:cell N:line:col, cells counted among all cells (markdown included)', () => {
    const r = run(['train.ipynb']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^train\.ipynb:cell 5:3:12: VTD001 \[warning\]/m);
  });
  it('JSON has cell and in-cell lines; SARIF a region and a cell property', () => {
    const rows = JSON.parse(run(['--format=json', 'train.ipynb']).stdout) as { cell: number; line: number; code: string }[];
    assert.ok(rows.some((x) => x.code === 'VTD001' && x.cell === 5 && x.line === 3));
    const sarif = JSON.parse(run(['train.ipynb', '--format', 'sarif']).stdout);
    const res = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'VTD001');
    assert.equal(res.locations[0].physicalLocation.region.startLine, 3);
    assert.equal(res.locations[0].properties.cell, 5);
  });
  it('folders include notebooks; invalid JSON and nbformat 3 get a reason, the rest is linted', () => {
    writeFileSync(join(dir, 'broken.ipynb'), '{"cells": [');
    writeFileSync(join(dir, 'old.ipynb'), JSON.stringify({ nbformat: 3, worksheets: [] }));
    const r = run(['.']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /broken\.ipynb: is not a valid notebook/);
    assert.match(r.stderr, /old\.ipynb: nbformat 3 is not supported/);
    assert.match(r.stdout, /train\.ipynb:cell 5:3:12: VTD001/);
  });
  it('megabytes of outputs do not slow it down or change the findings', async () => {
    const heavy = JSON.parse(ipynb(CELLS)) as { cells: { outputs?: unknown[] }[] };
    heavy.cells[4]!.outputs = [{ output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgo'.repeat(800_000) }, metadata: {} }];
    const f = join(dir, 'heavy.ipynb');
    writeFileSync(f, JSON.stringify(heavy));
    const t0 = performance.now();
    const [res] = await lintFiles([f]);
    assert.ok(performance.now() - t0 < 5000);
    assert.ok(res!.findings.some((x) => x.code === 'VTD001' && x.cell === 4));
  });
});
