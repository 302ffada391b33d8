/**
 * @file The image modality descriptor: what the CLI, the demo, the benchmarks and servers need
 * to handle images without naming them (see core's ModalityDescriptor).
 */
import type { ModalityDescriptor } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { imageModels } from '../models/index.js';
import { imageTrainingCheck } from './check.js';
import { imageCodec } from './codec.js';
import { embeddedGlyphs, imageFolderLayout, mnistLayout } from './datasets.js';
import { denoiseOperation } from './denoise.js';
import { imageRecipes } from './recipes.js';
import { imageShowcase } from './showcase.js';

/**
 * Images: PNG/JPEG/WebP/GIF/TIFF in, PNG out; MNIST-format and class-folder datasets; dense,
 * conv, denoising and variational autoencoders; the `denoise` operation.
 * @example
 * ```ts
 * import { registerModality } from '@latentkit/core';
 * import { imageModality } from '@latentkit/image';
 * registerModality(imageModality); // loadModel would also find it on its own
 * ```
 */
export const imageModality: ModalityDescriptor<FloatImage> = {
  name: 'image',
  describe: 'images (PNG, JPEG, WebP, GIF, TIFF) through dense, conv, denoising and variational autoencoders',
  packageName: '@latentkit/image',
  models: imageModels,
  parts: [],
  codec: imageCodec,
  recipes: imageRecipes,
  trainingCheck: imageTrainingCheck,
  datasets: [mnistLayout, imageFolderLayout],
  embedded: embeddedGlyphs,
  operations: [denoiseOperation],
  showcase: imageShowcase,
  examples: {
    train: [
      ['$0 train image --out models/glyphs', 'conv AE on 2000 synthetic digit glyphs'],
      ['$0 train image --arch vae --data ../shared/data/mnist --count 60000 --epochs 20 --out models/mnist-vae', 'VAE on MNIST'],
      ['$0 train image --data photos/ --size 64x64 --channels 3 --strict --out models/photos', 'RGB photos at 64x64 (cover, centre crop); exit 1 if it did not learn'],
      ['$0 train image --recipe deep-conv --data ../shared/data/mnist --count 60000 --out models/mnist-deep', 'the image benchmark\'s autoencoder'],
    ],
    encode: [['$0 encode image --model models/glyphs --in digits/ --out digits.npy', 'every image under digits/, sorted by name']],
    decode: [['$0 decode --model models/glyphs --in digits.npy --out decoded/', 'one PNG per row plus decoded/grid.png']],
    reconstruct: [['$0 reconstruct --model models/glyphs --in digits/ --out recon/', 'PNGs of the reconstructions plus recon/grid.png']],
  },
};
