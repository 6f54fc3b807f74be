import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseLenientJson } from '../../../../src/core/presets/lenientJson';
import { loadPresetDir } from '../../../../src/core/presets/presetLoader';
import { parseImageConverterConfig } from '../../../../src/core/presets/presetSchema';
import { UserError } from '../../../../src/core/userError';
import { fixturesRoot } from '../../helpers/kerasFixtures';

const conv = (config: Record<string, unknown>) => ({ class_name: 'ViTImageConverter', config });
const throwsNaming = (fn: () => unknown, ...parts: (string | RegExp)[]): void =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
    for (const p of parts) assert.ok(typeof p === 'string' ? e.message.includes(p) : p.test(e.message), `${e.message} lacks ${p}`);
    return true;
  });

function copyPreset(): string {
  const d = join(mkdtempSync(join(tmpdir(), 'vtd-val-')), 'preset');
  cpSync(join(fixturesRoot(), 'vit_tiny_cls', 'preset'), d, { recursive: true });
  return d;
}

describe('converter values that cannot be right', () => {
  const f = '/p/image_converter.json';
  it('zero or negative scale, zero std or variance: errors naming the file and the key', () => {
    throwsNaming(() => parseImageConverterConfig(conv({ scale: 0, offset: -1 }), f), f, '"scale" must be positive');
    throwsNaming(() => parseImageConverterConfig(conv({ scale: [0.1, -0.1, 0.1] }), f), f, '"scale"');
    throwsNaming(() => parseImageConverterConfig(conv({ norm_mean: [0.5, 0.5, 0.5], norm_std: [0.5, 0, 0.5] }), f), f, '"norm_std" contains 0');
    throwsNaming(() => parseImageConverterConfig(conv({ mean: [0.5, 0.5, 0.5], variance: [0, 1, 1] }), f), f, '"variance" must be positive');
  });
  it('a mean/std list whose length is not the channel count', () => {
    throwsNaming(() => parseImageConverterConfig(conv({ norm_mean: [0.5, 0.5], norm_std: [0.5, 0.5, 0.5] }), f), f, '"norm_mean"', 'list of 3 numbers', 'got a list of 2');
  });
  it('NaN and Infinity as Python writes them are named, not a JSON syntax error', () => {
    const v = parseLenientJson('{"class_name": "ViTImageConverter", "config": {"scale": 0.0078, "offset": [NaN, -1, -1], "note": "NaN in a string stays"}}') as { config: { note: string } };
    assert.equal(v.config.note, 'NaN in a string stays');
    throwsNaming(() => parseImageConverterConfig(v, f), f, '"offset" contains NaN', '[NaN,-1,-1]');
    const w = parseLenientJson('{"class_name": "X", "config": {"scale": -Infinity}}');
    throwsNaming(() => parseImageConverterConfig(w, f), '"scale" contains -Infinity');
  });
  it('through the loader: a NaN offset in image_converter.json names that file', () => {
    const d = copyPreset();
    const file = join(d, 'image_converter.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"offset":\s*\[[^\]]*\]/, '"offset": [NaN, NaN, NaN]'));
    throwsNaming(() => loadPresetDir(d), file, '"offset" contains NaN');
  });
});

describe('task files that come in pairs', () => {
  it('task.json without task.weights.h5 says what is missing and what the report cannot show', () => {
    const d = copyPreset();
    rmSync(join(d, 'task.weights.h5'));
    const p = loadPresetDir(d);
    assert.equal(p.taskWeightsFile, null);
    assert.match(p.taskFilesIssue ?? '', /task\.weights\.h5 is missing.*no logits, predictions/);
  });
  it('task.weights.h5 without task.json', () => {
    const d = copyPreset();
    rmSync(join(d, 'task.json'));
    assert.match(loadPresetDir(d).taskFilesIssue ?? '', /task\.json is missing/);
  });
  it('a complete preset has no issue', () => {
    assert.equal(loadPresetDir(join(fixturesRoot(), 'vit_tiny_cls', 'preset')).taskFilesIssue, null);
  });
});
