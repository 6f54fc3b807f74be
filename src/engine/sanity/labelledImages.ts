import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fsUserError } from '../../core/fsErrors';
import { UserError } from '../../core/userError';
import { listImageFiles, type SkippedFile } from '../data/imageLoader';

export interface LabelledSelection {
  files: string[];
  /** Class index per file, or null when no labels folder was given. */
  labels: number[] | null;
  classNames: string[];
  skipped: SkippedFile[];
}

/** Class names = sorted sub-folders of the labels folder (keras.utils.image_dataset_from_directory order). */
export function classFolders(labelsDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(labelsDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsUserError(e, labelsDir, 'the class folders', 'list') ?? e;
    throw new UserError('E_LABELS_NOT_FOUND', `${labelsDir}: no such folder (--labels expects one sub-folder per class).`, { file: labelsDir });
  }
  const isFolder = (p: string): boolean => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false; // a dangling link or an unreadable entry is not a class
    }
  };
  const names = entries.filter((n) => !n.startsWith('.') && isFolder(join(labelsDir, n)));
  if (names.length < 2) {
    throw new UserError('E_LABELS_INVALID', `${labelsDir}: needs at least two class sub-folders, found ${names.length}.`, { file: labelsDir });
  }
  return names.sort();
}

/**
 * The candidate images in batch order (the caller decodes until the batch is full, skipping what cannot be decoded).
 * With a labels folder and no explicit images, classes are interleaved so the batch mixes them; explicit images under
 * a class folder get that class, others are an error. Files found but not used are in `skipped`.
 */
export function selectImages(images: string[], labelsDir: string | undefined, cwd: string): LabelledSelection {
  if (!labelsDir) {
    if (images.length === 0) throw new UserError('E_IMAGES_MISSING', 'No images given: pass --images <folder|file>... (or --labels <folder>).');
    const listed = listImageFiles(images, cwd);
    return { files: listed.files, labels: null, classNames: [], skipped: listed.skipped };
  }
  const root = resolve(cwd, labelsDir);
  const classNames = classFolders(root);
  if (images.length === 0) {
    const skipped: SkippedFile[] = [];
    const perClass = classNames.map((c) => {
      try {
        const listed = listImageFiles([join(root, c)], cwd);
        skipped.push(...listed.skipped);
        return listed.files;
      } catch {
        return [];
      }
    });
    const files: string[] = [];
    const labels: number[] = [];
    for (let i = 0; perClass.some((l) => l.length > i); i++) {
      perClass.forEach((list, c) => {
        if (list[i]) {
          files.push(list[i]!);
          labels.push(c);
        }
      });
    }
    if (files.length === 0) throw new UserError('E_IMAGES_EMPTY', `${root}: the class folders contain no images.`, { file: root });
    return { files, labels, classNames, skipped };
  }
  const listed = listImageFiles(images, cwd);
  const labels = listed.files.map((f) => {
    const rel = relative(root, f);
    const cls = rel.split(sep)[0] ?? '';
    const idx = rel.startsWith('..') ? -1 : classNames.indexOf(cls);
    if (idx < 0) throw new UserError('E_LABELS_INVALID', `${f}: is not inside a class folder of ${root}.`, { file: f });
    return idx;
  });
  return { files: listed.files, labels, classNames, skipped: listed.skipped };
}
