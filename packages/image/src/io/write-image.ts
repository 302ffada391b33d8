/**
 * @file Encoding {@link FloatImage}s as 8-bit PNG. Quantisation is `round(v * 255)` clamped to
 * [0, 255], the inverse of the reader's `v / 255`, so PNG -> FloatImage -> PNG keeps every pixel.
 */
import sharp from 'sharp';
import { writeFileAtomic } from '@latentkit/core';
import { assertFloatImage } from './float-image.js';
import type { FloatImage } from './float-image.js';

/**
 * Quantises [0, 1] floats to bytes: NaN and negatives become 0, values above 1 become 255.
 * @internal
 */
export function toBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(data[i] * 255);
    out[i] = v > 0 ? (v < 255 ? v : 255) : 0;
  }
  return out;
}

/**
 * Encodes an image as an 8-bit PNG (grayscale for 1 channel, RGB for 3).
 *
 * @param image the image; values outside [0, 1] are clamped.
 * @returns the PNG file bytes.
 * @throws {InvalidArgumentError} or {ShapeMismatchError} for an inconsistent image.
 * @example
 * ```ts
 * const png = await encodePng({ data: new Float32Array(28 * 28), width: 28, height: 28, channels: 1 });
 * ```
 */
export async function encodePng(image: FloatImage): Promise<Uint8Array> {
  assertFloatImage(image);
  const { width, height, channels } = image;
  let img = sharp(toBytes(image.data), { raw: { width, height, channels } });
  // Without this sharp writes one-band raw input as an RGB PNG (three equal channels).
  if (channels === 1) img = img.toColourspace('b-w');
  return img.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}

/**
 * Writes an image as an 8-bit PNG file, atomically (temporary sibling, then rename).
 *
 * @param path the target file; its folder must exist.
 * @param image the image to write.
 * @throws {InvalidArgumentError} or {ShapeMismatchError} for an inconsistent image.
 * @example
 * ```ts
 * await writePng('out/reconstruction.png', reconstructed[0]);
 * ```
 */
export async function writePng(path: string, image: FloatImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}
