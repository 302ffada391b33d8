/**
 * @file Phase reconstruction (fast Griffin-Lim) and the mel -> audio path built on it, so a
 * decoder that outputs log-mel frames can be listened to without a neural vocoder.
 */
import { createRng, InvalidArgumentError, ShapeMismatchError } from '@latentkit/core';
import { melToLinear, resolveMelConfig } from './mel.js';
import type { MelOptions, MelSpectrogram } from './mel.js';
import { istft, resolveStftConfig, stft } from './stft.js';
import type { ComplexSpectrogram, Spectrogram, StftOptions } from './stft.js';

/** Options of {@link griffinLim}. */
export interface GriffinLimOptions extends StftOptions {
  /** Iterations of phase refinement. @default 32 */
  iterations?: number;
  /** Momentum of the fast Griffin-Lim update (Perraudin et al. 2013); 0 is the classic algorithm. @default 0.99 */
  momentum?: number;
  /** Seed of the random initial phase. @default 0 */
  seed?: number;
  /** Output length in samples. @default (frames - 1) * hop */
  length?: number;
}

/**
 * Reconstructs a signal whose STFT magnitude approximates `magnitude`, by iterating
 * STFT/ISTFT with a phase update (fast Griffin-Lim, as `librosa.griffinlim`).
 * @param magnitude `[frames, nFft/2 + 1]` magnitudes (not power).
 * @param options STFT parameters (must match those of the magnitude), iterations, momentum, seed.
 * @returns the signal.
 * @throws {ShapeMismatchError} when `bins` does not match nFft.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const y = griffinLim(stftMagnitude(x, { nFft: 1024, hop: 256 }), { nFft: 1024, hop: 256, iterations: 32 });
 * ```
 */
export function griffinLim(magnitude: Spectrogram, options: GriffinLimOptions = {}): Float32Array {
  const config = resolveStftConfig(options);
  const iterations = options.iterations ?? 32;
  const momentum = options.momentum ?? 0.99;
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 10_000) {
    throw new InvalidArgumentError(`griffinLim: iterations must be an integer in [0, 10000]; got ${iterations}.`);
  }
  if (!(momentum >= 0 && momentum < 2)) throw new InvalidArgumentError(`griffinLim: momentum must be in [0, 2); got ${momentum}.`);
  const { frames, bins } = magnitude;
  if (bins !== config.nFft / 2 + 1) {
    throw new ShapeMismatchError(`griffinLim: magnitude has ${bins} bins; nFft = ${config.nFft} needs ${config.nFft / 2 + 1}.`);
  }
  if (magnitude.data.length < frames * bins) {
    throw new ShapeMismatchError(`griffinLim: ${frames} x ${bins} needs ${frames * bins} values; got ${magnitude.data.length}.`);
  }
  if (frames === 0) return new Float32Array(options.length ?? 0);
  const n = frames * bins;
  const mag = magnitude.data;
  // Signal length that reproduces exactly `frames` frames on the forward pass.
  const innerLength = config.center ? (frames - 1) * config.hop : config.nFft + (frames - 1) * config.hop;
  const rng = createRng(options.seed ?? 0);
  const angRe = new Float32Array(n);
  const angIm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * Math.PI * rng();
    angRe[i] = Math.cos(a);
    angIm[i] = Math.sin(a);
  }
  const spec: ComplexSpectrogram = { re: new Float32Array(n), im: new Float32Array(n), frames, bins };
  const prevRe = new Float32Array(n);
  const prevIm = new Float32Array(n);
  const alpha = momentum / (1 + momentum);
  const apply = (): void => {
    for (let i = 0; i < n; i++) {
      spec.re[i] = mag[i] * angRe[i];
      spec.im[i] = mag[i] * angIm[i];
    }
  };
  for (let it = 0; it < iterations; it++) {
    apply();
    const y = istft(spec, { ...config, length: Math.max(1, innerLength) });
    const rebuilt = stft(y, config);
    for (let i = 0; i < n; i++) {
      const r = rebuilt.re[i];
      const m = rebuilt.im[i];
      const ar = r - alpha * prevRe[i];
      const ai = m - alpha * prevIm[i];
      const norm = Math.sqrt(ar * ar + ai * ai) + 1e-16;
      angRe[i] = ar / norm;
      angIm[i] = ai / norm;
      prevRe[i] = r;
      prevIm[i] = m;
    }
  }
  apply();
  return istft(spec, { ...config, length: options.length ?? innerLength });
}

/** Options of {@link melToAudio}: the mel parameters plus Griffin-Lim's. */
export interface MelToAudioOptions extends MelOptions {
  /** @default 32 */
  iterations?: number;
  /** @default 0.99 */
  momentum?: number;
  /** @default 0 */
  seed?: number;
  /** Output length in samples. @default (frames - 1) * hop */
  length?: number;
}

/**
 * Turns a log-mel spectrogram (as {@link logMelSpectrogram} makes) back into audio:
 * exp, pseudo-inverse of the filterbank, then Griffin-Lim. Expect intelligible but phasey
 * audio; that is the price of no vocoder.
 * @param logMel `[frames, nMels]` natural-log mel spectrogram.
 * @param options the mel parameters it was made with, plus Griffin-Lim iterations and seed.
 * @returns the samples, at `sampleRate`.
 * @throws {ShapeMismatchError} when `nMels` differs from the config.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const config = resolveMelConfig({ sampleRate: 16000 });
 * const samples = melToAudio(logMelSpectrogram(x, config), { ...config, iterations: 32 });
 * ```
 */
export function melToAudio(logMel: MelSpectrogram, options: MelToAudioOptions = {}): Float32Array {
  const config = resolveMelConfig(options);
  const n = logMel.frames * logMel.nMels;
  if (logMel.data.length < n) {
    throw new ShapeMismatchError(`melToAudio: ${logMel.frames} x ${logMel.nMels} needs ${n} values; got ${logMel.data.length}.`);
  }
  const linearMel = new Float32Array(n);
  // Values at the log floor meant "nothing here": map them to 0, not to the floor, so the
  // pseudo-inverse does not spread a -100 dB hiss over every bin.
  const floorLog = Math.log(config.logFloor) + 1e-6;
  for (let i = 0; i < n; i++) {
    const v = logMel.data[i];
    linearMel[i] = v > floorLog ? Math.exp(Math.min(v, 30)) : 0; // NaN lands on 0 too
  }
  const lin = melToLinear({ data: linearMel, frames: logMel.frames, nMels: logMel.nMels }, config);
  if (config.power === 2) for (let i = 0; i < lin.data.length; i++) lin.data[i] = Math.sqrt(lin.data[i]);
  return griffinLim(lin, {
    nFft: config.nFft,
    hop: config.hop,
    winLength: config.winLength,
    window: config.window,
    center: config.center,
    iterations: options.iterations,
    momentum: options.momentum,
    seed: options.seed,
    length: options.length,
  });
}
