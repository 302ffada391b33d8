/**
 * @file Image training recipes, public and named: `latentkit train image --recipe <name>` and
 * the image benchmark (bench/suites/image.ts) call these same functions, and the benchmark sets
 * nothing a user cannot set with a flag. Every recipe reads folders at `--size`/`--channels`
 * (input-size.ts), records the read policy in the model config, and, when no `--epochs` is
 * given, trains at least {@link MIN_OPTIMISER_STEPS} optimiser steps (schedule.ts).
 *
 * - `default`: conv (or dense, VAE, denoising) autoencoder, 2 conv stages, 32-d code.
 * - `deep-conv`: the benchmark's conv autoencoder (4 stages, shifted training images, lr 2e-3).
 * - `denoising`: a conv autoencoder trained against noise, optionally fine-tuned from a trained
 *   conv autoencoder (`--init`), as the benchmark's denoiser is.
 */
import {
  fitForRecipe,
  InvalidArgumentError,
  resolveSettings,
  type FitOptions,
  type LoadedDataset,
  type Recipe,
  type RecipeTrainOptions,
  type SettingSpec,
  type TrainedModel,
} from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { ConvImageAutoencoder } from '../models/conv-ae.js';
import { parseCorruption } from '../models/corruption.js';
import { DenseImageAutoencoder } from '../models/dense-ae.js';
import { resolveInputPolicy, type ImageAutoencoder, type ImageInputPolicy, type ImageModelConfig, type ImageShape } from '../models/image-autoencoder.js';
import { ImageVAE } from '../models/vae.js';
import { scaledEpochs } from './schedule.js';

export { MIN_OPTIMISER_STEPS, scaledEpochs } from './schedule.js';

/** What an image recipe hands back: {@link TrainedModel} with the model's own class. */
export type TrainedImageModel<M extends ImageAutoencoder<ImageModelConfig> = ImageAutoencoder<ImageModelConfig>> = Omit<TrainedModel<FloatImage>, 'model'> & { model: M };

/** Architectures of the `default` recipe. */
export const IMAGE_ARCHITECTURES = ['conv', 'dense', 'vae', 'denoising'] as const;

/** `--size` and `--channels`: read by the dataset layouts, shared by every recipe. */
const READ_SETTINGS: readonly SettingSpec[] = [
  { name: 'size', type: 'string', describe: 'WIDTHxHEIGHT folder images are read at (resized to cover, centre-cropped) [default: the first image\'s, at most 64 a side]' },
  { name: 'channels', type: 'number', integer: true, min: 1, max: 3, describe: '1 (grayscale) or 3 (RGB) [default: the first image\'s]' },
];
const LATENT: SettingSpec = { name: 'latent-dim', type: 'number', integer: true, min: 1, max: 65_536, describe: 'code size' };
const FILTERS: SettingSpec = { name: 'filters', type: 'strings', describe: 'filters of each stride-2 conv stage, e.g. --filters 32 64 128' };
const SHIFT: SettingSpec = { name: 'shift', type: 'number', integer: true, min: 0, max: 64, default: 0, describe: 'translate training images by up to this many pixels (augmentation; 2 suits 28x28 digits)' };
const NOISE: SettingSpec = { name: 'noise', type: 'string', default: 'gaussian:0.5', describe: 'corruption the denoising model learns to remove (gaussian:σ, mask:p, salt-and-pepper:p)' };

const DEFAULT_SETTINGS: readonly SettingSpec[] = [
  { name: 'arch', type: 'string', choices: IMAGE_ARCHITECTURES, default: 'conv', describe: 'conv AE, dense AE, VAE, or denoising conv AE' },
  LATENT,
  NOISE,
  SHIFT,
  ...READ_SETTINGS,
];
const DEEP_SETTINGS: readonly SettingSpec[] = [
  { ...LATENT, default: 32 },
  { ...FILTERS, default: ['32', '64', '128', '256'] },
  { ...SHIFT, default: 2 },
  ...READ_SETTINGS,
];
const DENOISING_SETTINGS: readonly SettingSpec[] = [
  { name: 'init', type: 'string', describe: 'conv autoencoder folder to start from (its layout and weights); the denoiser then learns to remove --noise' },
  NOISE,
  LATENT,
  FILTERS,
  ...READ_SETTINGS,
];

