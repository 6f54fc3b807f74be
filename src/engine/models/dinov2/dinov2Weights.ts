import { swigluInnerDim, type DINOV2BackboneConfig } from '../../../core/presets/dinov2Config';
import { UserError } from '../../../core/userError';
import { readH5Weights, type WeightArray } from '../../weights/h5Reader';
import { allWeightPaths, KerasWeightReader } from '../../weights/kerasWeightReader';
import { interpolatePositionTable } from './dinov2PositionTable';

/** Weights of one DINOV2Layer in the layouts the forward pass uses. */
export interface DINOV2BlockArrays {
  ln1Gamma: WeightArray; ln1Beta: WeightArray;
  /** (D, N*K) — the Keras (D, N, K) kernel reshaped */
  wq: WeightArray; bq: WeightArray;
  wk: WeightArray; bk: WeightArray;
  wv: WeightArray; bv: WeightArray;
  /** (N*K, D) — the Keras (N, K, D) kernel reshaped */
  wo: WeightArray; bo: WeightArray;
  /** LayerScale 1 (D) */
  lambda1: WeightArray;
  ln2Gamma: WeightArray; ln2Beta: WeightArray;
  /** fc1 (D, M) or, with SwiGLU, weights_in (D, 2·Ma) */
  w1: WeightArray; b1: WeightArray;
  /** fc2 (M, D) or, with SwiGLU, weights_out (Ma, D) */
  w2: WeightArray; b2: WeightArray;
  /** LayerScale 2 (D) */
  lambda2: WeightArray;
}

export interface DINOV2BackboneArrays {
  /** (1, D) */
  classToken: WeightArray;
  /** (R, D), or null without registers */
  registers: WeightArray | null;
  /** the stored table S (1 + n, D), n = (peH // P)·(peW // P) */
  storedPositionTable: WeightArray;
  /** the table added to [cls, patches]: S, or S interpolated to the built grid (1 + g², D) — computed here, as keras' load_own_variables does */
  positionEmbedding: WeightArray;
  /** whether the stored table was resized */
  interpolated: boolean;
  /** (P·P·3, D) — the HWIO conv kernel flattened, for patch embedding as reshape + matmul */
  patchKernel: WeightArray;
  patchBias: WeightArray;
  blocks: DINOV2BlockArrays[];
  lnGamma: WeightArray;
  lnBeta: WeightArray;
}

const PATCH_KERNEL = 'dinov2_embedding/patch_embeddings/projection/vars/0';

/** keras' `_interpolate_position_embeddings` at build/load: the stored (1 + n, D) table, or it resized to the built grid. */
function positionTableAtBuild(cfg: DINOV2BackboneConfig, stored: WeightArray, file: string): WeightArray {
  const D = cfg.hiddenDim;
  const n = (stored.shape[0] as number) - 1;
  const g = Math.floor(cfg.imageShape[0] / cfg.patchSize);
  if (cfg.positionEmbeddingShape[0] === cfg.imageShape[0] && cfg.positionEmbeddingShape[1] === cfg.imageShape[1]) return stored;
  const s = Math.floor(Math.sqrt(n));
  if (s * s !== n) {
    throw new UserError('E_PRESET_INVALID', `${file}: the stored position table has ${n} patch rows (position_embedding_shape ${cfg.positionEmbeddingShape[0]}×${cfg.positionEmbeddingShape[1]}), not a square grid; keras-hub cannot interpolate it to image_shape ${cfg.imageShape[0]}×${cfg.imageShape[1]}.`, {
      file,
      hint: 'Build the backbone at the preset\'s own size, or use a square position_embedding_shape.',
    });
  }
  return { shape: [1 + g * g, D], data: interpolatePositionTable(stored.data, D, s, g, cfg.antialiasInInterpolation) };
}

/**
 * The table the model ran with when it was saved (the embedding's second-to-last variable) against the one keras-hub
 * recomputes from the stored table on load: max |difference|, or null when the saved one is of another size. A large
 * difference means a fine-tuned table that save_own_variables did not copy back (it does so only when a signed sum
 * of the changes exceeds 1e-7, facts sheet §4): reloading loses the fine-tuned positions.
 */
export async function dinov2SavedTableDrift(cfg: DINOV2BackboneConfig, file: string): Promise<number | null> {
  const map = await readH5Weights(file, { under: 'layers/dinov2_embedding' });
  const e = 'layers/dinov2_embedding/vars/';
  const idx = [...map.keys()].filter((k) => k.startsWith(e)).map((k) => Number(k.slice(e.length))).filter(Number.isInteger).sort((a, b) => a - b);
  const last = idx[idx.length - 1];
  if (last === undefined || last < 1) return null;
  const stored = map.get(`${e}${last}`)!;
  const saved = map.get(`${e}${last - 1}`)!;
  const table = positionTableAtBuild(cfg, { shape: stored.shape.slice(1), data: stored.data }, file);
  if (saved.data.length !== table.data.length) return null;
  let max = 0;
  for (let i = 0; i < saved.data.length; i++) max = Math.max(max, Math.abs((saved.data[i] as number) - (table.data[i] as number)));
  return max;
}

