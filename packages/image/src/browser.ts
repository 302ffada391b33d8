/**
 * @file The browser entry of @latentkit/image (the `browser` export condition): the image
 * autoencoders (dense, conv, denoising, VAE), the image type, metrics, and converters from
 * `ImageData`, `<canvas>` and `Blob`. What needs Node stays in src/index.ts: reading and writing
 * files through sharp, IDX and image-folder data sets, report figures, the modality descriptor.
 *
 * In a page, register the classes and load a served model folder with core's `loadModel(url)`:
 * @example
 * ```ts
 * import { loadModel, registerModels } from '@latentkit/core';
 * import { imageModels, imageFromCanvas } from '@latentkit/image';
 * registerModels(imageModels);
 * const model = await loadModel('/models/digits');
 * const [code] = await model.encode([imageFromCanvas(canvas, { width: 28, height: 28 })]);
 * ```
 */
export { imageModels } from './models/index.js';
export { ImageAutoencoder, MAX_IMAGE_SIDE } from './models/image-autoencoder.js';
export type { ImageShape, ReconstructionLoss, ImageActivation, ImageModelConfig, ImageModelOptions } from './models/image-autoencoder.js';
export { DenseImageAutoencoder, resolveDenseImageAutoencoderConfig } from './models/dense-ae.js';
export type { DenseImageAutoencoderOptions, DenseImageAutoencoderConfig } from './models/dense-ae.js';
export { ConvImageAutoencoder, resolveConvImageAutoencoderConfig, createDenoisingAutoencoder } from './models/conv-ae.js';
export type { ConvImageAutoencoderOptions, ConvImageAutoencoderConfig, ConvLayoutOptions, ConvLayout } from './models/conv-ae.js';
export { ImageVAE, resolveImageVAEConfig } from './models/vae.js';
export type { ImageVAEOptions, ImageVAEConfig } from './models/vae.js';
export { corrupt, resolveCorruption, parseCorruption } from './models/corruption.js';
export type { Corruption, CorruptionType } from './models/corruption.js';
export { augment, resolveAugmentation } from './models/augmentation.js';
export type { Augmentation } from './models/augmentation.js';
export { imagesToTensor, tensorToImages, assertFloatImage } from './io/float-image.js';
export type { FloatImage } from './io/float-image.js';
export { mse, psnr, ssim, perImage } from './metrics/image-metrics.js';
export { imageFromImageData, imageFromCanvas, imageFromBlob, imageToRgba } from './web/web-image.js';
export type { ImageDataLike, CanvasLike, WebImageOptions } from './web/web-image.js';
