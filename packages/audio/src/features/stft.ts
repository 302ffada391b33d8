/**
 * @file Short-time Fourier transform and its inverse, with librosa's conventions (periodic
 * window centred in the frame, reflect padding by nFft/2 when `center`), so spectrograms
 * match what Python speech code computes.
 */
import { EmptyInputError, InputTooLargeError, InvalidArgumentError, ShapeMismatchError } from '@latentkit/core';
import { fftPlan, isPowerOfTwo } from './fft.js';
import { getWindow } from './window.js';
import type { WindowType } from './window.js';

/** What a caller may pass to {@link stft}. */
export interface StftOptions {
  /** FFT size (a power of two). @default 1024 */
  nFft?: number;
  /** Samples between frame starts. @default winLength / 4 */
  hop?: number;
  /** Window length, centred in the frame and zero-padded to nFft. @default nFft */
  winLength?: number;
  /** Window shape. @default 'hann' */
  window?: WindowType;
  /** Pad the signal by nFft/2 on both sides (reflect), so frame t is centred at t*hop. @default true */
  center?: boolean;
}

/** Fully resolved STFT parameters (JSON-safe). */
export interface StftConfig {
  nFft: number;
  hop: number;
  winLength: number;
  window: WindowType;
  center: boolean;
}

/** A real spectrogram, `[frames, bins]` row-major (`bins = nFft/2 + 1`). */
export interface Spectrogram {
  data: Float32Array;
  frames: number;
  bins: number;
}

/** A complex spectrogram: real and imaginary parts, each `[frames, bins]` row-major. */
export interface ComplexSpectrogram {
  re: Float32Array;
  im: Float32Array;
  frames: number;
  bins: number;
}

// 2^28 float32 values = 1 GiB per array: beyond that a caller almost certainly passed hop = 1
// on a long signal by mistake.
const MAX_VALUES = 2 ** 28;

/**
 * Fills in the defaults of {@link StftOptions} and checks them.
 * @param options caller options.
 * @returns the resolved configuration.
 * @throws {InvalidArgumentError} for a non-power-of-two nFft, hop < 1, winLength > nFft, or an unknown window.
 * @example
 * ```ts
 * resolveStftConfig({ nFft: 512 }); // { nFft: 512, hop: 128, winLength: 512, window: 'hann', center: true }
 * ```
 */
export function resolveStftConfig(options: StftOptions = {}): StftConfig {
  const nFft = options.nFft ?? 1024;
  if (!isPowerOfTwo(nFft) || nFft > 1 << 16) {
    throw new InvalidArgumentError(`stft: nFft must be a power of two in [2, 65536]; got ${nFft}.`);
  }
  const winLength = options.winLength ?? nFft;
  const hop = options.hop ?? Math.max(1, Math.floor(winLength / 4));
  if (!Number.isInteger(hop) || hop < 1) throw new InvalidArgumentError(`stft: hop must be a positive integer; got ${hop}.`);
  if (!Number.isInteger(winLength) || winLength < 1 || winLength > nFft) {
    throw new InvalidArgumentError(`stft: winLength must be an integer in [1, nFft = ${nFft}]; got ${winLength}.`);
  }
  const window = options.window ?? 'hann';
  if (window !== 'hann' && window !== 'hamming') {
    throw new InvalidArgumentError(`stft: window must be 'hann' or 'hamming'; got ${JSON.stringify(window)}.`);
  }
  return { nFft, hop, winLength, window, center: options.center ?? true };
}

/**
 * Number of frames {@link stft} produces for `length` samples.
 * @param length signal length.
 * @param config resolved STFT parameters.
 * @returns the frame count (at least 1 for a non-empty signal).
 * @example
 * ```ts
 * stftFrameCount(16000, resolveStftConfig({ nFft: 1024, hop: 256 })); // 63
 * ```
 */
