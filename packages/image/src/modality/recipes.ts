/**
 * @file Image training recipes (public: `latentkit train image --recipe <name>` and the
 * benchmarks call these). `default` is what `latentkit train image` has always done: a conv,
 * dense, variational or denoising autoencoder sized to the data's images.
 */
import { fitForRecipe, resolveSettings, type LoadedDataset, type Recipe, type RecipeTrainOptions, type SettingSpec, type TrainedModel } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { ConvImageAutoencoder } from '../models/conv-ae.js';
import { parseCorruption } from '../models/corruption.js';
import { DenseImageAutoencoder } from '../models/dense-ae.js';
import type { ImageAutoencoder, ImageModelConfig } from '../models/image-autoencoder.js';
import { ImageVAE } from '../models/vae.js';

/** Architectures of the `default` recipe. */
export const IMAGE_ARCHITECTURES = ['conv', 'dense', 'vae', 'denoising'] as const;

const SETTINGS: readonly SettingSpec[] = [
  { name: 'arch', type: 'string', choices: IMAGE_ARCHITECTURES, default: 'conv', describe: 'conv AE, dense AE, VAE, or denoising conv AE' },
  { name: 'latent-dim', type: 'number', integer: true, min: 1, max: 65_536, describe: 'code size' },
  { name: 'noise', type: 'string', default: 'gaussian:0.5', describe: 'corruption the denoising model learns to remove (gaussian:σ, mask:p, salt-and-pepper:p)' },
  { name: 'shift', type: 'number', integer: true, min: 0, max: 64, default: 0, describe: 'translate training images by up to this many pixels (augmentation; 2 suits 28x28 digits)' },
];

/**
 * Trains an image autoencoder the way `latentkit train image` does by default: the model's
 * input is the shape of the data's first image; 10 epochs of Adam (lr 1e-3, batch 64) with 10%
 * of the images held out for the validation loss, unless `options.fit` says otherwise.
 * @param data images (any {@link LoadedDataset}; labels are not used).
 * @param options settings `arch`, `latent-dim`, `noise`, `shift`, and schedule overrides.
 * @returns the trained model and its history.
 * @throws {InvalidArgumentError} for a bad setting.
 * @example
 * ```ts
 * const data = await imageModality.embedded!.load({ limit: 2000 });
 * const { model } = await trainImageDefault(data, { settings: { arch: 'vae', 'latent-dim': 8 }, fit: { epochs: 5 } });
 * ```
 */
export async function trainImageDefault(data: LoadedDataset<FloatImage>, options: RecipeTrainOptions<FloatImage> = {}): Promise<TrainedModel<FloatImage>> {
  const s = resolveSettings(SETTINGS, options.settings ?? {}, "image recipe 'default' setting");
  const first = data.samples[0];
  const common = {
    inputShape: [first.height, first.width, first.channels] as [number, number, number],
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
  return fitForRecipe(model, data, options, { validationSplit: 0.1 });
}

/** The image recipes, default first. */
export const imageRecipes: readonly Recipe<FloatImage>[] = [
  {
    name: 'default',
    describe: 'conv (or dense, VAE, denoising) autoencoder sized to the images; 10 epochs, Adam 1e-3, batch 64, 10% validation',
    settings: SETTINGS,
    train: trainImageDefault,
  },
];
