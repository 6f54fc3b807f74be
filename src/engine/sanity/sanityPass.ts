import { join } from 'node:path';
import { inputContract, type InputContract } from '../../core/presets/inputContract';
import { loadPresetDir } from '../../core/presets/presetLoader';
import { resolvePreset } from '../../core/presets/presetResolver';
import { tokenLayout } from '../../core/presets/tokenLayout';
import type { ImageConverterConfig } from '../../core/presets/presetSchema';
import { glorotUniform, seededRandom } from '../../core/seededRandom';
import { channelStats, histogram } from '../../core/stats/channelStats';
import { UserError } from '../../core/userError';
import type { DumpTensor, LossReport, SanityParams, SanityReport, StageReport, UserPooling } from '../../protocol/engineProtocol';
import { createForwardRunner, type EngineBackends } from '../backend/engineBackends';
import { encodePngDataUri, loadImage, type LoadedImage, type SkippedFile } from '../data/imageLoader';
import { dinov2SavedTableDrift, mapDINOV2BackboneWeights } from '../models/dinov2/dinov2Weights';
import { assertConverterSupported, resizeLikeKeras, rescaleLikeKeras } from '../models/vit/vitImageConverter';
import { readH5Weights } from '../weights/h5Reader';
import type { StagedOutputs, StageTensor } from '../runners/modelRunner';
import { matMul, meanRowCosine, meanStd, poolTokens, softmaxCrossEntropy, variance } from './arrayMath';
import { familyFindings } from './familyFindings';
import { familyStageTexts, familySummary } from './familyStages';
import { computeFindings } from './findings';
import { selectImages, type LabelledSelection } from './labelledImages';
import { applyUserPreprocessing, USER_PREPROCESSING_TEXT } from './userPreprocessing';

export interface SanityContext {
  signal: AbortSignal;
  progress(stage: string, fraction: number, message: string): void;
  backends: EngineBackends;
}

function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new UserError('E_CANCELLED', 'Cancelled.');
}

