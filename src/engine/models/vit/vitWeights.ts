import type { ImageClassifierConfig, ViTBackboneConfig } from '../../../core/presets/presetSchema';
import { UserError } from '../../../core/userError';
import type { WeightArray } from '../../weights/h5Reader';
import { allWeightPaths, KerasWeightReader as Reader } from '../../weights/kerasWeightReader';

/** Weights of one encoder block, as flat arrays with the layouts the forward pass uses. */
export interface ViTBlockArrays {
  ln1Gamma: WeightArray; ln1Beta: WeightArray;
  /** (D, N*K) — the Keras (D, N, K) kernel reshaped. */
  wq: WeightArray; bq: WeightArray | null;
  wk: WeightArray; bk: WeightArray | null;
  wv: WeightArray; bv: WeightArray | null;
  /** (N*K, D) — the Keras (N, K, D) kernel reshaped. */
  wo: WeightArray; bo: WeightArray | null;
  ln2Gamma: WeightArray; ln2Beta: WeightArray;
  w1: WeightArray; b1: WeightArray | null;
  w2: WeightArray; b2: WeightArray | null;
}

export interface ViTBackboneArrays {
  classToken: WeightArray | null;
  /** (ph*pw*C, D) — the HWIO conv kernel flattened, for patch embedding as reshape + matmul. */
  patchKernel: WeightArray;
  patchBias: WeightArray | null;
  positionEmbedding: WeightArray;
  blocks: ViTBlockArrays[];
  lnGamma: WeightArray;
  lnBeta: WeightArray;
}

export interface ViTHeadArrays {
  preLogitsKernel: WeightArray | null;
  preLogitsBias: WeightArray | null;
  kernel: WeightArray;
  bias: WeightArray;
}

/** Finds the common prefix of the ViT layers by locating the patch-embedding kernel. */
function findPrefix(map: Map<string, WeightArray>, file: string): string {
  const key = allWeightPaths(map).find((k) => k.endsWith('patch_embedding/vars/0'));
  if (!key && allWeightPaths(map).some((k) => k.includes('dinov2_embedding/'))) {
    // the ViT-only paths (training, the pipeline checks) reached with a DINOv2 preset
    throw new UserError('E_UNSUPPORTED_BACKBONE', `${file}: holds a DINOV2Backbone; the sanity batch and head-mode training run it, but this ViT weights path needs a ViT preset.`, {
      file,
      hint: 'Run `vit-doctor sanity`, or `train`/`check` in head mode (--pooling token|patch_mean), on this preset; last-k/full need a ViTBackbone preset.',
    });
  }
  if (!key) {
    throw new UserError('E_WEIGHTS_MISMATCH', `${file}: no patch-embedding kernel found: the file is damaged, or it is not a Keras Hub ViT weights file.`, {
      file,
      hint: 'Expected a dataset ending in "patch_embedding/vars/0" as written by ViTBackbone.save_to_preset().',
    });
  }
  return key.slice(0, -'patch_embedding/vars/0'.length);
}

/** Encoder block group paths, ordered by numeric suffix (alphabetical order breaks at 11+ blocks). */
function blockPaths(map: Map<string, WeightArray>): string[] {
  const groups = new Map<string, number>();
  for (const k of allWeightPaths(map)) {
    const m = /^(.*\/encoder_layers\/[A-Za-z_]*?)(?:_(\d+))?\/layer_norm_1\/vars\/0$/.exec(k);
    if (m) groups.set(k.slice(0, -'/layer_norm_1/vars/0'.length), m[2] ? Number(m[2]) : 0);
  }
  return [...groups.entries()].sort((a, b) => a[1] - b[1]).map(([p]) => p);
}

