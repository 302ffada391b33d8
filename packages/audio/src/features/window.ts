/**
 * @file Analysis windows, cached by (type, length, FFT size) since every frame reuses one.
 */
import { InvalidArgumentError } from '@latentkit/core';

/** Window shapes supported by {@link stft}. */
export type WindowType = 'hann' | 'hamming';

const cache = new Map<string, Float64Array>();

/**
 * A periodic window of `winLength` samples, zero-padded and centred in `nFft` samples
 * (the librosa/torch convention, which makes hop = winLength/4 overlap-add to a constant).
 * @param type window shape.
 * @param winLength window length (<= nFft).
 * @param nFft frame length.
 * @returns a cached array; do not modify it.
 * @throws {InvalidArgumentError} for an unknown type or a length outside [1, nFft].
 * @example
 * ```ts
 * const w = getWindow('hann', 400, 512);
 * ```
 */
export function getWindow(type: WindowType, winLength: number, nFft: number): Float64Array {
  const key = `${type}/${winLength}/${nFft}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (type !== 'hann' && type !== 'hamming') {
    throw new InvalidArgumentError(`window must be 'hann' or 'hamming'; got ${JSON.stringify(type)}.`);
  }
  if (!Number.isInteger(winLength) || winLength < 1 || winLength > nFft) {
    throw new InvalidArgumentError(`winLength must be an integer in [1, nFft = ${nFft}]; got ${winLength}.`);
  }
  const w = new Float64Array(nFft);
  const a0 = type === 'hann' ? 0.5 : 0.54;
  const offset = Math.floor((nFft - winLength) / 2);
  for (let i = 0; i < winLength; i++) w[offset + i] = a0 - (1 - a0) * Math.cos((2 * Math.PI * i) / winLength);
  cache.set(key, w);
  return w;
}
