/**
 * @file Public API of @latentkit/image: image I/O through sharp, report figures (grids,
 * scatter plots) and data sets (MNIST-format IDX, image folders, synthetic glyphs).
 */

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

// Models (dense/conv AE, VAE) are exported below by their own modules.