/** Maps a backbone weights file to the arrays the forward pass needs, checking every shape against the config. */
export function mapViTBackboneWeights(cfg: ViTBackboneConfig, map: Map<string, WeightArray>, file: string): ViTBackboneArrays {
  const r = new Reader(file, map);
  const D = cfg.hiddenDim;
  const N = cfg.numHeads;
  const K = Math.floor(D / N);
  const M = cfg.mlpDim;
  const [ph, pw] = cfg.patchSize;
  const C = cfg.imageShape[2];
  const numPatches = (cfg.imageShape[0] / ph) * (cfg.imageShape[1] / pw);
  const numPositions = numPatches + (cfg.useClassToken ? 1 : 0);
  const pe = findPrefix(map, file);
  const blocksFound = blockPaths(map);
  if (blocksFound.length !== cfg.numLayers) {
    throw new UserError('E_WEIGHTS_MISMATCH', `${file}: has ${blocksFound.length} encoder blocks but config.json says num_layers = ${cfg.numLayers}.`, { file });
  }
  const encoderPrefix = blocksFound[0]?.replace(/\/encoder_layers\/.*$/, '') ?? '';
  const blocks = blocksFound.map((b, i): ViTBlockArrays => {
    const what = (s: string): string => `block ${i + 1} ${s}`;
    return {
      ln1Gamma: r.get(`${b}/layer_norm_1/vars/0`, [D], what('ln_1 gamma')),
      ln1Beta: r.get(`${b}/layer_norm_1/vars/1`, [D], what('ln_1 beta')),
      wq: r.reshaped(`${b}/mha/query_dense/vars/0`, [D, N, K], [D, N * K], what('query kernel')) as WeightArray,
      bq: r.reshaped(`${b}/mha/query_dense/vars/1`, [N, K], [N * K], what('query bias'), cfg.useMhaBias),
      wk: r.reshaped(`${b}/mha/key_dense/vars/0`, [D, N, K], [D, N * K], what('key kernel')) as WeightArray,
      bk: r.reshaped(`${b}/mha/key_dense/vars/1`, [N, K], [N * K], what('key bias'), cfg.useMhaBias),
      wv: r.reshaped(`${b}/mha/value_dense/vars/0`, [D, N, K], [D, N * K], what('value kernel')) as WeightArray,
      bv: r.reshaped(`${b}/mha/value_dense/vars/1`, [N, K], [N * K], what('value bias'), cfg.useMhaBias),
      wo: r.reshaped(`${b}/mha/output_dense/vars/0`, [N, K, D], [N * K, D], what('attention output kernel')) as WeightArray,
      bo: r.optional(`${b}/mha/output_dense/vars/1`, [D], what('attention output bias'), cfg.useMhaBias),
      ln2Gamma: r.get(`${b}/layer_norm_2/vars/0`, [D], what('ln_2 gamma')),
      ln2Beta: r.get(`${b}/layer_norm_2/vars/1`, [D], what('ln_2 beta')),
      w1: r.get(`${b}/mlp/dense_1/vars/0`, [D, M], what('MLP dense_1 kernel')),
      b1: r.optional(`${b}/mlp/dense_1/vars/1`, [M], what('MLP dense_1 bias'), cfg.useMlpBias),
      w2: r.get(`${b}/mlp/dense_2/vars/0`, [M, D], what('MLP dense_2 kernel')),
      b2: r.optional(`${b}/mlp/dense_2/vars/1`, [D], what('MLP dense_2 bias'), cfg.useMlpBias),
    };
  });
  const arrays: ViTBackboneArrays = {
    classToken: r.optional(`${pe}vars/0`, [1, 1, D], 'class token', cfg.useClassToken),
    patchKernel: r.reshaped(`${pe}patch_embedding/vars/0`, [ph, pw, C, D], [ph * pw * C, D], 'patch embedding kernel') as WeightArray,
    patchBias: r.optional(`${pe}patch_embedding/vars/1`, [D], 'patch embedding bias', cfg.usePatchBias),
    positionEmbedding: r.get(`${pe}position_embedding/vars/0`, [numPositions, D], 'position embedding'),
    blocks,
    lnGamma: r.get(`${encoderPrefix}/layer_norm/vars/0`, [D], 'final layer norm gamma'),
    lnBeta: r.get(`${encoderPrefix}/layer_norm/vars/1`, [D], 'final layer norm beta'),
  };
  return arrays;
}

/** Maps task.weights.h5 to the classifier head: `layers/dense*` groups ordered by suffix, identified by shape. */
export function mapViTHeadWeights(task: ImageClassifierConfig, hiddenDim: number, map: Map<string, WeightArray>, file: string): ViTHeadArrays {
  const denseGroups = new Map<string, number>();
  for (const k of allWeightPaths(map)) {
    const m = /^layers\/(dense(?:_(\d+))?)\/vars\/0$/.exec(k);
    if (m) denseGroups.set(`layers/${m[1]}`, m[2] ? Number(m[2]) : 0);
  }
  const ordered = [...denseGroups.entries()].sort((a, b) => a[1] - b[1]).map(([p]) => p);
  const r = new Reader(file, map);
  const expected = task.intermediateDim ? 2 : 1;
  if (ordered.length !== expected) {
    throw new UserError(
      'E_WEIGHTS_MISMATCH',
      `${file}: found ${ordered.length} Dense layer(s) under layers/dense*, task.json implies ${expected} (${task.intermediateDim ? 'pre_logits + predictions' : 'predictions'}).`,
      { file },
    );
  }
  if (task.intermediateDim) {
    const I = task.intermediateDim;
    return {
      preLogitsKernel: r.get(`${ordered[0]}/vars/0`, [hiddenDim, I], 'pre_logits kernel'),
      preLogitsBias: r.get(`${ordered[0]}/vars/1`, [I], 'pre_logits bias'),
      kernel: r.get(`${ordered[1]}/vars/0`, [I, task.numClasses], 'predictions kernel'),
      bias: r.get(`${ordered[1]}/vars/1`, [task.numClasses], 'predictions bias'),
    };
  }
  return {
    preLogitsKernel: null,
    preLogitsBias: null,
    kernel: r.get(`${ordered[0]}/vars/0`, [hiddenDim, task.numClasses], 'predictions kernel'),
    bias: r.get(`${ordered[0]}/vars/1`, [task.numClasses], 'predictions bias'),
  };
}
