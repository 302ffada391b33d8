/**
 * @file Training-time augmentation of image batches: random translations, applied to the
 * input and to the reconstruction target alike, seeded by the trainer's per-step seed.
 *
 * Why translations: a code that must rebuild a digit wherever it sits spends less of itself
 * on position and more on shape. On MNIST (4-stage conv AE, code 32, 20k images, 4 epochs)
 * shifts of up to 2 pixels lifted the linear-probe accuracy of the codes from 95.1% to 95.8%;
 * see the image benchmark for the full-data figures.
 */
import { checkInt, checkObject, createRng, InvalidArgumentError } from '@latentkit/core';
import { assertFloatImage, type FloatImage } from '../io/float-image.js';
import { imageSeed } from './corruption.js';

/**
 * Random changes made to every training image (a type alias, not an interface, so it stays
 * JSON-safe inside a model config).
 *
 * - `shift`: the image moves by a whole number of pixels drawn uniformly from
 *   `[-shift, shift]` in each direction; what moves in from the border is 0 (background).
 *
 * @example
 * ```ts
 * const a: Augmentation = { shift: 2 };
 * ```
 */
export type Augmentation = { shift: number };

/** The largest `shift` accepted, as a share of the shorter image side. */
const MAX_SHIFT_SHARE = 0.25;

/**
 * Validates an augmentation and returns a clean copy (no extra fields), or null for none
 * (also for `{ shift: 0 }`, which changes nothing).
 *
 * @param augmentation the augmentation to check; `undefined` and `null` mean none.
 * @param what how to name it in an error.
 * @returns the validated augmentation, or null.
 * @throws {InvalidArgumentError} when `shift` is not an integer in [0, 64].
 * @example
 * ```ts
 * resolveAugmentation({ shift: 2 }); // { shift: 2 }
 * resolveAugmentation({ shift: 0 }); // null
 * ```
 */
export function resolveAugmentation(augmentation: Augmentation | null | undefined, what = 'augment'): Augmentation | null {
  if (augmentation === undefined || augmentation === null) return null;
  const shift = checkInt(`${what}.shift`, checkObject(what, augmentation).shift, 0, 64);
  return shift === 0 ? null : { shift };
}

/**
 * Checks that an augmentation fits images of a size: a shift of more than a quarter of the
 * shorter side would push most of the image out.
 * @internal
 */
export function checkAugmentationFits(augmentation: Augmentation | null, height: number, width: number): void {
  if (!augmentation) return;
  const max = Math.floor(Math.min(height, width) * MAX_SHIFT_SHARE);
  if (augmentation.shift > max) {
    throw new InvalidArgumentError(`augment.shift is ${augmentation.shift} pixels; for ${width}x${height} images it may be at most ${max} (a quarter of the shorter side).`);
  }
}

/**
 * Translates `count` images of `[h, w, c]` stored one after another in `data`, in place, each
 * by its own random offset. The same seed gives the same offsets.
 * @internal
 */
export function augmentInPlace(data: Float32Array, count: number, shape: readonly [number, number, number], augmentation: Augmentation, seed: number): void {
  const [h, w, c] = shape;
  const per = h * w * c;
  const rng = createRng(seed);
  const span = 2 * augmentation.shift + 1;
  const scratch = new Float32Array(per);
  for (let n = 0; n < count; n++) {
    const dx = Math.floor(rng() * span) - augmentation.shift;
    const dy = Math.floor(rng() * span) - augmentation.shift;
    if (dx === 0 && dy === 0) continue;
    const img = data.subarray(n * per, (n + 1) * per);
    scratch.fill(0);
    // Row by row: the destination rows [y0, y1) read source rows shifted by dy, and within a
    // row the columns [x0, x1) read columns shifted by dx (one contiguous copy per row).
    const y0 = Math.max(0, dy);
    const y1 = Math.min(h, h + dy);
    const x0 = Math.max(0, dx);
    const x1 = Math.min(w, w + dx);
    for (let y = y0; y < y1; y++) {
      const src = ((y - dy) * w + (x0 - dx)) * c;
      scratch.set(img.subarray(src, src + (x1 - x0) * c), (y * w + x0) * c);
    }
    img.set(scratch);
  }
}

/**
 * Returns randomly translated copies of images (the inputs are not changed): what a model
 * with this `augment` sees during training. The same images, augmentation and seed give the
 * same result.
 *
 * @param images images with values in [0, 1]; sizes may differ.
 * @param augmentation how far to move them.
 * @param seed seed of the offsets. @default 0
 * @returns one new image per input.
 * @throws {InvalidArgumentError} for an invalid augmentation or image, or a shift too large for an image.
 * @example
 * ```ts
 * const moved = augment(images, { shift: 2 }, 1);
 * ```
 */
export function augment(images: readonly FloatImage[], augmentation: Augmentation, seed = 0): FloatImage[] {
  const a = resolveAugmentation(augmentation);
  if (!Number.isFinite(seed)) throw new InvalidArgumentError(`augment seed must be a finite number, got ${seed}.`);
  return images.map((im, i) => {
    assertFloatImage(im, `images[${i}]`);
    const data = Float32Array.from(im.data);
    if (a) {
      checkAugmentationFits(a, im.height, im.width);
      augmentInPlace(data, 1, [im.height, im.width, im.channels], a, imageSeed(seed, i));
    }
    return { data, width: im.width, height: im.height, channels: im.channels };
  });
}
