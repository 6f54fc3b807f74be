import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { fsProblem, fsUserError } from '../../core/fsErrors';
import { UserError } from '../../core/userError';
import type { RawImage } from '../models/vit/vitImageConverter';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.bmp'];

export interface LoadedImage extends RawImage {
  file: string;
  format: string;
  /** Channels in the file before conversion to RGB (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
  sourceChannels: number;
}

/**
 * Decodes an image to 8-bit RGB as keras.utils.load_img does: first frame of a GIF, alpha dropped (not composited),
 * grayscale expanded to three channels, no EXIF rotation.
 */
export async function loadImage(file: string): Promise<LoadedImage> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    // a folder, no permission, a broken path: named as such (sharp would call any of them "missing or unsupported")
    throw fsUserError(e, file, 'the image') ?? e;
  }
  try {
    const img = sharp(bytes, { pages: 1, failOn: 'error' });
    const meta = await img.metadata();
    const { data, info } = await img.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      file,
      format: meta.format ?? extname(file).slice(1),
      sourceChannels: meta.channels ?? 3,
      height: info.height,
      width: info.width,
      channels: 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0] ?? 'unknown error';
    throw new UserError('E_IMAGE_UNREADABLE', `${file}: cannot be decoded as an image (${reason}).`, {
      file,
      hint: 'Supported: PNG, JPEG, WebP, GIF (first frame), TIFF. Remove or replace the file.',
    });
  }
}

/** A file that was found but not used, and why (listed in the report, never dropped silently). */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ImageListing {
  files: string[];
  skipped: SkippedFile[];
}

/**
 * Expands `--images` arguments: files are kept in the order given, directories contribute their image files in
 * sorted file-name order (recursively, so class sub-folders work). Symbolic links are followed, each directory once
 * (a link loop ends quietly); dangling links, hidden files and non-image files are listed as skipped.
 */
export function listImageFiles(args: string[], cwd = process.cwd()): ImageListing {
  const out: ImageListing = { files: [], skipped: [] };
  const visited = new Set<string>();
  for (const arg of args) {
    const p = resolve(cwd, arg);
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ELOOP') throw fsUserError(e, p, 'the images') ?? e;
      const why = code === 'ENOENT' && isSymlink(p) ? 'is a dangling symbolic link' : code === 'ELOOP' ? 'is a symbolic link loop' : 'no such file or folder';
      throw new UserError('E_IMAGES_NOT_FOUND', `${p}: ${why}.`, { file: p });
    }
    if (st.isDirectory()) {
      const before = out.files.length;
      walk(p, visited, out);
      if (out.files.length === before) {
        const listed = out.skipped.filter((s) => s.file.startsWith(p)).slice(0, 5).map((s) => `${s.file} (${s.reason})`);
        throw new UserError('E_IMAGES_EMPTY', `${p}: contains no image files (${IMAGE_EXTENSIONS.join(', ')})${listed.length ? `; skipped: ${listed.join(', ')}` : ''}.`, { file: p });
      }
    } else out.files.push(p);
  }
  return out;
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function walk(dir: string, visited: Set<string>, out: ImageListing): void {
  let real: string;
  let names: string[];
  try {
    real = realpathSync(dir);
    if (visited.has(real)) return; // seen through another path or a link loop: each folder once
    visited.add(real);
    names = readdirSync(dir).sort();
  } catch (e) {
    out.skipped.push({ file: dir, reason: `folder cannot be read (${fsProblem(e, dir, 'list')})` });
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.skipped.push({ file: p, reason: code === 'ELOOP' ? 'symbolic link loop' : code === 'ENOENT' && isSymlink(p) ? 'dangling symbolic link' : `cannot be read (${fsProblem(e, p)})` });
      continue;
    }
    if (name.startsWith('.')) out.skipped.push({ file: p, reason: st.isDirectory() ? 'hidden folder (not searched)' : 'hidden file' });
    else if (st.isDirectory()) walk(p, visited, out);
    else if (IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())) out.files.push(p);
    else out.skipped.push({ file: p, reason: `not an image file (${extname(name) || 'no extension'})` });
  }
}

/** Encodes float HWC pixels (0–255 scale, clamped) as a PNG data: URI. */
export async function encodePngDataUri(pixels: Float32Array, width: number, height: number, channels = 3): Promise<string> {
  const bytes = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(pixels[i] as number)));
  const png = await sharp(bytes, { raw: { width, height, channels: channels as 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
