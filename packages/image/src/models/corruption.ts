/**
 * @file Input corruption for denoising autoencoders: gaussian noise, masking noise and
 * salt-and-pepper noise, seeded so a training step (or an evaluation) repeats exactly.
 *
 * One implementation in plain JS serves both training (applied per batch in `collate`, with
 * the trainer's per-step seed) and evaluation ({@link corrupt}); a batch is a few hundred
 * thousand values, which JS corrupts in about a millisecond.
 */
import { checkChoice, checkNumber, checkObject, createNormalRng, createRng, InvalidArgumentError } from '@latentkit/core';
import { assertFloatImage, type FloatImage } from '../io/float-image.js';

/** Kinds of corruption a denoising autoencoder can train against. */
export type CorruptionType = 'gaussian' | 'mask' | 'salt-and-pepper';

/**
 * A corruption and its strength (a type alias, not an interface, so it stays JSON-safe inside
 * a model config).
 *
 * - `gaussian`: adds N(0, amount²) to every value, then clips to [0, 1]; `amount` is the
 *   standard deviation (0.5 is heavy noise on MNIST).
 * - `mask`: sets each value to 0 with probability `amount` (masking noise).
 * - `salt-and-pepper`: sets each value to 0 or 1 (even odds) with probability `amount`.
 *
 * @example
 * ```ts
 * const c: Corruption = { type: 'gaussian', amount: 0.5 };
 * ```
 */
export type Corruption = { type: CorruptionType; amount: number };

const TYPES: readonly CorruptionType[] = ['gaussian', 'mask', 'salt-and-pepper'];

/**
 * Validates a corruption and returns a clean copy (no extra fields), or null for none.
 *
 * @param corruption the corruption to check; `undefined` and `null` mean none.
 * @param what how to name it in an error.
 * @returns the validated corruption, or null.
 * @throws {InvalidArgumentError} for an unknown type, or an amount outside [0, 1]
 *   (`mask`, `salt-and-pepper`) or outside [0, 10] (`gaussian`).
 * @example
 * ```ts
 * resolveCorruption({ type: 'mask', amount: 0.3 }); // { type: 'mask', amount: 0.3 }
 * resolveCorruption(undefined); // null
 * ```
 */
export function resolveCorruption(corruption: Corruption | null | undefined, what = 'corruption'): Corruption | null {
  if (corruption === undefined || corruption === null) return null;
  const o = checkObject(what, corruption);
  const type = checkChoice(`${what}.type`, o.type, TYPES);
  const amount = checkNumber(`${what}.amount`, o.amount, { min: 0, max: type === 'gaussian' ? 10 : 1 });
  return { type, amount };
}

/**
 * Corrupts values in [0, 1] in place (the shared kernel of training and {@link corrupt}).
 * @internal
 */
export function corruptInPlace(data: Float32Array, corruption: Corruption, seed: number): void {
  const { type, amount } = corruption;
  if (amount === 0) return;
  if (type === 'gaussian') {
    const normal = createNormalRng(seed);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] + amount * normal();
      data[i] = v > 0 ? (v < 1 ? v : 1) : 0;
    }
    return;
  }
  const rng = createRng(seed);
  if (type === 'mask') {
    for (let i = 0; i < data.length; i++) if (rng() < amount) data[i] = 0;
    return;
  }
  for (let i = 0; i < data.length; i++) {
    if (rng() < amount) data[i] = rng() < 0.5 ? 0 : 1;
  }
}

/**
 * The seed of image `i` of a call seeded `seed`, so image i's randomness depends on (seed, i)
 * only, not on the sizes of the images before it. Shared by {@link corrupt} and `augment`.
 * @internal
 */
export function imageSeed(seed: number, i: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
}

/**
 * Returns corrupted copies of images (the inputs are not changed). The same images, corruption
 * and seed give the same result, so a denoiser's evaluation repeats exactly.
 *
 * @param images images with values in [0, 1]; sizes may differ.
 * @param corruption which noise and how much.
 * @param seed seed of the noise. @default 0
 * @returns one new image per input, values in [0, 1].
 * @throws {InvalidArgumentError} for an invalid corruption or image.
 * @throws {ShapeMismatchError} when an image's data does not match its size.
 * @example
 * ```ts
 * const noisy = corrupt(testImages, { type: 'gaussian', amount: 0.5 }, 1);
 * const cleaned = await model.denoise(noisy);
 * ```
 */
export function corrupt(images: readonly FloatImage[], corruption: Corruption, seed = 0): FloatImage[] {
  const c = resolveCorruption(corruption);
  if (!c) throw new InvalidArgumentError('corrupt needs a corruption, got none.');
  if (!Number.isFinite(seed)) throw new InvalidArgumentError(`corrupt seed must be a finite number, got ${seed}.`);
  return images.map((im, i) => {
    assertFloatImage(im, `images[${i}]`);
    const data = Float32Array.from(im.data);
    corruptInPlace(data, c, imageSeed(seed, i));
    return { data, width: im.width, height: im.height, channels: im.channels };
  });
}
