/**
 * @file Image reconstruction and denoising grids: a conv autoencoder and a denoising conv
 * autoencoder trained on synthetic digit glyphs (or MNIST with --data), written as PNGs to
 * out/examples/.
 *
 * Run: npx tsx --conditions=source examples/image-grids.ts [--data ../shared/data/mnist] [--epochs 8]
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine, writeFileAtomic } from '@latentkit/core';
import { ConvImageAutoencoder, corrupt, loadMnist, makeGrid, syntheticGlyphs, type FloatImage } from '@latentkit/image';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    epochs: { type: 'string', default: '8' },
    count: { type: 'string', default: '3000' },
    out: { type: 'string', default: 'out/examples' },
  },
});
const count = Number(values.count);
const epochs = Number(values.epochs);
const outDir = resolve(values.out!);

await initEngine();
const train = values.data ? await loadMnist(values.data, 'train', { limit: count }) : await syntheticGlyphs({ count, seed: 1 });
const test = values.data ? await loadMnist(values.data, 'test', { limit: 16 }) : await syntheticGlyphs({ count: 16, seed: 2 });
console.log(`${values.data ? `MNIST from ${values.data}` : 'synthetic glyphs'}: ${train.images.length} training images, 16 held out`);

const ae = ConvImageAutoencoder.create({ latentDim: 16, filters: [16, 32] });
const denoiser = ConvImageAutoencoder.create({ latentDim: 32, filters: [16, 32], corruption: { type: 'gaussian', amount: 0.4 } });
const log = (name: string) => (e: { type: string; epoch?: number; loss?: number; seconds?: number }) => {
  if (e.type === 'epoch') console.log(`${name}: epoch ${e.epoch}/${epochs} loss ${e.loss!.toFixed(4)} (${e.seconds!.toFixed(1)} s)`);
};
await ae.fit(train.images, { epochs, batchSize: 64, learningRate: 2e-3, onProgress: log('conv AE') });
await denoiser.fit(train.images, { epochs, batchSize: 64, learningRate: 2e-3, onProgress: log('denoising AE') });

const recon = await ae.reconstruct(test.images);
const noisy = corrupt(test.images, { type: 'gaussian', amount: 0.4 }, 7);
const cleaned = await denoiser.denoise(noisy);
const mse = (a: FloatImage[], b: FloatImage[]) => a.reduce((s, im, i) => s + im.data.reduce((t, v, j) => t + (v - b[i].data[j]) ** 2, 0) / im.data.length, 0) / a.length;

await mkdir(outDir, { recursive: true });
await writeFileAtomic(resolve(outDir, 'reconstruction-grid.png'), await makeGrid([
  { label: 'original', images: test.images },
  { label: 'reconstructed', images: recon },
]));
await writeFileAtomic(resolve(outDir, 'denoising-grid.png'), await makeGrid([
  { label: 'original', images: test.images },
  { label: 'noisy', images: noisy },
  { label: 'denoised', images: cleaned },
]));
console.log(`mean squared error on held-out images: reconstruction ${mse(test.images, recon).toFixed(4)}, noisy ${mse(test.images, noisy).toFixed(4)}, denoised ${mse(test.images, cleaned).toFixed(4)}`);
console.log(`wrote ${resolve(outDir, 'reconstruction-grid.png')} and ${resolve(outDir, 'denoising-grid.png')}`);
ae.dispose();
denoiser.dispose();
