import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mergeModels, modelsOfRelease } from '../../../scripts/knowledge/buildApplications';
import { extractApplicationsFile, type ApplicationsFile } from '../../../scripts/knowledge/extractApplications';
import { runApplications } from '../../../scripts/knowledge/runApplications';
import { GenerateError } from '../../../scripts/knowledge/runGenerate';
import { getPythonParser } from '../../../src/core/lint/pythonSource';
import { KERAS_APPLICATIONS_KNOWLEDGE } from '../../../src/core/presets/kerasApplicationsKnowledge';

// Hand-written modules in the shape of keras/applications: a caffe module with a shared builder in another module,
// a model that rescales inside behind include_preprocessing, with a variant branch.
const RESNET = `from keras.src.applications import imagenet_utils
from keras.src.api_export import keras_export

def ResNet(stack_fn, weights="imagenet", name="resnet"):
    x = layers.ZeroPadding2D()(img_input)
    return x

@keras_export(["keras.applications.resnet50.ResNet50", "keras.applications.ResNet50"])
def ResNet50(include_top=True, weights="imagenet"):
    return ResNet(None, weights=weights)

@keras_export("keras.applications.resnet50.preprocess_input")
def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")
`;
const RESNET_V2 = `from keras.src.applications import resnet

@keras_export('keras.applications.resnet_v2.ResNet50V2', 'keras.applications.ResNet50V2')
def ResNet50V2(weights='imagenet'):
    return resnet.ResNet(None, weights=weights)

def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode='tf')
`;
const EFFV2 = `def PreStem(name=None):
    def apply(x):
        return layers.Rescaling(scale=1.0 / 255)(x)
    return apply

def EfficientNetV2(weights="imagenet", include_preprocessing=True, model_name="efficientnetv2-b0"):
    x = img_input
    if include_preprocessing:
        if model_name.split("-")[-1].startswith("b"):
            x = PreStem()(x)
            x = layers.Normalization(mean=[0.485 * 255, 0.456, 0.406])(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    return x

@keras_export("keras.applications.EfficientNetV2B0")
def EfficientNetV2B0(include_top=True, weights="imagenet", include_preprocessing=True):
    return EfficientNetV2(weights=weights, include_preprocessing=include_preprocessing)

def preprocess_input(x, data_format=None):
    """Pass-through."""
    return x
`;

async function files(map: Record<string, string>): Promise<Map<string, ApplicationsFile>> {
  const parser = await getPythonParser();
  return new Map(Object.entries(map).map(([m, t]) => [m, extractApplicationsFile(parser, t)]));
}

describe('keras.applications extractors', () => {
  it('reads export names, the preprocess_input mode and the builder followed across modules', async () => {
    const models = modelsOfRelease(await files({ resnet: RESNET, resnet_v2: RESNET_V2 }));
    const byName = new Map(models.map((m) => [m.name, m]));
    assert.deepEqual(byName.get('ResNet50')?.exports, ['keras.applications.ResNet50', 'keras.applications.resnet50.ResNet50']);
    assert.equal(byName.get('ResNet50')?.preprocessInput, 'caffe');
    assert.equal(byName.get('ResNet50V2')?.preprocessInput, 'tf');
    assert.equal(byName.get('ResNet50V2')?.weightsDefault, 'imagenet');
    assert.deepEqual(byName.get('ResNet50V2')?.insideLayers, []);
    assert.equal(byName.get('ResNet50V2')?.insideTakes0to255, false);
  });

  it('reads inside layers through helpers, with their guards and evaluated constants', async () => {
    const [m] = modelsOfRelease(await files({ efficientnet_v2: EFFV2 }));
    assert.equal(m?.preprocessInput, 'passthrough');
    assert.equal(m?.includePreprocessingDefault, true);
    assert.deepEqual(
      m?.insideLayers.map((l) => [l.layer, l.guards.join(' '), l.scale === null ? null : Math.round(1 / l.scale), l.offset, l.mean]),
      [
        ['Rescaling', 'include_preprocessing input', 255, 0, null],
        ['Normalization', 'include_preprocessing input', null, null, 123.675],
        ['Rescaling', 'include_preprocessing !input', 128, -1, null],
      ],
    );
    assert.equal(m?.insideTakes0to255, true);
  });

  it('keys a changed description as a new fact with its own releases', async () => {
    const a = modelsOfRelease(await files({ resnet: RESNET }));
    const b = modelsOfRelease(await files({ resnet: RESNET.replace('mode="caffe"', 'mode="torch"') }));
    const merged = mergeModels('toy/keras', ['1.0.0', '1.1.0', '1.2.0'], new Map([['1.0.0', a], ['1.1.0', a], ['1.2.0', b]]));
    assert.deepEqual(merged.map((m) => `${m.preprocessInput}:${m.releases.history}:${m.current}`), ['caffe:1.0.0–1.1.0; removed in 1.2.0:false', 'torch:since 1.2.0:true']);
  });

  it('the committed knowledge matches its manifest (regenerate after editing kerasApplicationsSources.json)', () => {
    const manifest = readFileSync(join(process.cwd(), 'scripts', 'knowledge', 'kerasApplicationsSources.json'), 'utf8');
    assert.equal(KERAS_APPLICATIONS_KNOWLEDGE.manifestSha256, createHash('sha256').update(manifest).digest('hex'));
    assert.ok(KERAS_APPLICATIONS_KNOWLEDGE.repos.every((r) => r.releases.length > 0));
  });
});

// A hand-written keras history in a throw-away repository: --check fails on a new release tag, passes when up to date.
const root = mkdtempSync(join(tmpdir(), 'vtd-apps-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('kb:applications from clones', () => {
  it('lists the releases, writes, and --check fails on a new tag', async () => {
    const repos: Record<string, string> = {};
    for (const [name, path] of [['keras', 'keras/src/applications/resnet.py'], ['tfk', 'tf_keras/applications/resnet.py']] as const) {
      const repo = join(root, name);
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      const git = (...a: string[]): string => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      git('init', '-q');
      writeFileSync(join(repo, path), RESNET);
      git('add', '-A');
      git('commit', '-q', '-m', 'r');
      git('tag', 'v3.0.0');
      repos[name] = repo;
    }
    const manifest = join(root, 'manifest.json');
    const out = join(root, 'apps.ts');
    writeFileSync(manifest, JSON.stringify({ repos: [
      { repo: 'toy/keras', option: 'keras-git', minRelease: '3.0.0', lastPatchOnly: true, releases: [] },
      { repo: 'toy/tf-keras', option: 'tf-keras-git', minRelease: '3.0.0', lastPatchOnly: true, releases: [] },
    ] }));
    const run = async (...extra: string[]): Promise<number> => {
      try {
        return await runApplications(['--keras-git', repos['keras']!, '--tf-keras-git', repos['tfk']!, '--manifest', manifest, '--out', out, ...extra], () => undefined);
      } catch (e) {
        if (e instanceof GenerateError) return e.code;
        throw e;
      }
    };
    assert.equal(await run('--check'), 1);
    assert.equal(await run(), 0);
    assert.match(readFileSync(out, 'utf8'), /"repo":"toy\/keras","name":"ResNet50".*"preprocessInput":"caffe"/);
    assert.equal(await run('--check'), 0);
    execFileSync('git', ['-C', repos['keras']!, 'tag', 'v3.1.0']);
    assert.equal(await run('--check'), 1);
  });
});
