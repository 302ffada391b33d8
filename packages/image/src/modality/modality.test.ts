import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DecodeError, InputLimitError, initEngine, isModalityDescriptor, loadModel } from '@latentkit/core';
import { syntheticGlyphs } from '../datasets/synthetic.js';
import { encodePng, writePng } from '../io/write-image.js';
import { imageModality } from './descriptor.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-image-modality-'));
  await initEngine();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imageModality', () => {
  it('is a descriptor whose codec reads any image at the model\'s input shape and writes PNGs', async () => {
    expect(isModalityDescriptor(imageModality)).toBe(true);
    const { images } = await syntheticGlyphs({ count: 2, seed: 3 });
    const png = await encodePng(images[0]);
    const config = { kind: 'image/conv-ae', version: 1, modality: 'image', inputShape: [14, 14, 1] };
    const [small] = await imageModality.codec.decode(png, { config, name: 'glyph.png' });
    expect([small.height, small.width, small.channels]).toEqual([14, 14, 1]);
    const [file] = await imageModality.codec.encode([small]);
    expect(file.extension).toBe('.png');
    expect([...file.bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const grid = await imageModality.codec.overview!([{ label: 'in', items: images }]);
    expect(grid.bytes.length).toBeGreaterThan(100);
    expect(imageModality.codec.distance!.between(images[0], images[0])).toBe(0);
    await expect(imageModality.codec.decode(new TextEncoder().encode('not an image'), { name: 'broken.png' })).rejects.toThrow(/broken\.png/);
    await expect(imageModality.codec.decode(new TextEncoder().encode('not an image'), { name: 'broken.png' })).rejects.toBeInstanceOf(DecodeError);
  });

  it('refuses an image past limits.maxPixels from its header, before decoding pixels', async () => {
    const big = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
    const config = { kind: 'image/conv-ae', version: 1, modality: 'image', inputShape: [28, 28, 1] };
    const err = await imageModality.codec.decode(big, { config, name: 'big.png', limits: { maxPixels: 1_000_000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputLimitError);
    expect(err).toMatchObject({ limit: 'maxPixels', max: 1_000_000, actual: 1_200_000 });
    // Cut after the header: decoding would fail, so a limit error shows the header alone decided.
    const cut = await imageModality.codec.decode(new Uint8Array(big.subarray(0, 64)), { config, name: 'cut.png', limits: { maxPixels: 1_000_000 } }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(InputLimitError);
    const [ok] = await imageModality.codec.decode(big, { config, limits: { maxPixels: 1_200_000 } });
    expect(ok.width).toBe(28);
  });

  it('recognises a class folder, reads its labels, and its default recipe trains a model loadModel finds again', async () => {
    const { images, labels, classNames } = await syntheticGlyphs({ count: 12, seed: 4 });
    for (let i = 0; i < images.length; i++) {
      await mkdir(join(dir, 'folder', classNames[labels[i]]), { recursive: true });
      await writePng(join(dir, 'folder', classNames[labels[i]], `${i}.png`), images[i]);
    }
    const mnist = imageModality.datasets.find((l) => l.name === 'mnist')!;
    const folder = imageModality.datasets.find((l) => l.name === 'image-folder')!;
    expect(await mnist.detect(join(dir, 'folder'))).toBe(false);
    expect(await folder.detect(join(dir, 'folder'))).toBe(true);
    const data = await folder.load(join(dir, 'folder'));
    expect(data.samples).toHaveLength(12);
    expect(data.labels.class.names).toEqual([...new Set(Array.from(labels, (l) => classNames[l]))].sort());
    const recipe = imageModality.recipes[0];
    expect(recipe.name).toBe('default');
    await expect(recipe.train(data, { settings: { arch: 'gan' } })).rejects.toThrow(/arch/);
    const { model, history } = await recipe.train(data, { settings: { arch: 'dense', 'latent-dim': 3 }, fit: { epochs: 2, batchSize: 4 } });
    expect(history.epochs).toEqual([1, 2]);
    expect(model.config.kind).toBe('image/dense-ae');
    await model.save(join(dir, 'model'));
    model.dispose();
    const loaded = await loadModel(join(dir, 'model'));
    expect(loaded.config.latentDim).toBe(3);
    loaded.dispose();
  });
});
