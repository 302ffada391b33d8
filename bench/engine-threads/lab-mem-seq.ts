/**
 * @file Lab script (issue #18, session 9): the image benchmark's sequence of fits on MNIST, one
 * epoch each (deep-conv AE, PCA comparison, denoiser from the saved AE, for codes 2, 16 and 32;
 * then the VAE), through the same public recipes, printing memory after each step. Shows where
 * native memory piles up from model to model; run it with and without `MALLOC_ARENA_MAX` set
 * (it does not relaunch itself as `npm run bench` does).
 *
 *   LIMIT=20000 npx tsx --conditions=source bench/engine-threads/lab-mem-seq.ts
 */
import { initEngine, resolveDataDir, type LoadedDataset } from '@latentkit/core';
import { imageModality, trainImageDeepConv, trainImageDenoising, trainImageDefault, compareWithPca, type FloatImage, type LabeledImages } from '@latentkit/image';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetLayout, memoryLine } from '../lib/suite.ts';

await initEngine({});
const limit = Number(process.env.LIMIT ?? 20000);
const mnist = datasetLayout(imageModality, 'mnist');
const dir = join(resolveDataDir(), 'mnist');
const trainData = await mnist.load(dir, { split: 'train', limit });
const asL = (d: LoadedDataset<FloatImage>): LabeledImages => ({ images: d.samples, labels: Uint8Array.from(d.labels.class.values), classNames: [...d.labels.class.names] });
const train = asL(trainData);
const test = asL(await mnist.load(dir, { split: 'test', limit: 2000 }));
const t0 = performance.now();
const log = (s: string) => console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s ${s}`);
log(`loaded: ${memoryLine()}`);
const fit = (seed: number) => ({ epochs: 1, batchSize: 64, learningRate: 1e-3, seed, progressIntervalMs: 0 });
for (const code of [2, 16, 32]) {
  const { model: ae, history } = await trainImageDeepConv(trainData, { settings: { 'latent-dim': code, filters: ['32', '64', '128', '256'], shift: 2 }, fit: fit(1), log: () => {} });
  log(`ae ${code} trained (${history.engineCores ?? ''}, ${Math.round(history.samplesPerSecond)}/s): ${memoryLine()}`);
  await compareWithPca(ae, train, test);
  log(`  pca: ${memoryLine()}`);
  const d = mkdtempSync(join(tmpdir(), 'lkm-'));
  await ae.save(d);
  const dae = (await trainImageDenoising(trainData, { settings: { init: d, noise: 'gaussian:0.5' }, fit: fit(2), log: () => {} })).model;
  rmSync(d, { recursive: true });
  log(`  dae: ${memoryLine()}`);
  ae.dispose();
  dae.dispose();
}
const v = await trainImageDefault(trainData, { settings: { arch: 'vae', 'latent-dim': 16 }, fit: { ...fit(3), validationSplit: 0 }, log: () => {} });
log(`vae (${v.history.engineCores ?? ''}): ${memoryLine()}`);
v.model.dispose();
