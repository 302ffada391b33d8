/**
 * @file The image model classes, listed for core's registry: `registerModels(imageModels)`
 * lets `loadModel(dir)` rebuild any image model folder by its kind.
 */
import type { ModelClass } from '@latentkit/core';
import { ConvImageAutoencoder } from './conv-ae.js';
import { DenseImageAutoencoder } from './dense-ae.js';
import { ImageVAE } from './vae.js';

/**
 * Every model class of @latentkit/image (kinds `image/dense-ae`, `image/conv-ae`, `image/vae`).
 * @example
 * ```ts
 * registerModels(imageModels);
 * const model = await loadModel('models/mnist-conv');
 * ```
 */
export const imageModels: readonly ModelClass[] = [DenseImageAutoencoder, ConvImageAutoencoder, ImageVAE];
