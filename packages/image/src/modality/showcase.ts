/**
 * @file The image part of `latentkit demo`: a conv autoencoder, a denoising autoencoder and a
 * VAE trained on synthetic digit glyphs (or MNIST from the data folder); reconstruction,
 * denoising and sample grids, and a PCA scatter plot of the codes coloured by class.
 */
import { describeCollapse, spreadSample, toMatrix, type History, type LabelledCodes, type ModalityShowcase, type ShowcaseContext, type ShowcaseResult } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { makeGrid } from '../io/grid.js';
import { mse, psnr } from '../metrics/image-metrics.js';
import { ConvImageAutoencoder } from '../models/conv-ae.js';
import { corrupt } from '../models/corruption.js';
import { ImageVAE } from '../models/vae.js';
import { embeddedGlyphs, mnistLayout } from './datasets.js';
import { imageTrainingCheck } from './check.js';

/** Sizes and time limits (s): the full demo fits about a minute and a half of image training. */
function plan(quick: boolean, realData: boolean) {
  return quick
    ? { train: 300, test: 100, convEpochs: 2, convSeconds: 4, denoiseEpochs: 1, denoiseSeconds: 3, vaeEpochs: 1, vaeSeconds: 3 }
    : { train: realData ? 6000 : 3000, test: 400, convEpochs: 20, convSeconds: 30, denoiseEpochs: 15, denoiseSeconds: 32, vaeEpochs: 20, vaeSeconds: 37 };
}

function trained(h: History): string {
  return `${h.epochs.length} epoch(s) in ${h.seconds.toFixed(1)} s${h.stoppedByTimeLimit ? ' (time limit reached)' : ''}`;
}

/** Indices of the first `n` images, one per class in turn where possible, so grids show every class. */
function showcaseRows(labels: readonly number[], n: number): number[] {
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const out: number[] = [];
  for (let r = 0; out.length < n && r < labels.length; r++) {
    for (const c of classes) {
      const list = byClass.get(c)!;
      if (r < list.length && out.length < n) out.push(list[r]);
    }
  }
  return out;
}

