/**
 * @file Is the autoencoder worth it? Compares a trained image autoencoder with PCA at the same
 * code size (core's PCA): reconstruction error on the training and test sets, and how
 * linearly separable the classes are in each code space (core's linear probe, trained on the
 * training codes and scored on the test codes).
 */
import { EmptyInputError, InvalidArgumentError, linearProbe, PCA, ShapeMismatchError, type Matrix } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import type { ImageAutoencoder, ImageModelConfig } from '../models/image-autoencoder.js';

/** Images with optional class labels (a `LabeledImages` fits). */
export interface ImageSet {
  images: readonly FloatImage[];
  /** `labels[i]` is the class of `images[i]`; without labels on both sets there is no probe. */
  labels?: ArrayLike<number>;
}

/** Options of {@link compareWithPca}. */
export interface PcaComparisonOptions {
  /**
   * Use at most this many training images (PCA fit, probe training, training error).
   * @default all
   */
  maxTrainSamples?: number;
  /** Images per forward pass of the autoencoder. @default 500 */
  batchSize?: number;
  /** Run the linear probes (when both sets have labels). @default true */
  probe?: boolean;
}

/** Scores of one method in a {@link PcaComparison}. */
export interface MethodScores {
  /** Mean squared reconstruction error over the training images used. */
  trainMse: number;
  /** Mean squared reconstruction error over the test images. */
  testMse: number;
  /** Test accuracy of a linear probe trained on the training codes (undefined without labels). */
  probeAccuracy?: number;
}

/** What {@link compareWithPca} returns. */
export interface PcaComparison {
  /** The shared code size. */
  codeSize: number;
  autoencoder: MethodScores;
  pca: MethodScores & {
    /** Share of the training variance the PCA components keep. */
    explainedVarianceRatio: number;
  };
  /** The PCA fitted on the training images (to reconstruct more images, see {@link pcaReconstructImages}). */
  fittedPca: PCA;
}

/**
 * The images as one read-only row matrix. Images that are consecutive views of one buffer (as
 * every dataset reader and `tensorToImages` make them) are viewed in place: copying MNIST's
 * training set was a second 188 MB matrix, the image benchmark's peak of memory.
 */
function toRows(images: readonly FloatImage[], what: string): Matrix {
  if (images.length === 0) throw new EmptyInputError(`${what} has no images.`);
  const d = images[0].data.length;
  images.forEach((im, i) => {
    if (im.data.length !== d) throw new ShapeMismatchError(`${what}[${i}] has ${im.data.length} values; ${what}[0] has ${d}.`);
  });
  const first = images[0].data;
  const inPlace = images.every((im, i) => im.data.buffer === first.buffer && im.data.byteOffset === first.byteOffset + i * d * 4);
  if (inPlace) return { data: new Float32Array(first.buffer, first.byteOffset, images.length * d), rows: images.length, cols: d };
  const data = new Float32Array(images.length * d);
  images.forEach((im, i) => data.set(im.data, i * d));
  return { data, rows: images.length, cols: d };
}

/**
 * Mean squared error of PCA's reconstructions of `codes` against `images`, clipped to [0, 1] like
 * every decoder's output. Reconstructs 1,024 rows at a time: the whole MNIST training set at
 * once was a second 188 MB matrix, and the image benchmark's peak of memory.
 */
function pcaClippedMse(pca: PCA, codes: Matrix, images: readonly FloatImage[]): number {
  const k = codes.cols;
  const d = pca.nFeatures;
  const rows = 1024;
  let s = 0;
  for (let r0 = 0; r0 < codes.rows; r0 += rows) {
    const n = Math.min(rows, codes.rows - r0);
    const recon = pca.inverseTransform({ data: codes.data.subarray(r0 * k, (r0 + n) * k), rows: n, cols: k });
    for (let i = 0; i < n; i++) {
      const x = images[r0 + i].data;
      for (let j = 0; j < d; j++) {
        const r = recon.data[i * d + j];
        const v = r > 0 ? (r < 1 ? r : 1) : 0;
        s += (v - x[j]) ** 2;
      }
    }
  }
  return s / (codes.rows * d);
}

/**
 * Fits PCA on the training images and scores it. The images' row matrices live only here, so
 * they can be collected before the autoencoder encodes the sets.
 */
async function fitAndScorePca(
  trainImages: readonly FloatImage[],
  testImages: readonly FloatImage[],
  k: number,
): Promise<{ pca: PCA; scores: PcaComparison['pca']; trainCodes: Matrix; testCodes: Matrix }> {
  const trainRows = toRows(trainImages, 'train.images');
  const pca = await PCA.fit(trainRows, k);
  const trainCodes = pca.transform(trainRows);
  const testCodes = pca.transform(toRows(testImages, 'test.images'));
  const scores: PcaComparison['pca'] = {
    trainMse: pcaClippedMse(pca, trainCodes, trainImages),
    testMse: pcaClippedMse(pca, testCodes, testImages),
    explainedVarianceRatio: pca.explainedVarianceRatio.reduce((a, b) => a + b, 0),
  };
  return { pca, scores, trainCodes, testCodes };
}