export function stftFrameCount(length: number, config: StftConfig): number {
  if (length <= 0) return 0;
  if (config.center) return 1 + Math.floor(length / config.hop);
  return length <= config.nFft ? 1 : 1 + Math.floor((length - config.nFft) / config.hop);
}

/** Reflect an index into [0, n) without repeating the edge sample (numpy 'reflect'). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/**
 * Runs the windowed real FFT over every frame and hands each spectrum (interleaved re/im,
 * bins 0..nFft/2) to `visit`. Shared by stft and stftMagnitude so neither allocates per frame.
 */
function forEachFrame(
  samples: Float32Array,
  config: StftConfig,
  visit: (frame: number, spectrum: Float64Array) => void,
): number {
  const n = samples.length;
  if (n === 0) throw new EmptyInputError('stft: the signal is empty.');
  const { nFft, hop, center } = config;
  const frames = stftFrameCount(n, config);
  const bins = nFft / 2 + 1;
  if (frames * bins > MAX_VALUES) {
    throw new InputTooLargeError(`stft: ${frames} frames x ${bins} bins exceeds ${MAX_VALUES} values; use a larger hop.`);
  }
  const w = getWindow(config.window, config.winLength, nFft);
  const plan = fftPlan(nFft);
  const buf = plan.real;
  const spec = plan.complexA;
  const pad = center ? nFft / 2 : 0;
  for (let t = 0; t < frames; t++) {
    const start = t * hop - pad;
    if (start >= 0 && start + nFft <= n) {
      for (let j = 0; j < nFft; j++) buf[j] = samples[start + j] * w[j];
    } else {
      for (let j = 0; j < nFft; j++) {
        const i = start + j;
        // Centre mode reflects at the edges; non-centre mode only ever runs off the end (zeros).
        const x = i >= 0 && i < n ? samples[i] : center ? samples[reflectIndex(i, n)] : 0;
        buf[j] = x * w[j];
      }
    }
    plan.realForward(buf, spec);
    visit(t, spec);
  }
  return frames;
}

/**
 * Complex short-time Fourier transform.
 * @param samples the signal.
 * @param options frame, hop, window and padding.
 * @returns real and imaginary parts, `[frames, nFft/2 + 1]` row-major.
 * @throws {EmptyInputError} for an empty signal.
 * @throws {InvalidArgumentError} for bad options.
 * @throws {InputTooLargeError} when the result would exceed 2^28 values.
 * @example
 * ```ts
 * const { re, im, frames, bins } = stft(samples, { nFft: 512, hop: 128 });
 * ```
 */
export function stft(samples: Float32Array, options: StftOptions = {}): ComplexSpectrogram {
  const config = resolveStftConfig(options);
  const bins = config.nFft / 2 + 1;
  const frames = stftFrameCount(samples.length, config);
  const re = new Float32Array(Math.min(frames * bins, MAX_VALUES));
  const im = new Float32Array(re.length);
  forEachFrame(samples, config, (t, s) => {
    const o = t * bins;
    for (let k = 0; k < bins; k++) {
      re[o + k] = s[2 * k];
      im[o + k] = s[2 * k + 1];
    }
  });
  return { re, im, frames, bins };
}

/**
 * Magnitude (or power) spectrogram, without storing the complex values.
 * @param samples the signal.
 * @param options as for {@link stft}.
 * @param power 1 for magnitude, 2 for power.
 * @default power 1
 * @returns `[frames, nFft/2 + 1]` row-major.
 * @throws the same errors as {@link stft}.
 * @example
 * ```ts
 * const mag = stftMagnitude(samples, { nFft: 1024, hop: 256 });
 * ```
 */
