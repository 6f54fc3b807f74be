import type { ImageClassifierConfig, ViTBackboneConfig } from '../../../core/presets/presetSchema';
import { glorotUniform, seededRandom } from '../../../core/seededRandom';
import type { WeightArray } from '../../weights/h5Reader';
import type { ViTBackboneArrays, ViTBlockArrays, ViTHeadArrays } from './vitWeights';

function normal(rand: () => number): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const filled = (shape: number[], v: number): WeightArray => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });
const glorot = (fanIn: number, fanOut: number, shape: number[], rand: () => number): WeightArray => ({ shape, data: glorotUniform(fanIn, fanOut, rand, shape.reduce((a, b) => a * b, 1)) });
const gaussian = (shape: number[], std: number, rand: () => number): WeightArray => {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = normal(rand) * std;
  return { shape, data };
};

/** Keras-style initialisation of a ViTBackbone (facts sheet §3.1): glorot kernels, zero biases, N(0, 0.02) positions. */
export function initViTBackboneArrays(cfg: ViTBackboneConfig, seed: number): ViTBackboneArrays {
  const rand = seededRandom(seed);
  const D = cfg.hiddenDim;
  const K = Math.floor(D / cfg.numHeads);
  const NK = cfg.numHeads * K;
  const M = cfg.mlpDim;
  const [ph, pw] = cfg.patchSize;
  const C = cfg.imageShape[2];
  const P = ph * pw * C;
  const numPositions = (cfg.imageShape[0] / ph) * (cfg.imageShape[1] / pw) + (cfg.useClassToken ? 1 : 0);
  const bias = (n: number, on: boolean): WeightArray | null => (on ? filled([n], 0) : null);
  const blocks: ViTBlockArrays[] = Array.from({ length: cfg.numLayers }, () => ({
    ln1Gamma: filled([D], 1), ln1Beta: filled([D], 0),
    wq: glorot(D, NK, [D, NK], rand), bq: bias(NK, cfg.useMhaBias),
    wk: glorot(D, NK, [D, NK], rand), bk: bias(NK, cfg.useMhaBias),
    wv: glorot(D, NK, [D, NK], rand), bv: bias(NK, cfg.useMhaBias),
    wo: glorot(NK, D, [NK, D], rand), bo: bias(D, cfg.useMhaBias),
    ln2Gamma: filled([D], 1), ln2Beta: filled([D], 0),
    w1: glorot(D, M, [D, M], rand), b1: cfg.useMlpBias ? gaussian([M], 1e-6, rand) : null,
    w2: glorot(M, D, [M, D], rand), b2: cfg.useMlpBias ? gaussian([D], 1e-6, rand) : null,
  }));
  return {
    classToken: cfg.useClassToken ? gaussian([1, 1, D], 0.05, rand) : null,
    // Conv2D glorot: fan_in = ph*pw*C, fan_out = ph*pw*D
    patchKernel: glorot(P, ph * pw * D, [P, D], rand),
    patchBias: bias(D, cfg.usePatchBias),
    positionEmbedding: gaussian([numPositions, D], 0.02, rand),
    blocks,
    lnGamma: filled([D], 1),
    lnBeta: filled([D], 0),
  };
}

export function initViTHeadArrays(task: ImageClassifierConfig, hiddenDim: number, seed: number): ViTHeadArrays {
  const rand = seededRandom(seed);
  const inDim = task.intermediateDim ?? hiddenDim;
  return {
    preLogitsKernel: task.intermediateDim ? glorot(hiddenDim, task.intermediateDim, [hiddenDim, task.intermediateDim], rand) : null,
    preLogitsBias: task.intermediateDim ? filled([task.intermediateDim], 0) : null,
    kernel: glorot(inDim, task.numClasses, [inDim, task.numClasses], rand),
    bias: filled([task.numClasses], 0),
  };
}