/**
 * Reconstructs images through a fitted PCA (project, map back, clip to [0, 1]).
 *
 * @param pca a PCA fitted on images of this size (e.g. {@link PcaComparison.fittedPca}).
 * @param images images of one size.
 * @returns one reconstruction per image.
 * @throws {ShapeMismatchError} when the images do not have the PCA's number of values.
 * @example
 * ```ts
 * const pcaRows = pcaReconstructImages(cmp.fittedPca, shown);
 * ```
 */
export function pcaReconstructImages(pca: PCA, images: readonly FloatImage[]): FloatImage[] {
  if (images.length === 0) return [];
  const rec = pca.inverseTransform(pca.transform(toRows(images, 'images')));
  const d = rec.cols;
  return images.map((im, i) => {
    const data = rec.data.slice(i * d, (i + 1) * d);
    for (let j = 0; j < d; j++) data[j] = data[j] > 0 ? (data[j] < 1 ? data[j] : 1) : 0;
    return { data, width: im.width, height: im.height, channels: im.channels };
  });
}

/** Encodes a set in chunks; returns codes and the mean squared reconstruction error. */
async function encodeAndScore(model: ImageAutoencoder<ImageModelConfig>, images: readonly FloatImage[], batchSize: number): Promise<{ codes: Matrix; mse: number }> {
  const k = model.config.latentDim;
  const codes = new Float32Array(images.length * k);
  let s = 0;
  let n = 0;
  for (let start = 0; start < images.length; start += batchSize) {
    const chunk = images.slice(start, start + batchSize);
    const latents = await model.encode(chunk, { batchSize });
    latents.forEach((l, i) => codes.set(l.data, (start + i) * k));
    const out = await model.decode(latents, { batchSize });
    out.forEach((o, i) => {
      const x = chunk[i].data;
      for (let j = 0; j < x.length; j++) s += (o.data[j] - x[j]) ** 2;
      n += x.length;
    });
  }
  return { codes: { data: codes, rows: images.length, cols: k }, mse: s / n };
}

/**
 * Compares a trained image autoencoder with PCA at the same code size: fits PCA on the
 * training images, then scores both on reconstruction error (training and test) and, when
 * both sets carry labels, on the test accuracy of a linear probe trained on training codes.
 * PCA's reconstructions are clipped to [0, 1] like the decoders' (which only helps PCA).
 *
 * @param model a trained image autoencoder (any of this package's kinds).
 * @param train the training images (and labels), the ones the model was trained on.
 * @param test held-out images (and labels).
 * @param options sample limit, batch size, whether to probe.
 * @returns the scores of both methods and the fitted PCA.
 * @throws {EmptyInputError} when a set is empty.
 * @throws {InvalidArgumentError} for a bad option, or fewer training images than the code size.
 * @throws {ShapeMismatchError} when images do not fit the model, or labels do not match the images.
 * @example
 * ```ts
 * const cmp = await compareWithPca(ae, mnistTrain, mnistTest);
 * cmp.autoencoder.testMse / cmp.pca.testMse; // e.g. 0.35
 * ```
 */
export async function compareWithPca(
  model: ImageAutoencoder<ImageModelConfig>,
  train: ImageSet,
  test: ImageSet,
  options: PcaComparisonOptions = {},
): Promise<PcaComparison> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}.`);
  if (train.images.length === 0) throw new EmptyInputError("compareWithPca: the training set has no images.");
  const limit = options.maxTrainSamples ?? train.images.length;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgumentError(`maxTrainSamples must be a positive integer, got ${limit}.`);
  const trainImages = train.images.slice(0, limit);
  const k = model.config.latentDim;
  if (trainImages.length === 0) throw new EmptyInputError('compareWithPca: the training set has no images.');
  if (test.images.length === 0) throw new EmptyInputError('compareWithPca: the test set has no images.');
  if (trainImages.length <= k) {
    throw new InvalidArgumentError(`compareWithPca needs more training images (${trainImages.length}) than the code size (${k}).`);
  }
  for (const [name, set, n] of [['train', train, trainImages.length], ['test', test, test.images.length]] as const) {
    if (set.labels && set.labels.length < n) {
      throw new ShapeMismatchError(`compareWithPca: ${name} has ${set.labels.length} labels for ${n} images.`);
    }
  }

  const { pca, scores: pcaScores, trainCodes: pcaTrainCodes, testCodes: pcaTestCodes } = await fitAndScorePca(trainImages, test.images, k);

  const aeTrain = await encodeAndScore(model, trainImages, batchSize);
  const aeTest = await encodeAndScore(model, test.images, batchSize);
  const aeScores: MethodScores = { trainMse: aeTrain.mse, testMse: aeTest.mse };

  if ((options.probe ?? true) && train.labels && test.labels) {
    const yTrain = Array.from(train.labels).slice(0, trainImages.length);
    const yTest = Array.from(test.labels).slice(0, test.images.length);
    aeScores.probeAccuracy = (await linearProbe(aeTrain.codes, yTrain, aeTest.codes, yTest)).accuracy;
    pcaScores.probeAccuracy = (await linearProbe(pcaTrainCodes, yTrain, pcaTestCodes, yTest)).accuracy;
  }
  return { codeSize: k, autoencoder: aeScores, pca: pcaScores, fittedPca: pca };
}
