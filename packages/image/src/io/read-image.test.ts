import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, EmptyInputError, InputTooLargeError, InvalidArgumentError, UnsupportedFormatError } from '@latentkit/core';
import { readImage, readImages } from './read-image.js';
import { encodePng, writePng } from './write-image.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-read-image-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every byte value in a pseudo-random order, so exactness is tested over the whole range. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = i < 256 ? (i * 97 + seed) & 255 : s >>> 24;
  }
  return out;
}

async function rawPixels(png: Uint8Array): Promise<{ data: Buffer; channels: number; width: number; height: number }> {
  // sharp's raw output is sRGB unless asked otherwise; keep gray files gray to see their real bands.
  const meta = await sharp(png).metadata();
  const img = meta.channels === 1 ? sharp(png).toColourspace('b-w') : sharp(png);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data, channels: meta.channels ?? info.channels, width: info.width, height: info.height };
}

/** A PNG whose header claims `width` x `height`, with valid chunk CRCs but no pixel data. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const chunk = (type: string, body: Buffer): Buffer => {
    const tb = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

describe('PNG round trip', () => {
  it('keeps 8-bit grayscale pixels exactly (v/255 in, round(v*255) out)', async () => {
    const [w, h] = [37, 23];
    const src = bytes(w * h, 7);
    const png = await sharp(src, { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    const im = await readImage(png);
    expect(im).toMatchObject({ width: w, height: h, channels: 1 });
    expect(im.data[5]).toBeCloseTo(src[5] / 255, 7);
    const back = await rawPixels(await encodePng(im));
    expect(back.channels).toBe(1);
    expect(Buffer.compare(back.data, Buffer.from(src))).toBe(0);
  });

  it('keeps 8-bit RGB pixels exactly, through a file written with writePng', async () => {
    const [w, h] = [19, 31];
    const src = bytes(w * h * 3, 3);
    const file = join(dir, 'rgb.png');
    await writeFile(file, await sharp(src, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
    const im = await readImage(file);
    expect(im).toMatchObject({ width: w, height: h, channels: 3 });
    const out = join(dir, 'rgb-out.png');
    await writePng(out, im);
    const back = await rawPixels(await readFile(out));
    expect(back.channels).toBe(3);
    expect(Buffer.compare(back.data, Buffer.from(src))).toBe(0);
  });

  it('clamps out-of-range values when encoding', async () => {
    const png = await encodePng({ data: Float32Array.from([-1, 0.5, 2, NaN]), width: 2, height: 2, channels: 1 });
    expect([...(await rawPixels(png)).data]).toEqual([0, 128, 255, 0]);
  });
});

describe('other formats', () => {
  // Left half orange (230, 120, 30), right half teal (20, 150, 160).
  const [w, h] = [40, 30];
  const src = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) src.set(x < w / 2 ? [230, 120, 30] : [20, 150, 160], (y * w + x) * 3);
  }
  const encoders: Record<string, (s: Sharp) => Sharp> = {
    jpeg: (s) => s.jpeg({ quality: 92 }),
    webp: (s) => s.webp({ quality: 92 }),
    gif: (s) => s.gif(),
    tiff: (s) => s.tiff(),
  };
  for (const [format, encode] of Object.entries(encoders)) {
    it(`decodes ${format} to the right size and about the right colours`, async () => {
      const file = join(dir, `two-colours.${format}`);
      await writeFile(file, await encode(sharp(src, { raw: { width: w, height: h, channels: 3 } })).toBuffer());
      const im = await readImage(file);
      expect(im).toMatchObject({ width: w, height: h, channels: 3 });
      const at = (x: number, y: number): number[] => [0, 1, 2].map((c) => Math.round(im.data[(y * w + x) * 3 + c] * 255));
      const tol = format === 'gif' ? 24 : 12; // gif quantises to a palette
      at(5, 15).forEach((v, c) => expect(Math.abs(v - [230, 120, 30][c])).toBeLessThanOrEqual(tol));
      at(35, 15).forEach((v, c) => expect(Math.abs(v - [20, 150, 160][c])).toBeLessThanOrEqual(tol));
    });
  }

  it('refuses formats outside the supported list with UnsupportedFormatError', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expect(readImage(svg)).rejects.toThrow(UnsupportedFormatError);
    await expect(readImage(svg)).rejects.toThrow(/<buffer>: svg images are not supported/);
  });
});

describe('resizing and channels', () => {
  it('resizes to 28x28 grayscale with each fit', async () => {
    const src = Buffer.alloc(100 * 50 * 3, 200);
    const png = await sharp(src, { raw: { width: 100, height: 50, channels: 3 } }).png().toBuffer();
    for (const fit of ['cover', 'contain', 'fill'] as const) {
      const im = await readImage(png, { width: 28, height: 28, channels: 1, fit });
      expect(im).toMatchObject({ width: 28, height: 28, channels: 1 });
      expect(im.data.length).toBe(784);
      // contain letterboxes a 2:1 image: top row is black padding, the middle is the image.
      const top = im.data[14];
      const mid = im.data[14 * 28 + 14];
      expect(mid).toBeCloseTo(200 / 255, 1);
      if (fit === 'contain') expect(top).toBe(0);
      else expect(top).toBeCloseTo(200 / 255, 1);
    }
  });

  it('keeps the aspect ratio when only the width is given', async () => {
    const png = await sharp({ create: { width: 60, height: 30, channels: 3, background: '#808080' } }).png().toBuffer();
    expect(await readImage(png, { width: 20 })).toMatchObject({ width: 20, height: 10, channels: 3 });
  });

  it('converts RGB to gray (luminance) and gray to RGB', async () => {
    const red = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const g = await readImage(red, { channels: 1 });
    expect(g.channels).toBe(1);
    // libvips' b-w is luminance re-encoded with the sRGB curve: pure red (Y = 0.2126) gives 0.498.
    expect(g.data[0]).toBeCloseTo(127 / 255, 2);
    const grayPng = await sharp(Buffer.alloc(16, 90), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    expect((await readImage(grayPng)).channels).toBe(1);
    const rgb = await readImage(grayPng, { channels: 3 });
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.data.slice(0, 3)).map((v) => Math.round(v * 255))).toEqual([90, 90, 90]);
  });

  it('flattens transparency onto black by default, or white', async () => {
    const rgba = Buffer.from([255, 255, 255, 255, 255, 255, 255, 0]); // opaque white, transparent white
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const onBlack = await readImage(png);
    expect(onBlack.channels).toBe(3);
    expect(Array.from(onBlack.data)).toEqual([1, 1, 1, 0, 0, 0]);
    const grayAlpha = await sharp(Buffer.from([200, 255, 200, 0]), { raw: { width: 2, height: 1, channels: 2 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const onWhite = await readImage(grayAlpha, { background: 'white' });
    expect(onWhite.channels).toBe(1);
    expect(Array.from(onWhite.data).map((v) => Math.round(v * 255))).toEqual([200, 255]);
  });

  it('reads 16-bit PNGs as 8-bit values', async () => {
    const png16 = await sharp(Buffer.from([0, 64, 128, 255]), { raw: { width: 4, height: 1, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const im = await readImage(png16);
    expect(Array.from(im.data).map((v) => Math.round(v * 255))).toEqual([0, 64, 128, 255]);
  });
});

describe('bad input', () => {
  it('refuses a truncated PNG with DecodeError naming the file', async () => {
    const png = await sharp(Buffer.from(bytes(64 * 64 * 3, 1)), { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
    const file = join(dir, 'truncated.png');
    await writeFile(file, png.subarray(0, Math.floor(png.length / 2)));
    const err = await readImage(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe('LK_DECODE');
    expect((err as DecodeError).file).toBe(file);
    expect((err as Error).message).toContain(file);
  });

  it('refuses a text file renamed .png with DecodeError naming the file', async () => {
    const file = join(dir, 'notes.png');
    await writeFile(file, 'this is not an image\n'.repeat(10));
    await expect(readImage(file)).rejects.toThrow(DecodeError);
    await expect(readImage(file)).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a recognised image`));
  });

  it('names <buffer> for bytes', async () => {
    await expect(readImage(new TextEncoder().encode('GIF89a but no'))).rejects.toThrow(/<buffer>/);
  });

  it('refuses a huge-dimension header before decoding, with InputTooLargeError', async () => {
    const file = join(dir, 'huge.png');
    await writeFile(file, pngHeaderOnly(100_000, 100_000));
    const err = await readImage(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputTooLargeError);
    expect((err as Error).message).toContain(file);
    // 8000 x 8000 = 64 MP is within libvips' own limit but above our 50 MP default.
    await expect(readImage(pngHeaderOnly(8000, 8000))).rejects.toThrow(InputTooLargeError);
  });

  it('applies maxPixels to the source and to the requested output', async () => {
    const png = await sharp({ create: { width: 28, height: 28, channels: 3, background: '#000' } }).png().toBuffer();
    await expect(readImage(png, { maxPixels: 700 })).rejects.toThrow(InputTooLargeError);
    await expect(readImage(png, { width: 1000, height: 1000, maxPixels: 100_000 })).rejects.toThrow(InputTooLargeError);
  });

  it('refuses missing and empty files, and bad options', async () => {
    await expect(readImage(join(dir, 'nope.png'))).rejects.toThrow(/nope\.png: cannot read image \(file does not exist\)/);
    const empty = join(dir, 'empty.png');
    await writeFile(empty, '');
    await expect(readImage(empty)).rejects.toThrow(EmptyInputError);
    await expect(readImage(new Uint8Array(0))).rejects.toThrow(EmptyInputError);
    await expect(readImage(empty, { width: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(readImage(empty, { channels: 2 as 1 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('readImages', () => {
  it('keeps input order and fails with the bad file named', async () => {
    const files: string[] = [];
    for (let i = 0; i < 6; i++) {
      const f = join(dir, `order-${i}.png`);
      await writeFile(f, await sharp(Buffer.alloc(4, i * 40), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer());
      files.push(f);
    }
    const ims = await readImages(files, { concurrency: 2 });
    expect(ims.map((im) => Math.round(im.data[0] * 255))).toEqual([0, 40, 80, 120, 160, 200]);
    const bad = join(dir, 'bad.png');
    await writeFile(bad, 'nope');
    await expect(readImages([...files, bad])).rejects.toThrow(/bad\.png/);
  });
});
