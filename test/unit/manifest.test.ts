import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SETTING_DEFAULTS, normalizeSettings } from '../../src/core/settings';
import { COMMANDS, VIEW_TYPES } from '../../src/host/commands/commandIds';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: { commands: { command: string; category: string }[]; configuration: { properties: Record<string, { default: unknown }> } };
  activationEvents: string[];
  extensionKind: string[];
};

describe('package.json manifest', () => {
  it('every contributed command is in commandIds.ts and the other way round, all in the ViT Doctor category', () => {
    const manifest = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(manifest, Object.values(COMMANDS).sort());
    assert.ok(pkg.contributes.commands.every((c) => c.category === 'ViT Doctor'));
  });
  it('README links are absolute or anchors (vsce package rejects relative links without a repository URL)', () => {
    const links = [...readFileSync('README.md', 'utf8').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
    assert.deepEqual(links.filter((l) => !/^(https?:|#|mailto:|command:)/.test(l)), []);
  });
  it('every configuration default equals the core default', () => {
    const props = pkg.contributes.configuration.properties;
    assert.deepEqual(Object.keys(props).map((k) => k.replace(/^vitDoctor\./, '')).sort(), Object.keys(SETTING_DEFAULTS).sort());
    for (const [k, v] of Object.entries(SETTING_DEFAULTS)) assert.deepEqual(props[`vitDoctor.${k}`]!.default, v, k);
  });
  it('runs where the workspace is (Remote-SSH, WSL, dev containers): the engine must reach the data and presets', () => {
    assert.deepEqual(pkg.extensionKind, ['workspace']);
  });
  it('activates only on Python files, Jupyter notebooks and panel restore (commands activate implicitly)', () => {
    assert.deepEqual(pkg.activationEvents.sort(), ['onLanguage:python', 'onNotebook:jupyter-notebook', ...Object.values(VIEW_TYPES).map((v) => `onWebviewPanel:${v}`)].sort());
  });
});

describe('normalizeSettings', () => {
  it('falls back to defaults on invalid values and clamps numbers', () => {
    const raw: Record<string, unknown> = { 'engine.backend': 'gpu', 'sanity.batch': 10_000, 'lint.severity': { VTD001: 'error', VTD002: 'loud' }, images: ['a', 3] };
    const s = normalizeSettings((k) => raw[k]);
    assert.equal(s.engineBackend, 'auto');
    assert.equal(s.sanityBatch, 256);
    assert.deepEqual(s.lintSeverity, { VTD001: 'error' });
    assert.deepEqual(s.images, ['a']);
  });
  it('label smoothing: a number in [0, 1] is kept as is, anything else falls back to 0', () => {
    assert.equal(normalizeSettings((k) => (k === 'train.labelSmoothing' ? 0.15 : undefined)).trainLabelSmoothing, 0.15);
    for (const bad of [1.5, -0.1, '0.1', Number.NaN]) assert.equal(normalizeSettings((k) => (k === 'train.labelSmoothing' ? bad : undefined)).trainLabelSmoothing, 0);
  });
});