/** The shape and read policy of the data's images (the layout's facts, else the first image). */
function shapeOf(data: LoadedDataset<FloatImage>): { inputShape: ImageShape; input: ImageInputPolicy } {
  const first = data.samples[0];
  if (!first) throw new InvalidArgumentError('an image recipe needs at least one image.');
  const facts = data.facts ?? {};
  const input = facts.input && typeof facts.input === 'object' && !Array.isArray(facts.input) ? (facts.input as Partial<ImageInputPolicy>) : undefined;
  return { inputShape: [first.height, first.width, first.channels], input: resolveInputPolicy(input) };
}

function filtersOf(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const list = (value as readonly string[]).map(Number);
  if (list.length === 0 || list.some((f) => !Number.isInteger(f) || f < 1 || f > 4096)) {
    throw new InvalidArgumentError(`--filters must be 1 or more whole numbers between 1 and 4096 (one per conv stage), got ${JSON.stringify(value)}.`);
  }
  return list;
}

/** Fits with the recipe's schedule, epochs raised for small data (and the reason logged). */
async function fitScaled<M extends ImageAutoencoder<ImageModelConfig>>(model: M, data: LoadedDataset<FloatImage>, options: RecipeTrainOptions<FloatImage>, defaults: FitOptions<FloatImage> & { epochs: number }): Promise<TrainedImageModel<M>> {
  const plan = scaledEpochs(data.samples.length, options.fit as FitOptions<unknown> | undefined, defaults as FitOptions<unknown>, defaults.epochs);
  if (plan.note) options.log?.(plan.note);
  const trained = await fitForRecipe(model, data, options, { ...defaults, epochs: plan.epochs });
  return { ...trained, model };
}

/**
 * Trains an image autoencoder the way `latentkit train image` does by default: the model's
 * input is the data's image shape; 10 epochs (more on small data: at least 1000 optimiser
 * steps) of Adam (lr 1e-3, batch 64) with 10% of the images held out for the validation loss,
 * unless `options.fit` says otherwise.
 * @param data images (any {@link LoadedDataset}; labels are not used).
 * @param options settings `arch`, `latent-dim`, `noise`, `shift` (`size`/`channels` are read by the layouts), and schedule overrides.
 * @returns the trained model and its history.
 * @throws {InvalidArgumentError} for a bad setting.
 * @example
 * ```ts
 * const data = await imageModality.embedded!.load({ limit: 2000 });
 * const { model } = await trainImageDefault(data, { settings: { arch: 'vae', 'latent-dim': 8 }, fit: { epochs: 5 } });
 * ```
 */
export async function trainImageDefault(data: LoadedDataset<FloatImage>, options: RecipeTrainOptions<FloatImage> = {}): Promise<TrainedImageModel> {
  const s = resolveSettings(DEFAULT_SETTINGS, options.settings ?? {}, "image recipe 'default' setting");
  const common = {
    ...shapeOf(data),
    ...(s['latent-dim'] !== undefined ? { latentDim: s['latent-dim'] as number } : {}),
    augment: (s.shift as number) > 0 ? { shift: s.shift as number } : null,
  };
  const arch = s.arch as (typeof IMAGE_ARCHITECTURES)[number];
  const model: ImageAutoencoder<ImageModelConfig> =
    arch === 'dense'
      ? DenseImageAutoencoder.create(common)
      : arch === 'vae'
        ? ImageVAE.create(common)
        : ConvImageAutoencoder.create(arch === 'denoising' ? { ...common, corruption: parseCorruption(s.noise as string) } : common);
  return fitScaled(model, data, options, { epochs: 10, batchSize: 64, learningRate: 1e-3, validationSplit: 0.1 });
}

/**
 * The image benchmark's conv autoencoder: four stride-2 conv stages (32, 64, 128, 256), a
 * 32-d code, training images shifted by up to 2 pixels, Adam 2e-3, batch 64, 4 epochs, no
 * validation split. On all of MNIST train it reaches test MSE 0.0052 (PCA at 32 numbers: 0.0152)
 * and a linear probe of 95.8% on its codes (`npm run bench -- image`, bench/results/image.json).
 * @param data images.
 * @param options settings `latent-dim`, `filters`, `shift`, and schedule overrides.
 * @throws {InvalidArgumentError} for a bad setting.
 */
