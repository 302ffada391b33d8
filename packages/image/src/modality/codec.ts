/**
 * @file Image bytes in and out for the modality descriptor: any format sharp reads, resized
 * to the model's input shape; PNG out, and a grid of labelled rows as the overview.
 */
import type { ModalityCodec, ModelConfig } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { makeGrid } from '../io/grid.js';
import { IMAGE_EXTENSIONS, readImage } from '../io/read-image.js';
import { encodePng } from '../io/write-image.js';
import { mse } from '../metrics/image-metrics.js';
import { resolveInputPolicy, type ImageInputPolicy } from '../models/image-autoencoder.js';

/** Most images an overview grid shows per row. */
export const OVERVIEW_LIMIT = 16;

/** `[height, width, channels]` of an image model's config, if it has one. */
export function inputShapeOf(config: ModelConfig | undefined): [number, number, 1 | 3] | undefined {
  const shape = config?.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3) return undefined;
  return [Number(shape[0]), Number(shape[1]), Number(shape[2]) === 3 ? 3 : 1];
}

/** The input policy a model's config records (older configs: the default, cover + centre crop). */
export function inputPolicyOf(config: ModelConfig | undefined): ImageInputPolicy {
  const p = config?.input;
  return resolveInputPolicy(p && typeof p === 'object' && !Array.isArray(p) ? (p as Partial<ImageInputPolicy>) : undefined);
}

/** How images enter and leave latentkit's image models. */
export const imageCodec: ModalityCodec<FloatImage, FloatImage> = {
  noun: 'image',
  extensions: IMAGE_EXTENSIONS,
  unit: 'file',
  async decode(bytes, options = {}) {
    const shape = inputShapeOf(options.config);
    // Read exactly as the training images were: the model's shape and its recorded resize policy.
    const size = shape ? { height: shape[0], width: shape[1], channels: shape[2], ...inputPolicyOf(options.config) } : {};
    const maxPixels = options.limits?.maxPixels;
    return [await readImage(bytes, { ...size, ...(options.name ? { name: options.name } : {}), ...(maxPixels !== undefined ? { maxPixels } : {}) })];
  },
  async encode(outputs) {
    return Promise.all(outputs.map(async (image) => ({ bytes: await encodePng(image), extension: '.png', mediaType: 'image/png' })));
  },
  async overview(rows) {
    const grid = await makeGrid(rows.map((r) => ({ label: r.label, images: r.items.slice(0, OVERVIEW_LIMIT) })));
    return { bytes: grid, extension: '.png', mediaType: 'image/png' };
  },
  distance: { name: 'mean squared error', between: (input, output) => mse(input, output) },
};
