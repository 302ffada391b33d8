/**
 * @file A typed, cached view of fft.js. Plans are cached per size because building one
 * costs more than a transform of the same size.
 */
import FFT from 'fft.js';
import { InvalidArgumentError } from '@latentkit/core';

/** One FFT size's plan plus scratch buffers (safe to share: nothing here awaits). */
export interface FftPlan {
  size: number;
  /** Real forward transform: fills `out[0 .. size + 1]` (bins 0..size/2, interleaved re/im). */
  realForward(input: Float64Array, out: Float64Array): void;
  /** Complex inverse transform (already divided by `size`); both arrays interleaved, length 2*size. */
  inverse(input: Float64Array, out: Float64Array): void;
  /** Scratch buffers of length `size` (real) and `2 * size` (complex), for callers' inner loops. */
  real: Float64Array;
  complexA: Float64Array;
  complexB: Float64Array;
}

interface FftJs {
  realTransform(out: Float64Array, data: Float64Array): void;
  inverseTransform(out: Float64Array, data: Float64Array): void;
}

const plans = new Map<number, FftPlan>();

/** Whether `n` is a power of two >= 2 (what fft.js requires). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/**
 * The cached plan for `size`.
 * @internal
 */
export function fftPlan(size: number): FftPlan {
  let plan = plans.get(size);
  if (plan) return plan;
  if (!isPowerOfTwo(size) || size > 1 << 20) {
    throw new InvalidArgumentError(`nFft must be a power of two in [2, 1048576]; got ${size}.`);
  }
  const f = new FFT(size) as unknown as FftJs;
  plan = {
    size,
    realForward: (input, out) => f.realTransform(out, input),
    inverse: (input, out) => f.inverseTransform(out, input),
    real: new Float64Array(size),
    complexA: new Float64Array(2 * size),
    complexB: new Float64Array(2 * size),
  };
  plans.set(size, plan);
  return plan;
}
