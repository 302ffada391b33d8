import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, initEngine } from '@latentkit/core';
import { syntheticGlyphs } from '../datasets/synthetic.js';
import type { FloatImage } from '../io/float-image.js';
import { mse } from '../metrics/image-metrics.js';
import { createDenoisingAutoencoder } from './conv-ae.js';
import { corrupt } from './corruption.js';
import { DenseImageAutoencoder } from './dense-ae.js';

let train: FloatImage[];
let test: FloatImage[];

beforeAll(async () => {
  await initEngine();
  const set = (await syntheticGlyphs({ count: 560, size: 16, seed: 11, style: 'strokes' })).images;
  train = set.slice(0, 480);
  test = set.slice(480);
});

function gray(values: number[]): FloatImage {
  return { data: Float32Array.from(values), width: values.length, height: 1, channels: 1 };
}

describe('corrupt', () => {
  const half = gray(Array.from({ length: 20000 }, () => 0.5));

  it('gaussian noise has the asked standard deviation (before clipping) and stays in [0, 1]', () => {
    const [n] = corrupt([half], { type: 'gaussian', amount: 0.1 }, 1);
    let s = 0;
    let s2 = 0;
    for (const v of n.data) {
      s += v - 0.5;
      s2 += (v - 0.5) ** 2;
    }
    const m = s / n.data.length;
    expect(Math.abs(m)).toBeLessThan(0.005);
    expect(Math.sqrt(s2 / n.data.length - m * m)).toBeCloseTo(0.1, 2);
    const [big] = corrupt([half], { type: 'gaussian', amount: 2 }, 1);
    expect(Math.min(...big.data)).toBe(0);
    expect(Math.max(...big.data)).toBe(1);
  });

  it('mask zeroes about `amount` of the values; salt-and-pepper sets them to 0 or 1 evenly', () => {
    const [m] = corrupt([half], { type: 'mask', amount: 0.3 }, 2);
    const zeros = m.data.filter((v) => v === 0).length / m.data.length;
    expect(zeros).toBeGreaterThan(0.28);
    expect(zeros).toBeLessThan(0.32);
    expect(m.data.every((v) => v === 0 || v === 0.5)).toBe(true);
    const [sp] = corrupt([half], { type: 'salt-and-pepper', amount: 0.2 }, 3);
    const salt = sp.data.filter((v) => v === 1).length / sp.data.length;
    const pepper = sp.data.filter((v) => v === 0).length / sp.data.length;
    expect(salt).toBeGreaterThan(0.085);
    expect(salt).toBeLessThan(0.115);
    expect(pepper).toBeGreaterThan(0.085);
    expect(pepper).toBeLessThan(0.115);
  });

  it('is repeatable per seed, differs across seeds, and leaves the inputs alone', () => {
    const ims = test.slice(0, 3);
    const copy = ims.map((im) => Float32Array.from(im.data));
    const a = corrupt(ims, { type: 'gaussian', amount: 0.5 }, 7);
    const b = corrupt(ims, { type: 'gaussian', amount: 0.5 }, 7);
    const c = corrupt(ims, { type: 'gaussian', amount: 0.5 }, 8);
    expect(Array.from(a[2].data)).toEqual(Array.from(b[2].data));
    expect(Array.from(a[2].data)).not.toEqual(Array.from(c[2].data));
    ims.forEach((im, i) => expect(Array.from(im.data)).toEqual(Array.from(copy[i])));
    // Image i's noise depends on (seed, i) only.
    expect(Array.from(corrupt(ims.slice(0, 1), { type: 'gaussian', amount: 0.5 }, 7)[0].data)).toEqual(Array.from(a[0].data));
  });

  it('rejects bad corruptions', () => {
    expect(() => corrupt(test, { type: 'gaussian', amount: -1 })).toThrow(InvalidArgumentError);
    expect(() => corrupt(test, { type: 'speckle' as never, amount: 0.1 })).toThrow(InvalidArgumentError);
  });
});

describe('denoising autoencoders', () => {
  it('a conv denoiser trained on gaussian noise cleans noisy test images better than leaving them', async () => {
    const dae = createDenoisingAutoencoder({ inputShape: [16, 16, 1], latentDim: 16, filters: [16, 32] });
    expect(dae.config.corruption).toEqual({ type: 'gaussian', amount: 0.5 });
    await dae.fit(train, { epochs: 6, batchSize: 32, learningRate: 3e-3 });
    const noisy = corrupt(test, { type: 'gaussian', amount: 0.5 }, 1);
    const noisyErr = mse(test, noisy);
    const cleanedErr = mse(test, await dae.denoise(noisy));
    expect(cleanedErr).toBeLessThan(0.75 * noisyErr);
    dae.dispose();
  });

  it('a dense denoiser trained on masking noise fills masked pixels back in', async () => {
    const dae = DenseImageAutoencoder.create({ inputShape: [16, 16, 1], latentDim: 16, hidden: [128], corruption: { type: 'mask', amount: 0.4 } });
    await dae.fit(train, { epochs: 8, batchSize: 32, learningRate: 3e-3 });
    const masked = corrupt(test, { type: 'mask', amount: 0.4 }, 2);
    expect(mse(test, await dae.denoise(masked))).toBeLessThan(mse(test, masked));
    dae.dispose();
  });
});