function findEmbeddingPrefix(map: Map<string, WeightArray>, file: string): string {
  const key = allWeightPaths(map).find((k) => k.endsWith(PATCH_KERNEL));
  if (!key) {
    throw new UserError('E_WEIGHTS_MISMATCH', `${file}: no DINOv2 patch-embedding kernel found: the file is damaged, or it is not a Keras Hub DINOV2Backbone weights file.`, {
      file,
      hint: `Expected a dataset ending in "${PATCH_KERNEL}" as written by DINOV2Backbone.save_to_preset().`,
    });
  }
  return key.slice(0, -'patch_embeddings/projection/vars/0'.length);
}

/** DINOV2Layer group paths ordered by numeric suffix (`dinov2_layer`, `dinov2_layer_1`, …; alphabetical order breaks at 10+). */
function blockPaths(map: Map<string, WeightArray>): string[] {
  const groups = new Map<string, number>();
  for (const k of allWeightPaths(map)) {
    const m = /^(.*\/dinov2_layer)(?:_(\d+))?\/norm1\/vars\/0$/.exec(k);
    if (m) groups.set(k.slice(0, -'/norm1/vars/0'.length), m[2] ? Number(m[2]) : 0);
  }
  return [...groups.entries()].sort((a, b) => a[1] - b[1]).map(([p]) => p);
}

/**
 * Maps a DINOV2Backbone model.weights.h5 to the arrays the forward pass needs, checking every shape against the config.
 * The embedding's `vars/` are, in creation order: class token, [mask token], [register tokens], the interpolated table
 * at save time (ignored, as keras ignores it on load) and, last, the stored table — which is interpolated here to the
 * built grid when `position_embedding_shape` differs from `image_shape` (facts sheet §3.2, §4).
 */
