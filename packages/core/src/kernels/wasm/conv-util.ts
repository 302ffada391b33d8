/**
 * @file Small helpers shared by latentkit's wasm convolution kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError } from '../../errors/errors.js';

/** Explicit padding in the form tf.conv2d takes (NHWC). */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Trims `x` along the two spatial axes (1 and 2, NHWC) wherever a requested pad is negative,
 * and returns the non-negative pads still to apply. Convolutions take only non-negative
 * padding; a negative pad means those rows/columns can never touch the result.
 *
 * @param x - an NHWC tensor.
 * @param pads - `[top, bottom, left, right]`, any sign.
 * @returns the (maybe sliced) tensor and NHWC explicit padding for tf.conv2d, or undefined
 *   when the negative pads trim away every row or column (the result is then all zeros).
 * @example
 * ```ts
 * const { x: xs, pad } = trimNegativePads(x, [1, -2, 0, 0]); // drops 2 bottom rows, pads 1 on top
 * ```
 */
export function trimNegativePads(
  x: tf.Tensor4D,
  pads: [number, number, number, number],
): { x: tf.Tensor4D; pad: ExplicitPad } | undefined {
  const [top, bottom, left, right] = pads;
  let out = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = x.shape;
    const h0 = Math.max(0, -top);
    const w0 = Math.max(0, -left);
    const hs = h - h0 - Math.max(0, -bottom);
    const ws = w - w0 - Math.max(0, -right);
    if (hs <= 0 || ws <= 0) return undefined;
    out = tf.slice(x, [0, h0, w0, 0], [n, hs, ws, c]);
  }
  const p = (v: number) => Math.max(0, v);
  return {
    x: out,
    pad: [
      [0, 0],
      [p(top), p(bottom)],
      [p(left), p(right)],
      [0, 0],
    ],
  };
}

/**
 * Throws unless `actual` equals `expected`.
 *
 * @param what - names the tensor in the message.
 * @param actual - the shape found.
 * @param expected - the shape required.
 * @throws {ShapeMismatchError} when they differ.
 * @example
 * ```ts
 * expectShape('dy', dy.shape, convInfo.outShape);
 * ```
 */
export function expectShape(what: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ShapeMismatchError(`${what} has shape [${actual.join(', ')}]; expected [${expected.join(', ')}].`);
  }
}
