import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import sharp from 'sharp';
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
  try {
    const img = sharp(file, { pages: 1, failOn: 'error' });
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

/**
 * Expands `--images` arguments: files are kept in the order given, directories contribute their image files in
 * sorted file-name order (recursively, so class sub-folders work).
 */
export function listImageFiles(args: string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const p = resolve(cwd, arg);
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UserError('E_IMAGES_NOT_FOUND', `${p}: no such file or folder.`, { file: p });
    }
    if (st.isDirectory()) {
      const found = walk(p);
      if (found.length === 0) {
        throw new UserError('E_IMAGES_EMPTY', `${p}: contains no image files (${IMAGE_EXTENSIONS.join(', ')}).`, { file: p });
      }
      out.push(...found);
    } else out.push(p);
  }
  return out;
}

function walk(dir: string): string[] {
  const names = readdirSync(dir).sort();
  const out: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())) out.push(p);
  }
  return out;
}

/** Encodes float HWC pixels (0–255 scale, clamped) as a PNG data: URI. */
export async function encodePngDataUri(pixels: Float32Array, width: number, height: number, channels = 3): Promise<string> {
  const bytes = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(pixels[i] as number)));
  const png = await sharp(bytes, { raw: { width, height, channels: channels as 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