export function mapDINOV2BackboneWeights(cfg: DINOV2BackboneConfig, map: Map<string, WeightArray>, file: string): DINOV2BackboneArrays {
  const r = new KerasWeightReader(file, map);
  const D = cfg.hiddenDim;
  const N = cfg.numHeads;
  const K = Math.floor(D / N);
  const P = cfg.patchSize;
  const R = cfg.numRegisterTokens;
  const e = findEmbeddingPrefix(map, file);
  const embVars = allWeightPaths(map)
    .map((k) => (k.startsWith(`${e}vars/`) ? Number(k.slice(`${e}vars/`.length)) : NaN))
    .filter((i) => Number.isInteger(i))
    .sort((a, b) => a - b);
  const expectedVars = 1 + (cfg.useMaskToken ? 1 : 0) + (R > 0 ? 1 : 0) + 2;
  if (embVars.length !== expectedVars || embVars[embVars.length - 1] !== expectedVars - 1) {
    throw new UserError(
      'E_WEIGHTS_MISMATCH',
      `${file}: ${e}vars/ holds ${embVars.length} variables but config.json implies ${expectedVars} (class token${cfg.useMaskToken ? ', mask token' : ''}${R > 0 ? `, ${R} register tokens` : ''}, interpolated table, stored table).`,
      { file, hint: 'config.json ("use_mask_token", "num_register_tokens") and the weights come from different models.' },
    );
  }
  const n = Math.floor(cfg.positionEmbeddingShape[0] / P) * Math.floor(cfg.positionEmbeddingShape[1] / P);
  let v = 0;
  const classToken = r.get(`${e}vars/${v++}`, [1, 1, D], 'class token');
  if (cfg.useMaskToken) r.get(`${e}vars/${v++}`, [1, D], 'mask token');
  const registers = R > 0 ? r.get(`${e}vars/${v++}`, [1, R, D], 'register tokens') : null;
  // the table interpolated at save time: keras recomputes it on load, so only its existence matters
  if (!map.has(`${e}vars/${v}`)) throw new UserError('E_WEIGHTS_MISMATCH', `${file}: missing variable "${e}vars/${v}" (interpolated position table).`, { file });
  v++;
  const stored = r.get(`${e}vars/${v}`, [1, 1 + n, D], `stored position table (position_embedding_shape ${cfg.positionEmbeddingShape[0]}×${cfg.positionEmbeddingShape[1]}, patch ${P})`);
  const storedTable: WeightArray = { shape: [1 + n, D], data: stored.data };
  const same = cfg.positionEmbeddingShape[0] === cfg.imageShape[0] && cfg.positionEmbeddingShape[1] === cfg.imageShape[1];
  const positionEmbedding = positionTableAtBuild(cfg, storedTable, file);

  const prefix = e.replace(/dinov2_embedding\/$/, '');
  const found = blockPaths(map);
  if (found.length !== cfg.numLayers) {
    throw new UserError('E_WEIGHTS_MISMATCH', `${file}: has ${found.length} DINOv2 blocks but config.json says num_layers = ${cfg.numLayers}.`, { file });
  }
  const M = cfg.intermediateDim;
  const Ma = swigluInnerDim(M);
  const blocks = found.map((b, i): DINOV2BlockArrays => {
    const what = (s: string): string => `block ${i + 1} ${s}`;
    const a = `${b}/attention/attention`;
    const ffn = cfg.useSwigluFfn
      ? {
          w1: r.get(`${b}/mlp/weights_in/vars/0`, [D, 2 * Ma], what('SwiGLU weights_in kernel')),
          b1: r.get(`${b}/mlp/weights_in/vars/1`, [2 * Ma], what('SwiGLU weights_in bias')),
          w2: r.get(`${b}/mlp/weights_out/vars/0`, [Ma, D], what('SwiGLU weights_out kernel')),
          b2: r.get(`${b}/mlp/weights_out/vars/1`, [D], what('SwiGLU weights_out bias')),
        }
      : {
          w1: r.get(`${b}/mlp/fc1/vars/0`, [D, M], what('MLP fc1 kernel')),
          b1: r.get(`${b}/mlp/fc1/vars/1`, [M], what('MLP fc1 bias')),
          w2: r.get(`${b}/mlp/fc2/vars/0`, [M, D], what('MLP fc2 kernel')),
          b2: r.get(`${b}/mlp/fc2/vars/1`, [D], what('MLP fc2 bias')),
        };
    return {
      ln1Gamma: r.get(`${b}/norm1/vars/0`, [D], what('norm1 gamma')),
      ln1Beta: r.get(`${b}/norm1/vars/1`, [D], what('norm1 beta')),
      wq: r.reshaped(`${a}/query_dense/vars/0`, [D, N, K], [D, N * K], what('query kernel')) as WeightArray,
      bq: r.reshaped(`${a}/query_dense/vars/1`, [N, K], [N * K], what('query bias')) as WeightArray,
      wk: r.reshaped(`${a}/key_dense/vars/0`, [D, N, K], [D, N * K], what('key kernel')) as WeightArray,
      bk: r.reshaped(`${a}/key_dense/vars/1`, [N, K], [N * K], what('key bias')) as WeightArray,
      wv: r.reshaped(`${a}/value_dense/vars/0`, [D, N, K], [D, N * K], what('value kernel')) as WeightArray,
      bv: r.reshaped(`${a}/value_dense/vars/1`, [N, K], [N * K], what('value bias')) as WeightArray,
      wo: r.reshaped(`${a}/output_dense/vars/0`, [N, K, D], [N * K, D], what('attention output kernel')) as WeightArray,
      bo: r.get(`${a}/output_dense/vars/1`, [D], what('attention output bias')),
      lambda1: r.get(`${b}/layer_scale1/vars/0`, [D], what('LayerScale 1')),
      ln2Gamma: r.get(`${b}/norm2/vars/0`, [D], what('norm2 gamma')),
      ln2Beta: r.get(`${b}/norm2/vars/1`, [D], what('norm2 beta')),
      ...ffn,
      lambda2: r.get(`${b}/layer_scale2/vars/0`, [D], what('LayerScale 2')),
    };
  });
  return {
    classToken: { shape: [1, D], data: classToken.data },
    registers: registers ? { shape: [R, D], data: registers.data } : null,
    storedPositionTable: storedTable,
    positionEmbedding,
    interpolated: !same,
    patchKernel: r.reshaped(`${e}patch_embeddings/projection/vars/0`, [P, P, 3, D], [P * P * 3, D], 'patch embedding kernel') as WeightArray,
    patchBias: r.get(`${e}patch_embeddings/projection/vars/1`, [D], 'patch embedding bias'),
    blocks,
    lnGamma: r.get(`${prefix}layer_normalization/vars/0`, [D], 'final layer norm gamma'),
    lnBeta: r.get(`${prefix}layer_normalization/vars/1`, [D], 'final layer norm beta'),
  };
}

/**
 * count_params() of the built DINOV2Backbone: every variable, with the mask token and both position tables (the stored
 * one and the one interpolated to the built size) counted, as the published preset sizes are (facts sheet §6).
 */
export function dinov2ParameterCount(cfg: DINOV2BackboneConfig, a: DINOV2BackboneArrays): number {
  let n = a.classToken.data.length + (a.registers?.data.length ?? 0) + a.storedPositionTable.data.length + a.positionEmbedding.data.length;
  if (cfg.useMaskToken) n += cfg.hiddenDim;
  n += a.patchKernel.data.length + a.patchBias.data.length + a.lnGamma.data.length + a.lnBeta.data.length;
  for (const b of a.blocks) for (const w of Object.values(b)) n += (w as { data: Float32Array }).data.length;
  return n;
}
