import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lintFiles } from '../../../../src/core/lint/lintFiles';
import { findProjectFacts } from '../../../../src/core/lint/projectFacts';
import { NotebookLintSession } from '../../../../src/core/notebook/notebookLintSession';
import { getPythonParser } from '../../../../src/core/lint/pythonSource';
import { lintText } from './lintHarness';

const base = mkdtempSync(join(tmpdir(), 'vtd-project-'));
after(() => rmSync(base, { recursive: true, force: true }));

/** Writes `files` (path → text) under a new folder of `base` and returns that folder. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(base, name);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const forkScript = `import keras_cv
model = keras_cv.models.YOLOV8DetectorQuantized(
    num_classes=2,
    bounding_box_format="center_xywh",
    backbone=keras_cv.models.YOLOV8BackboneQuantized.from_preset("yolo_v8_xs_backbone"),
)
`;
const vitScript = `import keras_cv
model = keras_cv.models.ViTClassifier(num_classes=10)
`;
const hubScript = `import keras_hub
conv = keras_hub.models.ViTImagePreprocessor.from_preset("vit_base_patch16_224_imagenet")
`;

const vtd008 = async (file: string): Promise<string[]> =>
  (await lintFiles([file])).flatMap((r) => r.findings).filter((f) => f.code === 'VTD008').map((f) => `${f.range.start.line + 1}:${f.severity}`);

describe('project facts: a keras-cv / keras-hub fork defines its own names (VTD008)', () => {
  it('finds keras_cv/ from a script two folders below the repository root (.git), and not above the root', () => {
    const root = tree('fork', { '.git/HEAD': 'ref: refs/heads/main\n', 'keras_cv/__init__.py': '', 'tools/train/main.py': forkScript });
    assert.deepEqual(findProjectFacts(join(root, 'tools', 'train')).localPackages, ['keras_cv']);
    const inner = tree('outer/project', { 'pyproject.toml': '[project]\nname = "x"\n', 'main.py': forkScript });
    tree('outer', { 'keras_cv/__init__.py': '' });
    assert.deepEqual(findProjectFacts(inner).localPackages, []);
  });

  it('a plain file named keras_cv (not a folder) is no package, and the search goes on', () => {
    const root = tree('file-not-folder', { '.git/HEAD': 'ref: main\n', keras_cv: 'notes\n', 'keras_hub/__init__.py': '', 'scripts/run.py': forkScript });
    assert.deepEqual(findProjectFacts(join(root, 'scripts')).localPackages, ['keras_hub']);
  });

  it('a folder named keras_cv without __init__.py (data, notes) is no package', () => {
    const root = tree('datafolder', { 'setup.py': '', 'keras_cv/readme.txt': 'notes', 'main.py': forkScript });
    assert.deepEqual(findProjectFacts(root).localPackages, []);
  });

  it('without a root marker only the file\'s own folder counts, unless stopAt names the workspace', () => {
    const root = tree('loose', { 'keras_hub/__init__.py': '', 'a/b/main.py': hubScript });
    assert.deepEqual(findProjectFacts(join(root, 'a', 'b')).localPackages, []);
    assert.deepEqual(findProjectFacts(join(root, 'a', 'b'), root).localPackages, ['keras_hub']);
    assert.deepEqual(findProjectFacts(root).localPackages, ['keras_hub']);
  });

  it('the CLI path: the fork\'s own classes are silent, the same script in a user project is an error', async () => {
    const fork = tree('fork2', { '.git/HEAD': '', 'keras_cv/__init__.py': '', 'main.py': forkScript });
    const user = tree('user', { '.git/HEAD': '', 'main.py': forkScript });
    assert.deepEqual(await vtd008(join(fork, 'main.py')), []);
    assert.deepEqual(await vtd008(join(user, 'main.py')), ['2:error', '5:error']);
  });

  it('a hallucinated keras_cv.models.ViTClassifier in a user script stays an error; a keras_cv fork does not silence keras_hub names', async () => {
    const user = tree('user2', { 'pyproject.toml': '', 'vit.py': vitScript, 'hub.py': hubScript });
    assert.deepEqual(await vtd008(join(user, 'vit.py')), ['2:error']);
    const cvFork = tree('cvfork', { '.git/HEAD': '', 'keras_cv/__init__.py': '', 'vit.py': vitScript, 'hub.py': hubScript });
    assert.deepEqual(await vtd008(join(cvFork, 'vit.py')), []);
    assert.deepEqual(await vtd008(join(cvFork, 'hub.py')), ['2:error']);
    const hubFork = tree('hubfork', { '.git/HEAD': '', 'keras_hub/__init__.py': '', 'hub.py': hubScript, 'vit.py': vitScript });
    assert.deepEqual(await vtd008(join(hubFork, 'hub.py')), []);
    assert.deepEqual(await vtd008(join(hubFork, 'vit.py')), ['2:error']);
  });

  it('lintSource without project facts (text alone) judges every name', async () => {
    assert.deepEqual((await lintText(forkScript)).filter((f) => f.code === 'VTD008').length, 2);
    assert.deepEqual((await lintText(forkScript, { project: { localPackages: ['keras_cv'] } })).filter((f) => f.code === 'VTD008'), []);
  });

  it('a notebook session lints again when the project facts change, not only the text', async () => {
    const parser = await getPythonParser();
    const session = new NotebookLintSession();
    const cells = [{ kind: 'code' as const, language: 'python', text: forkScript }];
    try {
      assert.equal(session.lint(parser, cells).findings.filter((f) => f.code === 'VTD008').length, 2);
      assert.equal(session.lint(parser, cells, { project: { localPackages: ['keras_cv'] } }).findings.filter((f) => f.code === 'VTD008').length, 0);
    } finally {
      session.dispose();
    }
  });
});
