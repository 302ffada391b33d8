/**
 * @file The one image type of @latentkit/image and its conversion to and from tfjs tensors.
 *
 * Pixels are `Float32Array`s in [0, 1], HWC row-major, so they feed a model without another
 * copy and stay independent of any image library.
 */
import { EmptyInputError, InvalidArgumentError, ShapeMismatchError, tf } from '@latentkit/core';

/**
 * A decoded image: `height` rows of `width` pixels of `channels` values, HWC row-major,
 * each value in [0, 1] (0 = black). Grayscale has 1 channel, colour 3 (RGB, no alpha).
 *
 * @example
 * ```ts
 * const img: FloatImage = { data: new Float32Array(28 * 28), width: 28, height: 28, channels: 1 };
 * img.data[14 * 28 + 14] = 1; // one white pixel in the middle
 * ```
 */
export interface FloatImage {
  /** `width * height * channels` values in [0, 1]; may be a view into a larger buffer. */
  data: Float32Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * Checks that an image is internally consistent (positive integer size, 1 or 3 channels,
 * data length matching), so later code can index it without bounds checks.
 *
 * @param image the image to check.
 * @param what how to name the image in an error, e.g. `images[3]`.
 * @throws {InvalidArgumentError} when the size or channel count is invalid.
 * @throws {ShapeMismatchError} when `data.length` is not `width * height * channels`.
 * @example
 * ```ts
 * assertFloatImage({ data: new Float32Array(4), width: 2, height: 2, channels: 1 }); // ok
 * ```
 */
export function assertFloatImage(image: FloatImage, what = 'image'): void {
  if (!image || !(image.data instanceof Float32Array)) {
    throw new InvalidArgumentError(`${what}.data must be a Float32Array, got ${describe(image?.data)}.`);
  }
  const { width, height, channels } = image;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new InvalidArgumentError(`${what} must have positive integer width and height, got ${width}x${height}.`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new InvalidArgumentError(`${what}.channels must be 1 or 3, got ${String(channels)}.`);
  }
  const expected = width * height * channels;
  if (image.data.length !== expected) {
    throw new ShapeMismatchError(
      `${what}.data has ${image.data.length} values; expected ${expected} for ${width}x${height}x${channels}.`,
    );
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return (v as object).constructor?.name ?? typeof v;
}

/**
 * Stacks images into one `[n, height, width, channels]` float32 tensor (the caller disposes it).
 * Synchronous, so it cannot pick the backend: `await initEngine()` once before the first call.
 *
 * @param images one or more images, all the same width, height and channel count.
 * @returns a new tensor holding a copy of the pixels.
 * @throws {EmptyInputError} when `images` is empty.
 * @throws {ShapeMismatchError} when the images differ in size or channels (names the first
 *   one that differs, expected vs found).
 * @example
 * ```ts
 * const x = imagesToTensor(mnist.images.slice(0, 64)); // [64, 28, 28, 1]
 * x.dispose();
 * ```
 */
export function imagesToTensor(images: readonly FloatImage[]): tf.Tensor4D {
  if (images.length === 0) throw new EmptyInputError('imagesToTensor needs at least one image, got none.');
  const first = images[0];
  assertFloatImage(first, 'images[0]');
  const { width, height, channels } = first;
  const per = width * height * channels;
  for (let i = 1; i < images.length; i++) {
    const im = images[i];
    if (im.width !== width || im.height !== height || im.channels !== channels) {
      throw new ShapeMismatchError(
        `images[${i}] is ${im.width}x${im.height}x${im.channels}; expected ${width}x${height}x${channels} like images[0]. ` +
          'Resize with readImage({ width, height, channels }) first.',
      );
    }
    assertFloatImage(im, `images[${i}]`);
  }
  const out = new Float32Array(images.length * per);
  for (let i = 0; i < images.length; i++) out.set(images[i].data, i * per);
  return tf.tensor4d(out, [images.length, height, width, channels], 'float32');
}

/**
 * Splits a `[n, height, width, channels]` tensor (or one `[height, width, channels]` image)
 * into images. Values are clamped to [0, 1] and NaN becomes 0, because decoders without a
 * final sigmoid overshoot and every writer expects [0, 1]. The tensor is not disposed.
 *
 * @param t a rank-4 (or rank-3) tensor whose last dimension is 1 or 3.
 * @returns one image per batch entry; all share one underlying buffer.
 * @throws {ShapeMismatchError} when the rank or channel count is wrong.
 * @example
 * ```ts
 * const images = tensorToImages(decoder.predict(z) as tf.Tensor4D);
 * ```
 */
export function tensorToImages(t: tf.Tensor): FloatImage[] {
  const shape = t.shape;
  if (shape.length !== 4 && shape.length !== 3) {
    throw new ShapeMismatchError(`tensorToImages needs shape [n, h, w, c] or [h, w, c], got [${shape.join(', ')}].`);
  }
  const [n, height, width, channels] = shape.length === 4 ? shape : [1, ...shape];
  if (channels !== 1 && channels !== 3) {
    throw new ShapeMismatchError(`tensorToImages needs 1 or 3 channels (last dimension), got shape [${shape.join(', ')}].`);
  }
  const values = t.dataSync();
  const all = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    all[i] = v > 0 ? (v < 1 ? v : 1) : 0; // NaN fails `v > 0` and lands on 0
  }
  const per = height * width * channels;
  const out: FloatImage[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = { data: all.subarray(i * per, (i + 1) * per), width, height, channels };
  }
  return out;
}
