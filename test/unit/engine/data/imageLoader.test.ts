import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { loadImage } from '../../../../src/engine/data/imageLoader';

const dir = mkdtempSync(join(tmpdir(), 'vtd-img-'));

describe('image decoding as keras load_img', () => {
  it('PNG, JPEG, WebP, GIF (first frame) and TIFF decode to 8-bit RGB', async () => {
    const rgb = Buffer.alloc(6 * 4 * 3, 0);
    for (let i = 0; i < rgb.length; i += 3) [rgb[i], rgb[i + 1], rgb[i + 2]] = [200, 100, 50];
    for (const fmt of ['png', 'jpeg', 'webp', 'gif', 'tiff'] as const) {
      const f = join(dir, `x.${fmt}`);
      await sharp(rgb, { raw: { width: 6, height: 4, channels: 3 } }).toFormat(fmt).toFile(f);
      const im = await loadImage(f);
      assert.deepEqual([im.width, im.height, im.channels, im.data.length], [6, 4, 3, 72], fmt);
      assert.ok(Math.abs(im.data[0]! - 200) <= 12, `${fmt} red ${im.data[0]}`);
    }
  });
  it('grayscale is expanded to three equal channels; RGBA drops alpha without compositing', async () => {
    const gray = join(dir, 'g.png');
    await sharp(Buffer.from([10, 20, 30, 40]), { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('b-w').png().toFile(gray);
    const g = await loadImage(gray);
    assert.equal(g.sourceChannels, 1);
    assert.deepEqual(Array.from(g.data.slice(0, 6)), [10, 10, 10, 20, 20, 20]);
    const rgba = join(dir, 'a.png');
    await sharp(Buffer.from([255, 0, 0, 0, 0, 255, 0, 128]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(rgba);
    const a = await loadImage(rgba);
    assert.deepEqual(Array.from(a.data), [255, 0, 0, 0, 255, 0]);
  });
  it('a file that is not an image is a clear error naming it', async () => {
    const bad = join(dir, 'bad.jpg');
    writeFileSync(bad, 'hello');
    await assert.rejects(loadImage(bad), (e: Error) => e.message.startsWith(`${bad}: cannot be decoded as an image`));
  });
});
