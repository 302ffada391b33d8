/**
 * @file Band-limited sample-rate conversion with a Kaiser-windowed sinc kernel.
 *
 * The ratio toRate/fromRate is reduced to L/M. Output sample n sits at input time n*M/L, so
 * only L distinct sub-sample phases occur; for moderate L their filter taps are tabulated
 * once (polyphase), which makes the inner loop a plain dot product.
 */
import { InvalidArgumentError } from '@latentkit/core';
import { checkSampleRate } from './audio-clip.js';

/** Options of {@link resample}. */
export interface ResampleOptions {
  /** Zero crossings of the sinc on each side of the centre: longer = sharper transition band. @default 24 */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency; < 1 leaves room for the transition band. @default 0.94 */
  rolloff?: number;
  /** Kaiser window beta: higher = more stopband attenuation, wider transition. @default 9 */
  kaiserBeta?: number;
}

// Tables with more phases than this are computed per output sample instead (rare, odd rates).
const MAX_TABLE_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

interface Kernel {
  /** Taps per phase. */
  taps: number;
  /** Offset of tap 0 relative to floor(input time). */
  first: number;
  /** The continuous kernel; x is the distance in input samples. */
  at(x: number): number;
}

function makeKernel(fc: number, zeroCrossings: number, beta: number): Kernel {
  const half = zeroCrossings / fc;
  const i0b = besselI0(beta);
  const at = (x: number): number => {
    const ax = Math.abs(x);
    if (ax >= half) return 0;
    const r = ax / half;
    const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0b;
    const t = Math.PI * fc * x;
    return fc * (t === 0 ? 1 : Math.sin(t) / t) * w;
  };
  const reach = Math.ceil(half);
  return { taps: 2 * reach + 1, first: -reach, at };
}

const tableCache = new Map<string, Float32Array>();

/**
 * Resamples a signal from `fromRate` to `toRate` with an anti-aliased windowed-sinc filter.
 *
 * The cutoff is `rolloff` times the lower of the two Nyquist frequencies, so downsampling
 * removes everything the new rate cannot represent (attenuation > 80 dB in the stopband with
 * the defaults) and upsampling adds no images. Any integer rates work (44100 -> 16000 is
 * 160/441). Samples before the start and after the end count as zeros. Output length is
 * `ceil(samples.length * toRate / fromRate)`.
 *
 * @param samples input signal.
 * @param fromRate its sample rate (Hz, integer).
 * @param toRate the wanted sample rate (Hz, integer).
 * @param options filter design.
 * @returns a new array (a copy when the rates are equal).
 * @throws {InvalidArgumentError} for non-integer or non-positive rates or bad options.
 * @example
 * ```ts
 * const y = resample(x, 44100, 16000); // y.length === Math.ceil(x.length * 16000 / 44100)
 * ```
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  checkSampleRate(fromRate, 'resample: fromRate');
  checkSampleRate(toRate, 'resample: toRate');
  const zeroCrossings = options.zeroCrossings ?? 24;
  const rolloff = options.rolloff ?? 0.94;
  const beta = options.kaiserBeta ?? 9;
  if (!Number.isInteger(zeroCrossings) || zeroCrossings < 2 || zeroCrossings > 256) {
    throw new InvalidArgumentError(`resample: zeroCrossings must be an integer in [2, 256]; got ${zeroCrossings}.`);
  }
  if (!(rolloff > 0 && rolloff <= 1)) throw new InvalidArgumentError(`resample: rolloff must be in (0, 1]; got ${rolloff}.`);
  if (!(beta >= 0 && beta <= 50)) throw new InvalidArgumentError(`resample: kaiserBeta must be in [0, 50]; got ${beta}.`);
  if (fromRate === toRate) return samples.slice();
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const n = samples.length;
  const outLen = Math.ceil((n * up) / down);
  const out = new Float32Array(outLen);
  if (n === 0) return out;
  // Cutoff relative to the input Nyquist; below 1 when downsampling.
  const fc = Math.min(1, toRate / fromRate) * rolloff;
  const kernel = makeKernel(fc, zeroCrossings, beta);
  const { taps, first } = kernel;

  let table: Float32Array | undefined;
  if (up <= MAX_TABLE_PHASES) {
    const key = `${up}/${down}/${zeroCrossings}/${rolloff}/${beta}`;
    table = tableCache.get(key);
    if (!table) {
      table = new Float32Array(up * taps);
      for (let p = 0; p < up; p++) {
        const frac = p / up;
        for (let j = 0; j < taps; j++) table[p * taps + j] = kernel.at(first + j - frac);
      }
      if (tableCache.size > 32) tableCache.clear();
      tableCache.set(key, table);
    }
  }
  const scratch = new Float32Array(taps);
  // Input time of output k is base + phase/up; advance both incrementally (exact integers).
  const stepBase = Math.floor(down / up);
  const stepPhase = down - stepBase * up;
  let base = 0;
  let phase = 0;
  for (let k = 0; k < outLen; k++) {
    let coeffs: Float32Array;
    let off = 0;
    if (table) {
      coeffs = table;
      off = phase * taps;
    } else {
      const frac = phase / up;
      for (let j = 0; j < taps; j++) scratch[j] = kernel.at(first + j - frac);
      coeffs = scratch;
    }
    const start = base + first;
    let acc = 0;
    if (start >= 0 && start + taps <= n) {
      for (let j = 0; j < taps; j++) acc += samples[start + j] * coeffs[off + j];
    } else {
      const j0 = Math.max(0, -start);
      const j1 = Math.min(taps, n - start);
      for (let j = j0; j < j1; j++) acc += samples[start + j] * coeffs[off + j];
    }
    out[k] = acc;
    base += stepBase;
    phase += stepPhase;
    if (phase >= up) {
      phase -= up;
      base += 1;
    }
  }
  return out;
}
