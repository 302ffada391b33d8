/**
 * @file Demo, images: a conv autoencoder, a denoising autoencoder and a VAE trained on
 * synthetic digit glyphs (or MNIST with --data); reconstruction, denoising and sample grids,
 * and a PCA scatter plot of the codes coloured by digit.
 */
import { toMatrix } from '@latentkit/core';
import type { FloatImage } from '@latentkit/image';
import { loadImageData } from '../lib/data.js';
import { fitWithBudget, type FitSummary } from '../lib/fit.js';
import { pcaScatter, type DemoContext, type LabelledCodes } from './context.js';
import type { ReportSection } from './report.js';

/** What the image part hands to later parts. */
export interface ImagePartResult {
  section: ReportSection;
  /** Conv-AE codes of the held-out images, labelled by class. */
  codes: LabelledCodes;
  /** VAE codes of the same images (same rows). */
  vaeCodes: LabelledCodes;
}

function mse(a: readonly FloatImage[], b: readonly FloatImage[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[i].data.length; j++) s += (a[i].data[j] - b[i].data[j]) ** 2;
    n += a[i].data.length;
  }
  return s / n;
}

function psnr(m: number): number {
  return 10 * Math.log10(1 / Math.max(m, 1e-12));
}

function trained(s: FitSummary): string {
  return `${s.epochs} epoch(s) in ${s.seconds.toFixed(1)} s${s.stoppedByBudget ? ' (time budget reached)' : ''}`;
}

/** First `n` images, one per class in turn where possible, for grids that show every class. */
function showcase(images: readonly FloatImage[], labels: ArrayLike<number>, n: number): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < images.length; i++) {
    if (!byClass.has(labels[i])) byClass.set(labels[i], []);
    byClass.get(labels[i])!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const out: number[] = [];
  for (let r = 0; out.length < n && r < images.length; r++) {
    for (const c of classes) {
      const list = byClass.get(c)!;
      if (r < list.length && out.length < n) out.push(list[r]);
    }
  }
  return out;
}

/**
 * Runs the image stages and writes `images/*.png`.
 * @param ctx the demo context.
 * @returns the report section and the codes for the cross-modal part.
 */
export async function runImagePart(ctx: DemoContext): Promise<ImagePartResult> {
  const image = await import('@latentkit/image');
  const { plan, out } = ctx;
  const { train, test } = await ctx.stages.run('image: data', 5, async () => {
    const train = await loadImageData(ctx.data, { count: plan.imageTrain, seed: ctx.seed, split: 'train' });
    const test = await loadImageData(ctx.data, { count: plan.imageTest, seed: ctx.seed + 1000, split: 'test' });
    ctx.log(`  ${train.source}; held out: ${test.source}`);
    return { train, test };
  });
  const inputShape: [number, number, number] = [train.images[0].height, train.images[0].width, train.images[0].channels];
  const fitBase = { batchSize: 64, seed: ctx.seed, learningRate: 2e-3 };

  const conv = image.ConvImageAutoencoder.create({ inputShape, latentDim: 16, filters: [16, 32], seed: ctx.seed });
  const denoiser = image.ConvImageAutoencoder.create({ inputShape, latentDim: 32, filters: [16, 32], corruption: { type: 'gaussian', amount: 0.4 }, seed: ctx.seed });
  const vae = image.ImageVAE.create({ inputShape, latentDim: 8, filters: [16, 32], hidden: [128], seed: ctx.seed });
  try {
    const convFit = await ctx.stages.run('image: conv autoencoder', plan.convSeconds + 3, () =>
      fitWithBudget('image conv-ae', conv, train.images, { ...fitBase, epochs: plan.convEpochs }, { ...ctx.progress, budgetSeconds: plan.convSeconds }),
    );
    const denoiseFit = await ctx.stages.run('image: denoising autoencoder', plan.denoiseSeconds + 3, () =>
      fitWithBudget('image denoising-ae', denoiser, train.images, { ...fitBase, batchSize: 32, epochs: plan.denoiseEpochs }, { ...ctx.progress, budgetSeconds: plan.denoiseSeconds }),
    );
    const vaeFit = await ctx.stages.run('image: variational autoencoder', plan.vaeSeconds + 3, () =>
      fitWithBudget('image vae', vae, train.images, { ...fitBase, batchSize: 32, epochs: plan.vaeEpochs }, { ...ctx.progress, budgetSeconds: plan.vaeSeconds }),
    );

    return await ctx.stages.run('image: figures', 10, async () => {
      const pick = showcase(test.images, test.labels, 12);
      const shown = pick.map((i) => test.images[i]);
      const [convRec, vaeRec] = [await conv.reconstruct(test.images), await vae.reconstruct(test.images)];
      const noisy = image.corrupt(test.images, { type: 'gaussian', amount: 0.4 }, ctx.seed + 7);
      const denoised = await denoiser.denoise(noisy);
      const samples = await vae.sample(24, ctx.seed);
      await out.write(
        'images/reconstructions.png',
        await image.makeGrid([
          { label: 'held-out', images: shown },
          { label: 'conv AE', images: pick.map((i) => convRec[i]) },
          { label: 'VAE', images: pick.map((i) => vaeRec[i]) },
        ]),
      );
      await out.write(
        'images/denoising.png',
        await image.makeGrid([
          { label: 'original', images: shown },
          { label: 'noisy', images: pick.map((i) => noisy[i]) },
          { label: 'denoised', images: pick.map((i) => denoised[i]) },
        ]),
      );
      await out.write('images/vae-samples.png', await image.makeGrid([{ label: 'samples', images: samples.slice(0, 12) }, { images: samples.slice(12, 24) }]));
      const convCodes = toMatrix(await conv.encode(test.images));
      const vaeCodes = toMatrix(await vae.encode(test.images));
      const names = test.classNames;
      const labels = Array.from(test.labels);
      const scatter = await pcaScatter(convCodes, labels.map((l) => names[l]), 'conv AE codes of held-out images');
      await out.write('images/latent-scatter.png', scatter.png);

      const [mConv, mVae, mNoisy, mDen] = [mse(test.images, convRec), mse(test.images, vaeRec), mse(test.images, noisy), mse(test.images, denoised)];
      const section: ReportSection = {
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
            src: 'images/latent-scatter.png',
            caption: `Conv-AE codes of the held-out images, projected to 2-D by PCA (${(scatter.explained * 100).toFixed(0)}% of the variance), coloured by class. The model never saw a label.`,
          },
          {
            type: 'table',
            caption: 'Reconstruction quality on held-out images (pixels in [0, 1])',
            header: ['model / input', 'mean squared error', 'PSNR (dB)'],
            rows: [
              ['conv AE reconstruction', mConv, psnr(mConv)],
              ['VAE reconstruction', mVae, psnr(mVae)],
              ['noisy input (σ=0.4)', mNoisy, psnr(mNoisy)],
              ['denoised by the denoising AE', mDen, psnr(mDen)],
            ],
          },
        ],
      };
      const concept = names.length === 10 && names.every((n, i) => n === String(i)) ? 'digit' : 'class';
      return {
        section,
        codes: { name: 'image (conv AE)', codes: convCodes, labels, classNames: names, concept },
        vaeCodes: { name: 'image (VAE)', codes: vaeCodes, labels, classNames: names, concept },
      };
    });
  } finally {
    conv.dispose();
    denoiser.dispose();
    vae.dispose();
  }
}
