/**
 * @file Public API of @latentkit/image: the image modality descriptor, image I/O through
 * sharp, report figures (grids, scatter plots), data sets (MNIST-format IDX, image folders,
 * synthetic glyphs), the image autoencoders (dense, conv, denoising, VAE), their recipes and
 * image metrics (MSE, PSNR, SSIM, PCA).
 */

// The modality descriptor (`modality` is the name loadModel and the CLI look for).
export { imageModality, imageModality as modality } from './modality/descriptor.js';
export { imageRecipes, trainImageDefault, trainImageDeepConv, trainImageDenoising, IMAGE_ARCHITECTURES, MIN_OPTIMISER_STEPS, scaledEpochs } from './modality/recipes.js';
export type { EpochPlan } from './modality/schedule.js';
export type { TrainedImageModel } from './modality/recipes.js';
export { parseImageSize, parseChannels, fitWithin, DEFAULT_MAX_SIDE } from './modality/input-size.js';
export type { ImageReadSpec } from './modality/input-size.js';
export { imageTrainingCheck } from './modality/check.js';
export { imageCodec } from './modality/codec.js';
export { mnistLayout, imageFolderLayout, embeddedGlyphs } from './modality/datasets.js';

// Image type and tensors
export { imagesToTensor, tensorToImages, assertFloatImage } from './io/float-image.js';
export type { FloatImage } from './io/float-image.js';

// Reading and writing images
export { readImage, readImages, SUPPORTED_IMAGE_FORMATS, IMAGE_EXTENSIONS } from './io/read-image.js';
export type { ReadImageOptions, ReadImagesOptions, ImageFit } from './io/read-image.js';
export { encodePng, writePng } from './io/write-image.js';

// Figures for reports
export { makeGrid, writeGrid } from './io/grid.js';
export type { GridRow, GridOptions } from './io/grid.js';
export { scatterPlotPng, scatterPlotSvg, writeScatterPlot } from './io/scatter.js';
export type { ScatterPoint, ScatterPlotOptions } from './io/scatter.js';

// Data sets
export { decodeIdx, readIdx, loadMnist, MNIST_CLASS_NAMES } from './datasets/idx.js';
export type { IdxArray, IdxType, IdxOptions, LoadMnistOptions, MnistVariant, LabeledImages } from './datasets/idx.js';
export { loadImageFolder } from './datasets/image-folder.js';
export type { ImageFolderOptions, ImageFolderDataset } from './datasets/image-folder.js';
export { syntheticGlyphs, GLYPH_CLASSES } from './datasets/synthetic.js';
export type { SyntheticGlyphsOptions, SyntheticGlyphs, GlyphClass, GlyphStyle } from './datasets/synthetic.js';

// ---- Models and metrics (packages/image/src/models, packages/image/src/metrics) ----
export { imageModels } from './models/index.js';
export { ImageAutoencoder, MAX_IMAGE_SIDE, DEFAULT_INPUT_POLICY } from './models/image-autoencoder.js';
export type { ImageInputPolicy, ImageShape, ReconstructionLoss, ImageActivation, ImageModelConfig, ImageModelOptions } from './models/image-autoencoder.js';
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
export { mse, psnr, ssim, perImage } from './metrics/image-metrics.js';
export { compareWithPca, pcaReconstructImages } from './metrics/pca-comparison.js';
export type { ImageSet, PcaComparison, PcaComparisonOptions, MethodScores } from './metrics/pca-comparison.js';

// Pages: converters from ImageData, <canvas> and Blob (also in the browser entry, src/browser.ts).
export { imageFromImageData, imageFromCanvas, imageFromBlob, imageToRgba } from './web/web-image.js';
export type { ImageDataLike, CanvasLike, WebImageOptions } from './web/web-image.js';