async function run(ctx: ShowcaseContext): Promise<ShowcaseResult> {
  const p = plan(ctx.quick, ctx.dataDir !== undefined);
  const { train, test } = await ctx.stage('image: data', 5, async () => {
    const load = (limit: number, seed: number, split: 'train' | 'test') =>
      ctx.dataDir !== undefined ? mnistLayout.load(ctx.dataDir, { limit, split }) : embeddedGlyphs.load({ limit, seed });
    const sets = { train: await load(p.train, ctx.seed, 'train'), test: await load(p.test, ctx.seed + 1000, 'test') };
    ctx.log(`  ${sets.train.source}; held out: ${sets.test.source}`);
    return sets;
  });
  const first = train.samples[0];
  const inputShape: [number, number, number] = [first.height, first.width, first.channels];
  const base = { batchSize: 64, seed: ctx.seed, learningRate: 2e-3 };
  const conv = ConvImageAutoencoder.create({ inputShape, latentDim: 16, filters: [16, 32], seed: ctx.seed });
  const denoiser = ConvImageAutoencoder.create({ inputShape, latentDim: 32, filters: [16, 32], corruption: { type: 'gaussian', amount: 0.4 }, seed: ctx.seed });
  const vae = ImageVAE.create({ inputShape, latentDim: 8, filters: [16, 32], hidden: [128], seed: ctx.seed });
  try {
    const convFit = await ctx.stage('image: conv autoencoder', p.convSeconds + 3, () =>
      conv.fit(train.samples, ctx.fit('image conv-ae', { ...base, epochs: p.convEpochs, timeLimitMs: p.convSeconds * 1000 })),
    );
    const denoiseFit = await ctx.stage('image: denoising autoencoder', p.denoiseSeconds + 3, () =>
      denoiser.fit(train.samples, ctx.fit('image denoising-ae', { ...base, batchSize: 32, epochs: p.denoiseEpochs, timeLimitMs: p.denoiseSeconds * 1000 })),
    );
    const vaeFit = await ctx.stage('image: variational autoencoder', p.vaeSeconds + 3, () =>
      vae.fit(train.samples, ctx.fit('image vae', { ...base, batchSize: 32, epochs: p.vaeEpochs, timeLimitMs: p.vaeSeconds * 1000 })),
    );
    return await ctx.stage('image: figures', 10, async () => {
      const images = test.samples;
      const labels = [...test.labels.class.values];
      const names = [...test.labels.class.names];
      const pick = showcaseRows(labels, 12);
      const at = (list: readonly FloatImage[]) => pick.map((i) => list[i]);
      const [convRec, vaeRec] = [await conv.reconstruct(images), await vae.reconstruct(images)];
      const noisy = corrupt(images, { type: 'gaussian', amount: 0.4 }, ctx.seed + 7);
      const denoised = await denoiser.denoise(noisy);
      const samples = await vae.sample(24, ctx.seed);
      await ctx.out.write('images/reconstructions.png', await makeGrid([
        { label: 'held-out', images: at(images) },
        { label: 'conv AE', images: at(convRec) },
        { label: 'VAE', images: at(vaeRec) },
      ]));
      await ctx.out.write('images/denoising.png', await makeGrid([
        { label: 'original', images: at(images) },
        { label: 'noisy', images: at(noisy) },
        { label: 'denoised', images: at(denoised) },
      ]));
      await ctx.out.write('images/vae-samples.png', await makeGrid([{ label: 'samples', images: samples.slice(0, 12) }, { images: samples.slice(12, 24) }]));
      const convCodes = toMatrix(await conv.encode(images));
      const vaeCodes = toMatrix(await vae.encode(images));
      const scatter = await ctx.plotCodes('images/latent-scatter', convCodes, labels.map((l) => names[l]), 'conv AE codes of held-out images');
      const [mConv, mVae, mNoisy, mDen] = [mse(images, convRec), mse(images, vaeRec), mse(images, noisy), mse(images, denoised)];
      const [pConv, pVae, pNoisy, pDen] = [psnr(images, convRec), psnr(images, vaeRec), psnr(images, noisy), psnr(images, denoised)];
      // The same collapse check `latentkit train` runs, on held-out images: a demo model that did not learn says so.
      const checks: string[] = [];
      for (const [name, model] of [['conv AE', conv], ['denoising AE', denoiser], ['VAE', vae]] as const) {
        const line = `${name}: ${describeCollapse(await imageTrainingCheck.run(model, spreadSample(images, 256)))}`;
        checks.push(line);
        ctx.log(`  ${line}`);
      }
      const concept = names.length === 10 && names.every((n, i) => n === String(i)) ? 'digit' : 'class';
      // Saved so that the demo's explorer decodes a clicked code with the model that made it.
      const [convDir, vaeDir] = [await ctx.saveModel('image-conv-ae', conv), await ctx.saveModel('image-vae', vae)];
      const codes = (name: string, m: typeof convCodes, model: string): LabelledCodes => ({ name, codes: m, labels, classNames: names, concept, items: 'held-out images', model });
      return {
        section: {
          id: 'images',
          title: 'Images',
          items: [
            {
              type: 'text',
              text:
                `Trained on ${train.source}; every figure and number below uses ${test.source}, which no model saw in training. ` +
                `Conv AE (16-d code): ${trained(convFit)}. Denoising AE (32-d code, trained against gaussian noise σ=0.4): ${trained(denoiseFit)}. ` +
                `VAE (8-d code): ${trained(vaeFit)}.`,
            },
            { type: 'image', src: 'images/reconstructions.png', caption: 'Held-out images and their reconstructions by the conv autoencoder and the VAE.' },
            { type: 'image', src: 'images/denoising.png', caption: 'Gaussian noise (σ=0.4) added to held-out images, and what the denoising autoencoder makes of it.' },
            { type: 'image', src: 'images/vae-samples.png', caption: 'New images: VAE codes drawn from N(0, I) and decoded.' },
            {
              type: 'image',
              src: scatter.src,
              caption: `Conv-AE codes of the held-out images, projected to 2-D by PCA (${(scatter.explained * 100).toFixed(0)}% of the variance), coloured by class. The model never saw a label.`,
            },
            { type: 'list', items: checks },
            {
              type: 'table',
              caption: 'Reconstruction quality on held-out images (pixels in [0, 1]; PSNR averaged over images)',
              header: ['model / input', 'mean squared error', 'PSNR (dB)'],
              rows: [
                ['conv AE reconstruction', mConv, pConv],
                ['VAE reconstruction', mVae, pVae],
                ['noisy input (σ=0.4)', mNoisy, pNoisy],
                ['denoised by the denoising AE', mDen, pDen],
              ],
            },
          ],
        },
        codes: [codes('image (conv AE)', convCodes, convDir), codes('image (VAE)', vaeCodes, vaeDir)],
      };
    });
  } finally {
    conv.dispose();
    denoiser.dispose();
    vae.dispose();
  }
}

/** The image part of `latentkit demo`. */
export const imageShowcase: ModalityShowcase = { describe: 'conv, denoising and variational autoencoders on digit images', run };