export function stftMagnitude(samples: Float32Array, options: StftOptions = {}, power: 1 | 2 = 1): Spectrogram {
  const config = resolveStftConfig(options);
  const bins = config.nFft / 2 + 1;
  const frames = stftFrameCount(samples.length, config);
  const data = new Float32Array(Math.min(frames * bins, MAX_VALUES));
  forEachFrame(samples, config, (t, s) => {
    const o = t * bins;
    for (let k = 0; k < bins; k++) {
      const p = s[2 * k] * s[2 * k] + s[2 * k + 1] * s[2 * k + 1];
      data[o + k] = power === 2 ? p : Math.sqrt(p);
    }
  });
  return { data, frames, bins };
}

/** Options of {@link istft}: the STFT parameters plus the wanted output length. */
export interface IstftOptions extends StftOptions {
  /** Output length in samples (zero-padded or cut). @default (frames - 1) * hop when centred */
  length?: number;
}

/**
 * Inverse STFT by weighted overlap-add (divides by the summed squared window), the exact
 * inverse of {@link stft} wherever the windows overlap.
 * @param spec a complex spectrogram with `bins = nFft/2 + 1`.
 * @param options the parameters used for the forward transform, and optionally `length`.
 * @returns the signal.
 * @throws {ShapeMismatchError} when `bins` does not match nFft or the arrays are too short.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const y = istft(stft(x, { nFft: 512 }), { nFft: 512, length: x.length });
 * ```
 */
export function istft(spec: ComplexSpectrogram, options: IstftOptions = {}): Float32Array {
  const config = resolveStftConfig(options);
  const { nFft, hop, center } = config;
  const bins = nFft / 2 + 1;
  const { frames, re, im } = spec;
  if (spec.bins !== bins) throw new ShapeMismatchError(`istft: spectrogram has ${spec.bins} bins; nFft = ${nFft} needs ${bins}.`);
  if (re.length < frames * bins || im.length < frames * bins) {
    throw new ShapeMismatchError(`istft: ${frames} frames x ${bins} bins needs ${frames * bins} values; got ${re.length}/${im.length}.`);
  }
  if (options.length !== undefined && (!Number.isInteger(options.length) || options.length < 0)) {
    throw new InvalidArgumentError(`istft: length must be a non-negative integer; got ${options.length}.`);
  }
  const full = nFft + hop * Math.max(0, frames - 1);
  const y = new Float64Array(full);
  const wss = new Float64Array(full);
  const w = getWindow(config.window, config.winLength, nFft);
  const plan = fftPlan(nFft);
  const a = plan.complexA;
  const b = plan.complexB;
  for (let t = 0; t < frames; t++) {
    const o = t * bins;
    // Hermitian spectrum: bins 0..nFft/2 as given, the rest mirrored and conjugated.
    for (let k = 0; k < bins; k++) {
      a[2 * k] = re[o + k];
      a[2 * k + 1] = k === 0 || k === bins - 1 ? 0 : im[o + k];
    }
    for (let k = bins; k < nFft; k++) {
      a[2 * k] = a[2 * (nFft - k)];
      a[2 * k + 1] = -a[2 * (nFft - k) + 1];
    }
    plan.inverse(a, b);
    const s = t * hop;
    for (let j = 0; j < nFft; j++) {
      y[s + j] += b[2 * j] * w[j];
      wss[s + j] += w[j] * w[j];
    }
  }
  const start = center ? nFft / 2 : 0;
  const length = options.length ?? (center ? Math.max(0, full - nFft) : full);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const j = start + i;
    if (j >= full) break;
    out[i] = wss[j] > 1e-10 ? y[j] / wss[j] : y[j];
  }
  return out;
}

/**
 * Magnitudes of a complex spectrogram.
 * @param spec complex spectrogram.
 * @returns `|re + i im|` with the same layout.
 * @example
 * ```ts
 * const mag = magnitude(stft(samples));
 * ```
 */
export function magnitude(spec: ComplexSpectrogram): Spectrogram {
  const n = spec.frames * spec.bins;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sqrt(spec.re[i] * spec.re[i] + spec.im[i] * spec.im[i]);
  return { data, frames: spec.frames, bins: spec.bins };
}