export async function trainImageDeepConv(data: LoadedDataset<FloatImage>, options: RecipeTrainOptions<FloatImage> = {}): Promise<TrainedImageModel<ConvImageAutoencoder>> {
  const s = resolveSettings(DEEP_SETTINGS, options.settings ?? {}, "image recipe 'deep-conv' setting");
  const model = ConvImageAutoencoder.create({
    ...shapeOf(data),
    latentDim: s['latent-dim'] as number,
    filters: filtersOf(s.filters)!,
    augment: (s.shift as number) > 0 ? { shift: s.shift as number } : null,
  });
  return fitScaled(model, data, options, { epochs: 4, batchSize: 64, learningRate: 2e-3, validationSplit: 0 });
}

/**
 * A denoising conv autoencoder: learns to reconstruct clean images from ones corrupted by
 * `noise`. With `init` (a conv autoencoder's folder) it starts from that model's layout and
 * weights and fine-tunes (the benchmark fine-tunes its `deep-conv` model for 1 epoch, lr 2e-3,
 * batch 64); without, it builds a fresh one (`latent-dim`, `filters`). 10 epochs (more on small
 * data), Adam 1e-3, batch 64, no validation split, unless `options.fit` says otherwise.
 * @param data clean images (of the `init` model's input shape, when given).
 * @param options settings `init`, `noise`, `latent-dim`, `filters`, and schedule overrides.
 * @throws {InvalidArgumentError} for a bad setting, or `latent-dim`/`filters` given with `init`.
 * @throws {ShapeMismatchError} when the data's images do not fit the `init` model.
 */
export async function trainImageDenoising(data: LoadedDataset<FloatImage>, options: RecipeTrainOptions<FloatImage> = {}): Promise<TrainedImageModel<ConvImageAutoencoder>> {
  const s = resolveSettings(DENOISING_SETTINGS, options.settings ?? {}, "image recipe 'denoising' setting");
  const corruption = parseCorruption(s.noise as string);
  const shape = shapeOf(data);
  let model: ConvImageAutoencoder;
  if (s.init !== undefined) {
    if (s['latent-dim'] !== undefined || s.filters !== undefined) {
      throw new InvalidArgumentError('--latent-dim and --filters come from the --init model; give one or the other.');
    }
    const from = await ConvImageAutoencoder.load(s.init as string);
    try {
      const c = from.config;
      if (c.inputShape.join('x') !== shape.inputShape.join('x')) {
        throw new InvalidArgumentError(`--init ${String(s.init)} takes ${c.inputShape.join('x')} images (height x width x channels) but the data is ${shape.inputShape.join('x')}; give --size/--channels to match.`);
      }
      model = ConvImageAutoencoder.create({ inputShape: c.inputShape, latentDim: c.latentDim, filters: c.filters, kernelSize: c.kernelSize, hidden: c.hidden, activation: c.activation, loss: c.loss, seed: c.seed, input: shape.input, corruption });
      // Same layout: start from the trained autoencoder, then learn to remove the noise.
      model.networks.encoder.setWeights(from.networks.encoder.getWeights());
      model.networks.decoder.setWeights(from.networks.decoder.getWeights());
    } finally {
      from.dispose();
    }
  } else {
    model = ConvImageAutoencoder.create({
      ...shape,
      corruption,
      ...(s['latent-dim'] !== undefined ? { latentDim: s['latent-dim'] as number } : {}),
      ...(s.filters !== undefined ? { filters: filtersOf(s.filters)! } : {}),
    });
  }
  return fitScaled(model, data, options, { epochs: 10, batchSize: 64, learningRate: 1e-3, validationSplit: 0 });
}

/** The image recipes, default first. */
export const imageRecipes: readonly Recipe<FloatImage>[] = [
  {
    name: 'default',
    describe:
      'conv (or dense, VAE, denoising) autoencoder sized to the images; 10 epochs (at least 1000 steps on small data), Adam 1e-3, batch 64, 10% validation',
    settings: DEFAULT_SETTINGS,
    train: trainImageDefault,
  },
  {
    name: 'deep-conv',
    describe: 'the image benchmark\'s conv AE: 4 conv stages, 32-d code, images shifted up to 2 px, Adam 2e-3, batch 64, 4 epochs; all of MNIST: test MSE 0.0052 (PCA 0.0152), linear probe 95.8%',
    settings: DEEP_SETTINGS,
    train: trainImageDeepConv,
  },
  {
    name: 'denoising',
    describe: 'conv AE trained to remove --noise (default gaussian:0.5), fresh or fine-tuned from --init <conv AE folder>; 10 epochs, Adam 1e-3, batch 64',
    settings: DENOISING_SETTINGS,
    train: trainImageDenoising,
  },
];
