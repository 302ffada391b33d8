import { beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError, InvalidArgumentError, initEngine } from '@latentkit/core';
import { syntheticGlyphs } from '../datasets/synthetic.js';
import type { LabeledImages } from '../datasets/idx.js';
import { ConvImageAutoencoder } from '../models/conv-ae.js';
import { mse } from './image-metrics.js';
import { compareWithPca, pcaReconstructImages } from './pca-comparison.js';

let train: LabeledImages;
let test: LabeledImages;

function slice(set: LabeledImages, from: number, to: number): LabeledImages {
  return { images: set.images.slice(from, to), labels: set.labels.slice(from, to), classNames: set.classNames };
}

beforeAll(async () => {
  await initEngine();
  const all = await syntheticGlyphs({ count: 900, size: 16, seed: 21, style: 'strokes' });
  train = slice(all, 0, 700);
  test = slice(all, 700, 900);
});

describe('compareWithPca', () => {
  it('a conv autoencoder beats PCA at the same code size on held-out synthetic glyphs', async () => {
    const ae = ConvImageAutoencoder.create({ inputShape: [16, 16, 1], latentDim: 8, filters: [16, 32] });
    await ae.fit(train.images, { epochs: 16, batchSize: 32, learningRate: 5e-3 });
    const cmp = await compareWithPca(ae, train, test);
    expect(cmp.codeSize).toBe(8);
    expect(cmp.autoencoder.testMse).toBeLessThan(0.9 * cmp.pca.testMse);
    // The AE's test error is the plain mean over its reconstructions.
    expect(cmp.autoencoder.testMse).toBeCloseTo(mse(test.images, await ae.reconstruct(test.images)), 6);
    expect(cmp.pca.explainedVarianceRatio).toBeGreaterThan(0);
    expect(cmp.pca.explainedVarianceRatio).toBeLessThan(1);
    // Probes ran on both code spaces and beat chance (10 classes) by far.
    expect(cmp.autoencoder.probeAccuracy).toBeGreaterThan(0.3);
    expect(cmp.pca.probeAccuracy).toBeGreaterThan(0.3);
    // pcaReconstructImages gives the images behind the PCA score.
    expect(mse(test.images, pcaReconstructImages(cmp.fittedPca, test.images))).toBeCloseTo(cmp.pca.testMse, 6);
    // The sets are views of one buffer (read in place, not copied); separate copies of the
    // same images score the same to the last bit, and no image was written to.
    const copy = (s: LabeledImages) => ({ ...s, images: s.images.map((im) => ({ ...im, data: im.data.slice() })) });
    const [trainCopy, testCopy] = [copy(train), copy(test)];
    expect(train.images[1].data.buffer).toBe(train.images[0].data.buffer);
    const again = await compareWithPca(ae, trainCopy, testCopy);
    expect(again.pca).toEqual(cmp.pca);
    expect(again.autoencoder).toEqual(cmp.autoencoder);
    train.images.forEach((im, i) => expect(im.data).toEqual(trainCopy.images[i].data));
    ae.dispose();
  });

  it('skips the probe without labels and checks its inputs', async () => {
    const ae = ConvImageAutoencoder.create({ inputShape: [16, 16, 1], latentDim: 3, filters: [4] });
    const cmp = await compareWithPca(ae, { images: train.images.slice(0, 50) }, { images: test.images.slice(0, 10) });
    expect(cmp.autoencoder.probeAccuracy).toBeUndefined();
    expect(cmp.pca.probeAccuracy).toBeUndefined();
    await expect(compareWithPca(ae, { images: [] }, test)).rejects.toBeInstanceOf(EmptyInputError);
    await expect(compareWithPca(ae, { images: train.images.slice(0, 3) }, test)).rejects.toBeInstanceOf(InvalidArgumentError);
    ae.dispose();
  });
});
