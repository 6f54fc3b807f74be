import { join } from 'node:path';
import { seededRandom } from '../../core/seededRandom';
import { UserError } from '../../core/userError';
import { classFolders } from '../sanity/labelledImages';
import { listImageFiles, loadImage, type LoadedImage } from './imageLoader';

export interface ImageFolderSplit {
  classNames: string[];
  train: { file: string; label: number }[];
  val: { file: string; label: number }[];
  /** Images per class (train + val). */
  counts: number[];
  /** Largest class / smallest class. */
  imbalance: number;
  skipped: { file: string; reason: string }[];
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/**
 * An image folder as keras.utils.image_dataset_from_directory reads it (one sub-folder per class, classes in sorted
 * order), split per class into train/validation with a seeded shuffle so that small classes appear in both.
 */
export function splitImageFolder(dir: string, opts: { validationSplit: number; seed: number; maxPerClass?: number }): ImageFolderSplit {
  const classNames = classFolders(dir);
  const rand = seededRandom(opts.seed);
  const train: ImageFolderSplit['train'] = [];
  const val: ImageFolderSplit['val'] = [];
  const counts: number[] = [];
  const skipped: ImageFolderSplit['skipped'] = [];
  classNames.forEach((c, label) => {
    let files: string[];
    try {
      const listed = listImageFiles([join(dir, c)]);
      files = listed.files;
      skipped.push(...listed.skipped);
    } catch {
      files = [];
    }
    files = shuffle(files, rand).slice(0, opts.maxPerClass ?? Infinity);
    counts.push(files.length);
    const nVal = files.length > 1 ? Math.max(1, Math.round(files.length * opts.validationSplit)) : 0;
    files.forEach((file, i) => (i < nVal ? val : train).push({ file, label }));
  });
  const nonEmpty = counts.filter((n) => n > 0);
  if (nonEmpty.length < 2) throw new UserError('E_DATA_INVALID', `${dir}: needs images in at least two class folders; found ${nonEmpty.length}.`, { file: dir });
  return { classNames, train: shuffle(train, rand), val, counts, imbalance: Math.max(...nonEmpty) / Math.min(...nonEmpty), skipped };
}

/** Decodes every image; unreadable files are listed in `skipped` (never silently dropped) and removed from the split. */
export async function decodeSplit(split: ImageFolderSplit, onProgress?: (done: number, total: number) => void): Promise<Map<string, LoadedImage>> {
  const out = new Map<string, LoadedImage>();
  const all = [...split.train, ...split.val];
  let done = 0;
  for (const { file } of all) {
    try {
      out.set(file, await loadImage(file));
    } catch (e) {
      split.skipped.push({ file, reason: (e as Error).message });
    }
    onProgress?.(++done, all.length);
  }
  split.train = split.train.filter((x) => out.has(x.file));
  split.val = split.val.filter((x) => out.has(x.file));
  return out;
}
