import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, initEngine, tf } from '@latentkit/core';
import { syntheticGlyphs } from '../datasets/synthetic.js';
import type { FloatImage } from '../io/float-image.js';
import { mse } from '../metrics/image-metrics.js';
import { ImageVAE } from './vae.js';

let images: FloatImage[];
let vae: ImageVAE;
let history: Awaited<ReturnType<ImageVAE['fit']>>;

beforeAll(async () => {
  await initEngine();
  images = (await syntheticGlyphs({ count: 320, size: 16, seed: 5, style: 'strokes' })).images;
  vae = ImageVAE.create({ inputShape: [16, 16, 1], latentDim: 4, filters: [8, 16], hidden: [64] });
  history = await vae.fit(images, { epochs: 4, batchSize: 32, learningRate: 3e-3 });
});

describe('ImageVAE', () => {
  it('reports recon and kl per epoch, and the loss is recon + beta * kl', () => {
    expect(history.metrics).toHaveLength(4);
    for (const m of history.metrics) {
      expect(m.recon).toBeGreaterThan(0);
      expect(m.kl).toBeGreaterThanOrEqual(0);
    }
    const last = history.metrics[3];
    expect(history.loss[3]).toBeCloseTo(last.recon + last.kl, 3);
    expect(history.metrics[3].recon).toBeLessThan(history.metrics[0].recon);
  });

  it('samples have the model shape, values in [0, 1], and repeat per seed', async () => {
    const a = await vae.sample(5, 42);
    expect(a).toHaveLength(5);
    for (const im of a) {
      expect([im.height, im.width, im.channels]).toEqual([16, 16, 1]);
      expect(Math.min(...im.data)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...im.data)).toBeLessThanOrEqual(1);
    }
    const b = await vae.sample(5, 42);
    expect(Array.from(b[4].data)).toEqual(Array.from(a[4].data));
    const c = await vae.sample(5, 43);
    expect(mse(a, c)).toBeGreaterThan(0);
    await expect(vae.sample(0)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('interpolate gives `steps` images whose ends are the decoded endpoints', async () => {
    const [a, b] = [images[0], images[1]];
    const morph = await vae.interpolate(a, b, 7);
    expect(morph).toHaveLength(7);
    const [ra, rb] = await vae.reconstruct([a, b]);
    expect(mse(morph[0], ra)).toBeLessThan(1e-10);
    expect(mse(morph[6], rb)).toBeLessThan(1e-10);
    // The middle differs from both ends.
    expect(mse(morph[3], ra)).toBeGreaterThan(1e-6);
    expect(mse(morph[3], rb)).toBeGreaterThan(1e-6);
    await expect(vae.interpolate(a, b, 1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('encode returns the posterior mean: repeatable, no sampling', async () => {
    const [x] = await vae.encode([images[2]]);
    const [y] = await vae.encode([images[2]]);
    expect(Array.from(x.data)).toEqual(Array.from(y.data));
    expect(x.shape).toEqual([4]);
  });

  it('beta scales the KL term of the loss', async () => {
    // Same seed, same initial weights: only beta differs.
    const [b0, b2] = [0, 2].map((beta) => ImageVAE.create({ inputShape: [16, 16, 1], latentDim: 4, filters: [8], beta }));
    const ctx = { training: true, seed: 9, epoch: 0, batch: 0 };
    const values = [b0, b2].map((m) => {
      const batch = m.collate(images.slice(0, 8), ctx);
      const out = m.loss(batch, ctx);
      const v = { loss: out.loss.dataSync()[0], recon: out.metrics!.recon.dataSync()[0], kl: out.metrics!.kl.dataSync()[0] };
      tf.dispose([out.loss, ...Object.values(out.metrics!), ...Object.values(batch)]);
      return v;
    });
    expect(values[0].recon).toBeCloseTo(values[1].recon, 4);
    expect(values[0].loss).toBeCloseTo(values[0].recon, 4);
    expect(values[1].kl).toBeGreaterThan(0);
    expect(values[1].loss).toBeCloseTo(values[1].recon + 2 * values[1].kl, 3);
    b0.dispose();
    b2.dispose();
  });
});
