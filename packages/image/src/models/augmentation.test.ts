import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, initEngine, tf } from '@latentkit/core';
import { syntheticGlyphs } from '../datasets/synthetic.js';
import type { FloatImage } from '../io/float-image.js';
import { mse } from '../metrics/image-metrics.js';
import { augment, resolveAugmentation } from './augmentation.js';
import { ConvImageAutoencoder } from './conv-ae.js';
import { DenseImageAutoencoder } from './dense-ae.js';

let train: FloatImage[];
let test: FloatImage[];
let dir: string;

beforeAll(async () => {
  await initEngine();
  const set = (await syntheticGlyphs({ count: 560, size: 16, seed: 21, style: 'strokes' })).images;
  train = set.slice(0, 480);
  test = set.slice(480);
  dir = await mkdtemp(join(tmpdir(), 'lk-augment-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A 5x4 RGB image with distinct values, so every translation is recognisable. */
function ramp(): FloatImage {
  const data = Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => (i + 1) / 64);
  return { data, width: 5, height: 4, channels: 3 };
}

/** The (dx, dy) for which `moved` is `im` translated with zeros shifted in, or null. */
function findShift(im: FloatImage, moved: FloatImage, max: number): [number, number] | null {
  const { width: w, height: h, channels: c } = im;
  for (let dy = -max; dy <= max; dy++) {
    for (let dx = -max; dx <= max; dx++) {
      let ok = true;
      for (let y = 0; y < h && ok; y++) {
        for (let x = 0; x < w && ok; x++) {
          const sx = x - dx;
          const sy = y - dy;
          for (let k = 0; k < c; k++) {
            const want = sx >= 0 && sx < w && sy >= 0 && sy < h ? im.data[(sy * w + sx) * c + k] : 0;
            if (moved.data[(y * w + x) * c + k] !== want) ok = false;
          }
        }
      }
      if (ok) return [dx, dy];
    }
  }
  return null;
}

describe('augment', () => {
  it('translates each image by whole pixels within the range, every offset in reach, channels kept together', () => {
    const im = ramp();
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const [moved] = augment([im], { shift: 1 }, seed);
      const s = findShift(im, moved, 1);
      expect(s).not.toBeNull();
      seen.add(String(s));
    }
    expect(seen.size).toBe(9);
  });

  it('is repeatable per seed, differs across seeds, leaves the inputs alone and keeps sizes', () => {
    const ims = test.slice(0, 6);
    const copy = ims.map((im) => Float32Array.from(im.data));
    const a = augment(ims, { shift: 2 }, 5);
    const b = augment(ims, { shift: 2 }, 5);
    const c = augment(ims, { shift: 2 }, 6);
    expect(a.map((x) => Array.from(x.data))).toEqual(b.map((x) => Array.from(x.data)));
    expect(a.map((x) => Array.from(x.data))).not.toEqual(c.map((x) => Array.from(x.data)));
    ims.forEach((im, i) => {
      expect(Array.from(im.data)).toEqual(Array.from(copy[i]));
      expect([a[i].width, a[i].height, a[i].channels]).toEqual([im.width, im.height, im.channels]);
    });
  });

  it('validates the augmentation and its fit to the image size', () => {
    expect(resolveAugmentation(undefined)).toBeNull();
    expect(resolveAugmentation(null)).toBeNull();
    expect(resolveAugmentation({ shift: 0 })).toBeNull();
    expect(resolveAugmentation({ shift: 3, extra: 1 } as never)).toEqual({ shift: 3 });
    for (const bad of [{ shift: -1 }, { shift: 1.5 }, { shift: '2' }, { shift: 65 }, {}, 'shift']) {
      expect(() => resolveAugmentation(bad as never)).toThrow(InvalidArgumentError);
    }
    // 16x16: a quarter of the side is 4 pixels.
    expect(() => augment(test.slice(0, 1), { shift: 5 })).toThrow(/at most 4/);
    expect(() => ConvImageAutoencoder.create({ inputShape: [16, 16, 1], augment: { shift: 5 } })).toThrow(InvalidArgumentError);
  });
});

describe('models with augment', () => {
  it('translate training batches only, input and target alike, and save the setting', async () => {
    const ae = ConvImageAutoencoder.create({ inputShape: [16, 16, 1], latentDim: 8, filters: [8], augment: { shift: 2 } });
    const ims = test.slice(0, 8);
    const plain = tf.tidy(() => Array.from(ae.collate(ims).x.dataSync()));
    const b = ae.collate(ims, { training: true, seed: 3, epoch: 0, batch: 0 });
    expect(b.target).toBeUndefined();
    const moved = Array.from(b.x.dataSync());
    b.x.dispose();
    expect(moved).not.toEqual(plain);
    const val = ae.collate(ims, { training: false, seed: 3, epoch: 0, batch: 0 });
    expect(Array.from(val.x.dataSync())).toEqual(plain);
    val.x.dispose();

    const dae = ConvImageAutoencoder.create({ inputShape: [16, 16, 1], latentDim: 8, filters: [8], augment: { shift: 2 }, corruption: { type: 'mask', amount: 0.5 } });
    const d = dae.collate(ims, { training: true, seed: 3, epoch: 0, batch: 0 });
    const [x, target] = [d.x.dataSync(), d.target!.dataSync()];
    // The noisy input is the moved target with some pixels zeroed, so the target is moved too.
    expect(Array.from(target)).toEqual(moved);
    expect(Array.from(x).every((v, i) => v === 0 || v === target[i])).toBe(true);
    tf.dispose([d.x, d.target!]);

    await ae.save(join(dir, 'ae'));
    const loaded = await ConvImageAutoencoder.load(join(dir, 'ae'));
    expect(loaded.config.augment).toEqual({ shift: 2 });
    expect(ConvImageAutoencoder.create({ inputShape: [16, 16, 1] }).config.augment).toBeNull();
    [ae, dae, loaded].forEach((m) => m.dispose());
  });

  it('a dense autoencoder trained with shifts rebuilds shifted images better than one trained without', async () => {
    const options = { inputShape: [16, 16, 1] as [number, number, number], latentDim: 16, hidden: [128], seed: 4 };
    const plainAe = DenseImageAutoencoder.create(options);
    const shiftAe = DenseImageAutoencoder.create({ ...options, augment: { shift: 3 } });
    for (const m of [plainAe, shiftAe]) await m.fit(train, { epochs: 12, batchSize: 32, learningRate: 3e-3, seed: 1 });
    const shifted = augment(test, { shift: 3 }, 9);
    const plainErr = mse(shifted, await plainAe.reconstruct(shifted));
    const shiftErr = mse(shifted, await shiftAe.reconstruct(shifted));
    expect(shiftErr).toBeLessThan(0.8 * plainErr); // measured 0.63
    [plainAe, shiftAe].forEach((m) => m.dispose());
  });
});
