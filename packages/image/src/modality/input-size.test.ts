import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, InvalidArgumentError, loadModel } from '@latentkit/core';
import { imageCodec } from './codec.js';
import { embeddedGlyphs, imageFolderLayout } from './datasets.js';
import { fitWithin, parseChannels, parseImageSize } from './input-size.js';
import { trainImageDefault } from './recipes.js';

let dir: string;
/** A w x h RGB image: red left half (its first eighth white), blue right half, a green band across the top quarter. */
async function photo(path: string, w: number, h: number): Promise<void> {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      if (y < h / 4) px[o + 1] = 255;
      else if (x < w / 8) px.fill(255, o, o + 3);
      else if (x < w / 2) px[o] = 255;
      else px[o + 2] = 255;
    }
  }
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
}

beforeAll(async () => {
  await initEngine();
  dir = await mkdtemp(join(tmpdir(), 'lk-image-size-'));
  for (const [cls, n] of [['a', 3], ['b', 3]] as const) {
    await mkdir(join(dir, 'photos', cls), { recursive: true });
    for (let i = 0; i < n; i++) await photo(join(dir, 'photos', cls, `${i}.png`), 96, 48);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--size and --channels', () => {
  it('parse WxH or one number, and refuse anything else with a typed error naming the value', () => {
    expect(parseImageSize('64x48')).toEqual({ width: 64, height: 48 });
    expect(parseImageSize(' 32 ')).toEqual({ width: 32, height: 32 });
    for (const bad of ['0x10', '64x', 'x64', '64x48x3', '-4x4', '5000x10', 'big']) {
      expect(() => parseImageSize(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => parseImageSize('12y4')).toThrow(/"12y4"/);
    expect(parseChannels(3)).toBe(3);
    expect(parseChannels('1')).toBe(1);
    expect(() => parseChannels(2)).toThrow(/1 \(grayscale\) or 3 \(RGB\), got 2/);
    expect(fitWithin(96, 48)).toEqual({ width: 64, height: 32 });
    expect(fitWithin(28, 28)).toEqual({ width: 28, height: 28 });
  });

  it('read a folder at the first image\'s size (at most 64 a side) and colour by default, or as told (cover, centre crop)', async () => {
    const dflt = await imageFolderLayout.load(join(dir, 'photos'));
    expect(dflt.source).toMatch(/read at 64x32 RGB, resized to cover and centre-cropped/);
    expect([dflt.samples[0].width, dflt.samples[0].height, dflt.samples[0].channels]).toEqual([64, 32, 3]);
    const told = await imageFolderLayout.load(join(dir, 'photos'), { settings: { size: '24x24', channels: 1 } });
    const im = told.samples[0];
    expect([im.width, im.height, im.channels]).toEqual([24, 24, 1]);
    // Cover + centre crop of 96x48 into 24x24 keeps the middle 48x48: the green band still spans
    // the top quarter (not letterboxed), the white strip at the far left is cut off (not
    // stretched), and the crop's edges are the red and blue halves (sharp's luminance ~0.5 and ~0.3).
    const at = (x: number, y: number) => im.data[y * 24 + x];
    expect(at(12, 1)).toBeGreaterThan(0.6);
    expect(at(0, 20)).toBeCloseTo(0.5, 1);
    expect(at(23, 20)).toBeCloseTo(0.3, 1);
    await expect(imageFolderLayout.load(join(dir, 'photos'), { settings: { size: 'huge' } })).rejects.toThrow(InvalidArgumentError);
    await expect(imageFolderLayout.load(join(dir, 'photos'), { settings: { channels: 4 } })).rejects.toThrow(/--channels/);
    await expect(embeddedGlyphs.load({ limit: 2, settings: { size: '32x32' } })).rejects.toThrow(/does not apply to the embedded glyphs: its images are 28x28/);
    await expect(embeddedGlyphs.load({ limit: 2, settings: { size: '28x28', channels: 1 } })).resolves.toBeDefined();
  });

  it('are recorded in the model config, and encode/reconstruct read files exactly as training did', async () => {
    const data = await imageFolderLayout.load(join(dir, 'photos'), { settings: { size: '20x12', channels: 3 } });
    const { model } = await trainImageDefault(data, { settings: { arch: 'dense', 'latent-dim': 2 }, fit: { epochs: 1, batchSize: 6 } });
    expect(model.config.inputShape).toEqual([12, 20, 3]);
    expect(model.config.input).toEqual({ fit: 'cover', background: 'black' });
    await model.save(join(dir, 'model'));
    model.dispose();
    const loaded = await loadModel(join(dir, 'model'));
    try {
      expect(loaded.config.inputShape).toEqual([12, 20, 3]);
      expect(loaded.config.input).toEqual({ fit: 'cover', background: 'black' });
      const bytes = await sharp(join(dir, 'photos', 'a', '0.png')).toBuffer();
      const [read] = await imageCodec.decode(bytes, { config: loaded.config, name: '0.png' });
      expect([read.width, read.height, read.channels]).toEqual([20, 12, 3]);
      expect(Array.from(read.data)).toEqual(Array.from(data.samples[0].data));
      // A config that records another policy is read that way (here: stretched, not cropped).
      const [stretched] = await imageCodec.decode(bytes, { config: { ...loaded.config, input: { fit: 'fill', background: 'black' } } });
      expect(Array.from(stretched.data)).not.toEqual(Array.from(read.data));
    } finally {
      loaded.dispose();
    }
  });
});