function toDump(t: StageTensor): DumpTensor {
  return { shape: [...t.shape], data: Array.from(t.data) };
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Converter used when the preset has none: resize like Keras defaults, no rescale. */
function fallbackConverter(h: number, w: number): ImageConverterConfig {
  return { className: 'none', imageSize: [h, w], scale: null, offset: null, normMean: null, normStd: null, interpolation: 'bilinear', antialias: false, cropToAspectRatio: true, padToAspectRatio: false };
}

/**
 * Decodes candidates in order until the batch is full; a file that cannot be decoded (a half-written download, a
 * text file named .png) is skipped and listed. None decodable is an error naming them.
 */
async function decodeBatch(selection: LabelledSelection, batch: number): Promise<{ images: LoadedImage[]; labels: number[] | null; skipped: SkippedFile[] }> {
  const images: LoadedImage[] = [];
  const labels: number[] = [];
  const skipped: SkippedFile[] = [...selection.skipped];
  const failed: UserError[] = [];
  for (let i = 0; i < selection.files.length && images.length < batch; i++) {
    const f = selection.files[i] as string;
    try {
      images.push(await loadImage(f));
      if (selection.labels) labels.push(selection.labels[i] as number);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      failed.push(e);
      skipped.push({ file: f, reason: e.message.replace(`${f}: `, '').replace(/\.$/, '') });
    }
  }
  if (images.length === 0) {
    if (failed.length === 1) throw failed[0] as UserError;
    throw new UserError('E_IMAGES_UNREADABLE', `None of the ${failed.length} images could be decoded: ${failed.slice(0, 5).map((e) => e.message).join(' ')}`, { file: failed[0]?.wire.file });
  }
  return { images, labels: selection.labels ? labels : null, skipped };
}

/** Runs one batch end to end and reports shapes, statistics, loss and findings. */
export async function runSanityPass(params: SanityParams, ctx: SanityContext): Promise<SanityReport> {
  const t0 = performance.now();
  const cwd = params.cwd ?? process.cwd();
  const batch = Math.max(1, Math.min(256, params.batch ?? 8));
  const userPreprocessing = params.userPreprocessing ?? 'preset';
  const converterPath = params.converterPath ?? 'float';
  ctx.progress('load', 0, 'Reading preset');
  const resolved = resolvePreset(params.preset, { cwd });
  const preset = loadPresetDir(resolved.dir);
  const cfg = preset.backbone;
  const layout = tokenLayout(preset);
  const [H, W, C] = cfg.imageShape;
  assertConverterSupported(preset);
  const selection = selectImages(params.images, params.labels, cwd);
  const runner = await createForwardRunner(preset, ctx.backends);
  const tLoad = performance.now();
  try {
    checkCancelled(ctx.signal);
    const wi = runner.weightIssues;
    if (wi.length) ctx.progress('load', 0.1, `${wi.length} weight variable(s) hold NaN/Inf (first: ${wi[0]!.variable}): every output will be NaN`);
    ctx.progress('decode', 0.1, `Decoding up to ${batch} image(s)`);
    const { images, labels, skipped } = await decodeBatch(selection, batch);
    const tDecode = performance.now();
    checkCancelled(ctx.signal);

    const conv = preset.converter ?? fallbackConverter(H, W);
    const contract: InputContract | null = preset.converter ? inputContract(preset.converter, C) : null;
    const resized = images.map((im) => resizeLikeKeras(im, conv, converterPath));
    const bad = resized.find((r) => r.height !== H || r.width !== W);
    if (bad) {
      throw new UserError('E_CONVERTER_SHAPE', `${preset.converterFile ?? join(preset.dir, 'config.json')}: the converter produces ${bad.height}×${bad.width} images but the backbone (config.json image_shape) expects ${H}×${W}.`, {
        file: preset.converterFile ?? undefined,
        hint: preset.dinov2
          ? `image_size in the converter and image_shape in config.json disagree. A DINOv2 backbone is built for one size: load it with from_preset(..., image_shape=(${bad.height}, ${bad.width}, 3)) (its position table is then interpolated at build time), or the converter with image_size=(${H}, ${W}).`
          : 'image_size in the converter and image_shape in config.json disagree; pass image_shape to from_preset or fix the preset.',
      });
    }
    const expectedArrays = resized.map((r) => rescaleLikeKeras(r.data, C, conv));
    const fedArrays = userPreprocessing === 'preset' ? expectedArrays : resized.map((r) => applyUserPreprocessing(userPreprocessing, r.data, C));
    const rawAll = concat(images.map((i) => Float32Array.from(i.data)));
    const fedAll = concat(fedArrays);
    const expAll = concat(expectedArrays);
    const tPre = performance.now();

    const sameInput = fedArrays === expectedArrays;
    const userPooling: UserPooling = params.userPooling ?? ((preset.task?.pooling === 'gap' || !cfg.useClassToken) ? 'gap' : 'token');
    const B = images.length;
    const pass = async (x: Float32Array, label: string, from: number, to: number): Promise<StagedOutputs> =>
      runner.run(x, B, {
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress('forward', from + ((to - from) * done) / total, `${label}: encoder block ${done}/${total}`),
      });
    const fed = await pass(fedAll, sameInput ? 'batch' : 'your input', 0.2, sameInput ? 0.9 : 0.55);
    checkCancelled(ctx.signal);
    const correct = sameInput ? null : await pass(expAll, 'preset converter', 0.55, 0.9);
    const tForward = performance.now();

    const D = cfg.hiddenDim;
    const [gh, gw] = layout.grid;
    const T = layout.numTokens;
    const pooled = poolTokens(fed.backboneOutput.data, B, T, D, userPooling, layout.patchStart);
    const pooledCorrect = correct ? poolTokens(correct.backboneOutput.data, B, T, D, userPooling, layout.patchStart) : null;
    const featureSimilarity = pooledCorrect ? meanRowCosine(pooled, pooledCorrect, B, D) : null;
    const head = fed.head;
    const task = runner.task;

    let loss: LossReport | null = null;
    if (labels) {
      const numClasses = selection.classNames.length;
      const rand = seededRandom(params.seed ?? 1337);
      const kernel = glorotUniform(D, numClasses, rand);
      const logits = matMul(pooled, kernel, B, D, numClasses);
      const l = softmaxCrossEntropy(logits, labels, numClasses);
      const lc = pooledCorrect ? softmaxCrossEntropy(matMul(pooledCorrect, kernel, B, D, numClasses), labels, numClasses) : l;
      const lnC = Math.log(numClasses);
      const expected = lnC + variance(logits) / 2;
      const tol = Math.max(0.5, 0.3 * lnC);
      loss = { numClasses, lnC, expected, loss: l, lossCorrect: lc, verdict: !Number.isFinite(l) || l > expected + tol ? 'high' : l < lnC - tol ? 'low' : 'ok' };
    }

    const texts = familyStageTexts(preset, layout, userPooling);
    const stages: StageReport[] = [
      { id: 'raw', label: 'Raw images', shape: [B, null, null, 3], detail: images.map((i) => `${i.width}×${i.height}`).join(', ') + ' (W×H, 8-bit RGB)' },
      { id: 'preprocessed', label: 'After preprocessing', shape: [B, H, W, C], detail: `${userPreprocessing === 'preset' ? contract ? `${contract.resize}; ${contract.formula}` : 'no converter in preset' : USER_PREPROCESSING_TEXT[userPreprocessing]}`, ...meanStd(fedAll) },
      { id: 'patches', label: 'Patch grid', shape: [B, gh, gw, cfg.patchSize[0] * cfg.patchSize[1] * C], detail: texts.patches },
      { id: 'tokens', label: layout.registers > 0 ? 'Tokens + position, registers' : 'Tokens + position', shape: [B, T, D], detail: texts.tokens, ...meanStd(fed.embeddings.data) },
      ...fed.blocks.map((blk, i): StageReport => ({ id: `block_${i + 1}`, label: `Encoder block ${i + 1}`, shape: [B, T, D], detail: texts.block, ...meanStd(blk.data) })),
      { id: 'backbone_output', label: 'Backbone output', shape: [B, T, D], detail: texts.backboneOutput, ...meanStd(fed.backboneOutput.data) },
      { id: 'pooled', label: 'Pooled', shape: [B, D], detail: texts.pooled, ...meanStd(pooled) },
    ];
    if (head && task) {
      if (task.intermediateDim) stages.push({ id: 'pre_logits', label: 'Pre-logits', shape: [B, task.intermediateDim], detail: 'Dense + tanh' });
      stages.push({ id: 'logits', label: 'Logits', shape: [B, task.numClasses], detail: `preset head (${task.numClasses} classes, pooling "${task.pooling}")`, ...meanStd(head.logits.data) });
      stages.push({ id: 'probabilities', label: 'Probabilities', shape: [B, task.numClasses], detail: task.activation === 'softmax' ? 'softmax inside the model' : 'softmax(logits) — the model itself outputs logits (activation=None)' });
    } else if (loss) {
      stages.push({ id: 'logits', label: 'Logits (fresh head)', shape: [B, loss.numClasses], detail: preset.dinov2 ? `new Dense(${loss.numClasses}) on the pooled feature (keras-hub has no DINOv2 task class)` : `new Dense(${loss.numClasses}) as from_preset(num_classes=${loss.numClasses})` });
    }

    const predictions = head
      ? images.map((im, i) => {
          const n = head.probabilities.shape[1] as number;
          const p = Array.from(head.probabilities.data.subarray(i * n, (i + 1) * n));
          const top = p.map((probability, index) => ({ index, probability })).sort((a, b) => b.probability - a.probability).slice(0, 3);
          return { file: im.file, top };
        })
      : [];

    const raw = channelStats(rawAll, C);
    const fedStats = channelStats(fedAll, C);
    const expected = channelStats(expAll, C);
    const lo = Math.min(...fedStats.map((s) => s.min), ...expected.map((s) => s.min));
    const hi = Math.max(...fedStats.map((s) => s.max), ...expected.map((s) => s.max));
    const ch = [...Array(C).keys()];
    const inputStats = {
      raw,
      fed: fedStats,
      expected,
      expectedRange: contract
        ? { min: contract.expectedMin, max: contract.expectedMax, formula: contract.formula, rangeText: contract.rangeText }
        : { min: [], max: [], formula: 'unknown', rangeText: 'unknown' },
      histograms: {
        raw: ch.map((c) => histogram(rawAll, C, c, 0, 256)),
        fed: ch.map((c) => histogram(fedAll, C, c, lo, hi)),
        expected: ch.map((c) => histogram(expAll, C, c, lo, hi)),
      },
    };
    const generic = computeFindings({
      contract, backbone: cfg, task, fed: fedAll, expected: expAll, fedStats, userPooling,
      userFromLogits: params.userFromLogits, featureSimilarity, loss,
      images: images.map((i) => ({ file: i.file, width: i.width, height: i.height })), presetName: resolved.source === 'directory' ? params.preset : resolved.name,
      weightIssues: runner.weightIssues, taskFilesIssue: preset.taskFilesIssue,
    });
    const presetName = resolved.source === 'directory' ? params.preset : resolved.name;
    const savedTableDrift = preset.dinov2 ? await dinov2SavedTableDrift(preset.dinov2, preset.weightsFile) : null;
    const specific = familyFindings({ preset, layout, contract, fed: fedAll, expected: expAll, userPooling, presetName, savedTableDrift });
    // SAN013 names the mapping that SAN003 only measures: keep the specific one
    const findings = specific.some((f) => f.code === 'SAN013') ? [...generic.filter((f) => f.code !== 'SAN003'), ...specific] : [...generic, ...specific];

    const keep = params.dumpTensors === true;
    const tensors: Record<string, DumpTensor | DumpTensor[]> = {};
    if (keep) {
      tensors.preprocessed = { shape: [B, H, W, C], data: Array.from(fedAll) };
      tensors.embeddings = toDump(fed.embeddings);
      tensors.encoder_block_outputs = fed.blocks.map(toDump);
      tensors.backbone_output = toDump(fed.backboneOutput);
      tensors.pooled = head ? toDump(head.pooled) : { shape: [B, D], data: Array.from(pooled) };
      if (preset.dinov2) {
        // the fixtures' names: CLS = pooled when pooling is "token", the mean of the patch tokens, the table actually added
        tensors.patch_tokens_mean = { shape: [B, D], data: Array.from(poolTokens(fed.backboneOutput.data, B, T, D, 'patch_mean', layout.patchStart)) };
        const arrays = mapDINOV2BackboneWeights(preset.dinov2, await readH5Weights(preset.weightsFile), preset.weightsFile);
        tensors.position_embeddings_interpolated = { shape: [1, ...arrays.positionEmbedding.shape], data: Array.from(arrays.positionEmbedding.data) };
      }
      if (head) {
        tensors.logits = toDump(head.logits);
        tensors.probabilities = toDump(head.probabilities);
      }
    }
    const thumbnails: string[] = [];
    if (params.thumbnails) {
      // what the model sees, mapped back to 0–255 with the preset's own affine map
      const { scale, offset } = contract ?? { scale: [1, 1, 1], offset: [0, 0, 0] };
      for (const arr of fedArrays) {
        const px = new Float32Array(arr.length);
        for (let i = 0; i < arr.length; i++) px[i] = ((arr[i] as number) - (offset[i % C] as number)) / (scale[i % C] as number);
        thumbnails.push(await encodePngDataUri(px, W, H, C));
      }
    }
    const tEnd = performance.now();
    ctx.progress('done', 1, 'Done');
    const meta = preset.metadata ?? {};
    return {
      preset: {
        name: resolved.name, dir: resolved.dir, source: resolved.source, backboneClass: preset.backboneClass,
        imageShape: [...cfg.imageShape], patchSize: [...cfg.patchSize], numLayers: cfg.numLayers, numHeads: cfg.numHeads,
        hiddenDim: cfg.hiddenDim, mlpDim: cfg.mlpDim, useClassToken: cfg.useClassToken, numTokens: T, ...familySummary(preset, layout), parameterCount: runner.parameterCount,
        task: preset.task ? { numClasses: preset.task.numClasses, pooling: preset.task.pooling, activation: preset.task.activation, intermediateDim: preset.task.intermediateDim } : null,
        converter: contract ? { formula: contract.formula, rangeText: contract.rangeText, resize: contract.resize, file: preset.converterFile } : null,
        keras: { kerasVersion: meta.keras_version as string | undefined, kerasHubVersion: meta.keras_hub_version as string | undefined },
      },
      backend: { name: runner.backend.name, notes: runner.backend.notes },
      images: images.map((im, i) => ({
        file: im.file, width: im.width, height: im.height, format: im.format, sourceChannels: im.sourceChannels,
        ...(labels ? { label: selection.classNames[labels[i]!] } : {}),
      })),
      skipped,
      userPreprocessing, userPooling, converterPath, stages, inputStats, featureSimilarity, loss, predictions, findings,
      timings: { loadMs: tLoad - t0, loadPhases: runner.loadTimings, decodeMs: tDecode - tLoad, preprocessMs: tPre - tDecode, forwardMs: tForward - tPre, totalMs: tEnd - t0 },
      ...(keep ? { tensors } : {}),
      ...(params.thumbnails ? { thumbnails } : {}),
    };
  } finally {
    await runner.dispose();
  }
}
