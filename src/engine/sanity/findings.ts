import type { InputContract } from '../../core/presets/inputContract';
import type { ImageClassifierConfig, ViTBackboneConfig } from '../../core/presets/presetSchema';
import { affineFit } from '../../core/stats/channelStats';
import type { Finding, LossReport, UserPooling } from '../../protocol/engineProtocol';
import type { ChannelStats } from '../../protocol/statsTypes';
import type { WeightIssue } from '../weights/weightHealth';
import { basename } from 'node:path';

export interface FindingsInput {
  contract: InputContract | null;
  backbone: ViTBackboneConfig;
  task: ImageClassifierConfig | null;
  /** Pixels as fed to the backbone and as the preset's converter makes them (same images, same order). */
  fed: Float32Array;
  expected: Float32Array;
  fedStats: ChannelStats[];
  userPooling: UserPooling;
  userFromLogits: boolean | undefined;
  featureSimilarity: number | null;
  loss: LossReport | null;
  images: { file: string; width: number; height: number }[];
  presetName: string;
  /** weight variables with NaN/Inf values */
  weightIssues?: WeightIssue[];
  /** task.json without task.weights.h5 or the reverse */
  taskFilesIssue?: string | null;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

/**
 * Turns the measured batch into findings. Each rule is judged from the numbers, not from how the input was produced,
 * so the same rules explain a batch whose preprocessing is unknown.
 */
export function computeFindings(inp: FindingsInput): Finding[] {
  const out: Finding[] = [];
  const c = inp.contract;
  const channels = inp.backbone.imageShape[2];
  const converterLine = `preprocessor = keras_hub.layers.ImageConverter.from_preset("${inp.presetName}")`;
  const fedMin = Math.min(...inp.fedStats.map((s) => s.min));
  const fedMax = Math.max(...inp.fedStats.map((s) => s.max));
  const nonFinite = inp.fedStats.reduce((n, s) => n + s.nonFinite, 0);

  const wi = inp.weightIssues ?? [];
  if (wi.length) {
    const values = wi.reduce((n, w) => n + w.nan + w.inf, 0);
    const list = wi.slice(0, 5).map((w) => `${w.variable} in ${basename(w.file)} (${[w.nan ? `${w.nan} NaN` : '', w.inf ? `${w.inf} Inf` : ''].filter(Boolean).join(', ')} of ${w.total})`);
    out.push({
      code: 'SAN011', name: 'non-finite-weights', severity: 'error',
      title: `${wi.length} weight variable${wi.length === 1 ? '' : 's'} hold${wi.length === 1 ? 's' : ''} ${values} NaN/Inf value${values === 1 ? '' : 's'}`,
      detail: `Found while reading the weights, before the forward pass: ${list.join('; ')}${wi.length > 5 ? `; and ${wi.length - 5} more` : ''}. Every activation downstream of them is NaN, whatever the input.`,
      fix: 'Download the preset again; if you saved it yourself, training diverged before the save: restore an earlier checkpoint.',
    });
  }
  if (inp.taskFilesIssue) {
    out.push({
      code: 'SAN012', name: 'incomplete-task-files', severity: 'warning',
      title: 'The preset has half of a task: task.json and task.weights.h5 come together',
      detail: inp.taskFilesIssue,
      fix: 'Save the task again with task.save_to_preset(dir), or delete the stray file to use the preset as a backbone only.',
    });
  }

  if (nonFinite > 0) {
    out.push({
      code: 'SAN010', name: 'non-finite-input', severity: 'error',
      title: `${nonFinite} NaN/Inf values reach the backbone`,
      detail: 'Non-finite inputs make every activation and the loss NaN.',
      fix: 'Check the decoding and any division in your preprocessing.',
    });
  }

  if (!c) {
    out.push({
      code: 'SAN008', name: 'no-converter-in-preset', severity: 'warning',
      title: 'The preset has no image converter',
      detail: 'Neither image_converter.json nor preprocessor.json describes the input mapping, so the expected range is unknown.',
      fix: 'Save the preset with its preprocessor (task.save_to_preset) or check the model card for the input range.',
    });
  } else {
    const expMin = Math.min(...c.expectedMin);
    const expMax = Math.max(...c.expectedMax);
    const span = expMax - expMin;
    const fits = Array.from({ length: channels }, (_, ch) => affineFit(inp.expected, inp.fed, channels, ch));
    const identity = fits.every((f) => Number.isNaN(f.a) || (Math.abs(f.a - 1) < 0.02 && Math.abs(f.b) < 0.02 * span));
    const rawLike = fedMin >= -1e-3 && fedMax > 20 && fedMax > 4 * Math.max(Math.abs(expMax), Math.abs(expMin));
    const unitLike = fedMin >= -1e-3 && fedMax <= 1 + 1e-3 && expMin < -0.25;
    if (rawLike) {
      out.push({
        code: 'SAN001', name: 'raw-pixels', severity: 'warning',
        title: `Raw pixels reach the backbone: input range [${fmt(fedMin)}, ${fmt(fedMax)}], the preset expects ${c.rangeText}`,
        detail: `The backbone does not include the preset's preprocessing. Its patch embedding was trained on ${c.formula}; 0–255 input makes the embeddings about ${fmt(fedMax / Math.max(1e-6, Math.abs(expMax)))}× too large, so the loss still falls but accuracy plateaus.`,
        fix: `${converterLine}; x = preprocessor(images)  # ${c.formula}`,
      });
    } else if (unitLike) {
      out.push({
        code: 'SAN002', name: 'rescale-only', severity: 'warning',
        title: `Input in [0, 1] (x / 255 only) for a preset that expects ${c.rangeText}`,
        detail: `The preset maps pixels with ${c.formula}. /255-only input is shifted and half as wide: every patch embedding is off by a constant, which fine-tuning has to undo.`,
        fix: `Replace Rescaling(1/255) with ${converterLine}`,
      });
    } else if (!identity) {
      const worst = fits.reduce((a, b) => (Math.abs(b.a - 1) + Math.abs(b.b) > Math.abs(a.a - 1) + Math.abs(a.b) ? b : a));
      const lowR2 = fits.some((f) => f.r2 < 0.98);
      out.push({
        code: 'SAN003', name: 'wrong-normalization', severity: 'warning',
        title: lowR2
          ? 'The input is not an affine map of what the preset expects (channel order or a non-linear transform differs)'
          : `The input mapping differs from the preset's: fed ≈ ${fmt(worst.a)}·expected ${worst.b >= 0 ? '+' : '-'} ${fmt(Math.abs(worst.b))}`,
        detail: `The preset expects ${c.formula} (range ${c.rangeText}); the fed batch spans [${fmt(fedMin)}, ${fmt(fedMax)}]. ImageNet mean/std or caffe-style preprocessing belong to other model families.`,
        fix: `Use ${converterLine} instead of the hand-written normalisation.`,
      });
    }
  }

  if (inp.featureSimilarity !== null && inp.featureSimilarity < 0.95) {
    out.push({
      code: 'SAN007', name: 'features-diverge', severity: 'warning',
      title: `Backbone features differ from the correctly preprocessed ones (cosine similarity ${inp.featureSimilarity.toFixed(3)})`,
      detail: 'The pooled features of your batch and of the same images through the preset converter point in different directions: the pretrained representation is not what your head is trained on.',
      fix: `${converterLine}`,
    });
  }

  if (inp.userPooling === 'token' && !inp.backbone.useClassToken) {
    out.push({
      code: 'SAN004', name: 'cls-slice-without-class-token', severity: 'warning',
      title: 'features[:, 0, :] on a backbone without class token takes the top-left patch',
      detail: `use_class_token is false: the ${inp.backbone.imageShape[0] / inp.backbone.patchSize[0]}×${inp.backbone.imageShape[1] / inp.backbone.patchSize[1]} tokens are all patches, and index 0 is the top-left one, not a summary of the image.`,
      fix: 'Pool with keras.ops.mean(features, axis=1) (what pooling="gap" does).',
    });
  }

  if (inp.task && inp.userFromLogits !== undefined) {
    const softmaxHead = inp.task.activation === 'softmax';
    if (softmaxHead && inp.userFromLogits) {
      out.push({
        code: 'SAN005', name: 'softmax-with-from-logits', severity: 'warning',
        title: 'The head applies softmax but the loss uses from_logits=True',
        detail: 'The loss applies softmax a second time: gradients shrink and the loss floor rises.',
        fix: 'Use activation=None in the head (keras-hub default) and keep from_logits=True.',
      });
    } else if (!softmaxHead && inp.userFromLogits === false) {
      out.push({
        code: 'SAN005', name: 'logits-without-from-logits', severity: 'warning',
        title: 'The head outputs logits but the loss uses from_logits=False',
        detail: 'keras-hub ImageClassifier heads default to activation=None (logits); a probability loss on logits clips and trains badly.',
        fix: 'keras.losses.SparseCategoricalCrossentropy(from_logits=True)',
      });
    }
  }

  if (inp.loss && inp.loss.verdict !== 'ok') {
    const l = inp.loss;
    out.push({
      code: 'SAN006', name: 'initial-loss', severity: 'warning',
      title: `Loss at initialisation ${l.loss.toFixed(3)} vs ln(${l.numClasses}) = ${l.lnC.toFixed(3)} (≈ ${l.expected.toFixed(3)} expected for this head's logit scale)`,
      detail: `A freshly initialised head should start near ln(C). ${l.verdict === 'high' ? 'A much higher loss means over-confident wrong logits: inputs or features are out of scale.' : 'A much lower loss at step 0 means the labels leak into the inputs or the batch has one class.'} With the preset converter the same head gives ${l.lossCorrect.toFixed(3)}.`,
      fix: l.verdict === 'high' ? `Apply the preset converter (${converterLine}) and check the head initialisation.` : 'Check the labels and the class balance of the batch.',
    });
  }

  if (c?.imageSize) {
    const [th, tw] = c.imageSize;
    const small = inp.images.filter((i) => i.width < tw / 2 || i.height < th / 2);
    if (small.length) {
      out.push({
        code: 'SAN009', name: 'upsampled-images', severity: 'info',
        title: `${small.length} image(s) are less than half the ${th}×${tw} input size and get upsampled`,
        detail: `For example ${small[0]!.file} (${small[0]!.width}×${small[0]!.height}). Upsampled images are blurry; fine, but worth knowing.`,
        fix: 'Use larger source images or a preset with a smaller image size.',
      });
    }
  }
  return out;
}
