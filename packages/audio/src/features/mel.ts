/**
 * @file Mel filterbanks and (log-)mel spectrograms, numerically matching librosa
 * (`librosa.filters.mel` with the Slaney mel scale and Slaney area normalisation).
 */
import { InvalidArgumentError, ShapeMismatchError } from '@latentkit/core';
import { checkSampleRate } from '../io/audio-clip.js';
import { resolveStftConfig, stftMagnitude } from './stft.js';
import type { Spectrogram } from './stft.js';
import type { WindowType } from './window.js';

/** What a caller may pass to the mel functions. Every field has a default. */
export interface MelOptions {
  /** Sample rate of the input (Hz). @default 16000 */
  sampleRate?: number;
  /** FFT size (power of two). @default 1024 */
  nFft?: number;
  /** Hop between frames in samples. @default 256 */
  hop?: number;
  /** Window length in samples. @default nFft */
  winLength?: number;
  /** Window shape. @default 'hann' */
  window?: WindowType;
  /** Centre frames (reflect-pad nFft/2). @default true */
  center?: boolean;
  /** Number of mel bands. @default 80 */
  nMels?: number;
  /** Lowest filter edge (Hz). @default 0 */
  fMin?: number;
  /** Highest filter edge (Hz). @default sampleRate / 2 */
  fMax?: number;
  /** 1: mel of the magnitude spectrum; 2: mel of the power spectrum. @default 1 */
  power?: 1 | 2;
  /** Filter normalisation: 'slaney' divides each triangle by its width in Hz (constant energy per band); null leaves peaks at 1. @default 'slaney' */
  norm?: 'slaney' | null;
  /** Use the HTK mel formula instead of Slaney's. @default false */
  htk?: boolean;
  /** Floor applied before the log: `log(max(mel, logFloor))`. 1e-5 is -11.51 in natural log, about -100 dB re full-scale magnitude. @default 1e-5 */
  logFloor?: number;
}

/**
 * Resolved mel parameters; JSON-safe so a model can save them and rebuild its inputs.
 * (A type alias rather than an interface so it is assignable to core's `Json`.)
 */
export type MelConfig = {
  sampleRate: number;
  nFft: number;
  hop: number;
  winLength: number;
  window: WindowType;
  center: boolean;
  nMels: number;
  fMin: number;
  fMax: number;
  power: 1 | 2;
  norm: 'slaney' | null;
  htk: boolean;
  logFloor: number;
};

/** A mel spectrogram, `[frames, nMels]` row-major. */
export interface MelSpectrogram {
  data: Float32Array;
  frames: number;
  nMels: number;
}

/** Parameters of {@link melFilterbank}. */
export interface MelFilterbankOptions {
  sampleRate: number;
  nFft: number;
  /** @default 80 */
  nMels?: number;
  /** @default 0 */
  fMin?: number;
  /** @default sampleRate / 2 */
  fMax?: number;
  /** @default 'slaney' */
  norm?: 'slaney' | null;
  /** @default false */
  htk?: boolean;
}

/** A mel filterbank: dense weights plus each band's non-zero bin range for fast products. */
export interface MelFilterbank {
  /** `[nMels, bins]` row-major. */
  weights: Float32Array;
  nMels: number;
  bins: number;
  /** Band centre frequencies (Hz). */
  centers: Float64Array;
  /** First non-zero bin of each band. */
  start: Int32Array;
  /** One past the last non-zero bin of each band. */
  end: Int32Array;
}

/**
 * Resolves {@link MelOptions} into a complete, validated {@link MelConfig}.
 * @param options caller options.
 * @returns the resolved configuration.
 * @throws {InvalidArgumentError} naming the offending field.
 * @example
 * ```ts
 * const config = resolveMelConfig({ sampleRate: 16000, nMels: 80 }); // nFft 1024, hop 256, fMax 8000, ...
 * ```
 */
export function resolveMelConfig(options: MelOptions = {}): MelConfig {
  const sampleRate = options.sampleRate ?? 16000;
  checkSampleRate(sampleRate, 'mel: sampleRate');
  const nFft = options.nFft ?? 1024;
  const stftConfig = resolveStftConfig({
    nFft,
    hop: options.hop ?? 256,
    winLength: options.winLength,
    window: options.window,
    center: options.center,
  });
  const nMels = options.nMels ?? 80;
  if (!Number.isInteger(nMels) || nMels < 1 || nMels > 1024) {
    throw new InvalidArgumentError(`mel: nMels must be an integer in [1, 1024]; got ${nMels}.`);
  }
  const fMin = options.fMin ?? 0;
  const fMax = options.fMax ?? sampleRate / 2;
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new InvalidArgumentError(`mel: need 0 <= fMin < fMax <= sampleRate/2 = ${sampleRate / 2}; got fMin ${fMin}, fMax ${fMax}.`);
  }
  const power = options.power ?? 1;
  if (power !== 1 && power !== 2) throw new InvalidArgumentError(`mel: power must be 1 or 2; got ${power}.`);
  const norm = options.norm === undefined ? 'slaney' : options.norm;
  if (norm !== 'slaney' && norm !== null) throw new InvalidArgumentError(`mel: norm must be 'slaney' or null; got ${JSON.stringify(norm)}.`);
  const logFloor = options.logFloor ?? 1e-5;
  if (!(logFloor > 0)) throw new InvalidArgumentError(`mel: logFloor must be > 0; got ${logFloor}.`);
  return { sampleRate, ...stftConfig, nMels, fMin, fMax, power, norm, htk: options.htk ?? false, logFloor };
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/**
 * Hz to mel. Slaney scale (librosa's default): linear below 1 kHz, logarithmic above.
 * @param hz frequency in Hz.
 * @param htk use the HTK formula `2595 log10(1 + hz/700)` instead.
 * @default htk false
 * @returns the mel value.
 * @example
 * ```ts
 * hzToMel(1000); // 15
 * ```
 */
export function hzToMel(hz: number, htk = false): number {
  if (htk) return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

/**
 * Mel to Hz, the inverse of {@link hzToMel}.
 * @param mel mel value.
 * @param htk use the HTK formula.
 * @default htk false
 * @returns frequency in Hz.
 * @example
 * ```ts
 * melToHz(15); // 1000
 * ```
 */
export function melToHz(mel: number, htk = false): number {
  if (htk) return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

const bankCache = new Map<string, MelFilterbank>();

/**
 * Triangular mel filterbank, as `librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm)`.
 * @param options sample rate, FFT size, bands, edges and normalisation.
 * @returns a cached filterbank; do not modify its arrays.
 * @throws {InvalidArgumentError} for out-of-range parameters.
 * @example
 * ```ts
 * const fb = melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 80 }); // weights: 80 x 513
 * ```
 */
export function melFilterbank(options: MelFilterbankOptions): MelFilterbank {
  const { sampleRate, nFft } = options;
  const nMels = options.nMels ?? 80;
  const fMin = options.fMin ?? 0;
  const fMax = options.fMax ?? sampleRate / 2;
  const norm = options.norm === undefined ? 'slaney' : options.norm;
  const htk = options.htk ?? false;
  const key = `${sampleRate}/${nFft}/${nMels}/${fMin}/${fMax}/${norm}/${htk}`;
  const hit = bankCache.get(key);
  if (hit) return hit;
  // Reuse the full validation so the two entry points agree on what is legal.
  resolveMelConfig({ sampleRate, nFft, nMels, fMin, fMax, norm, htk });
  const bins = nFft / 2 + 1;
  const fftFreqs = Float64Array.from({ length: bins }, (_, k) => (k * sampleRate) / nFft);
  const lo = hzToMel(fMin, htk);
  const hi = hzToMel(fMax, htk);
  const melF = Float64Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1), htk));
  const weights = new Float32Array(nMels * bins);
  const start = new Int32Array(nMels);
  const end = new Int32Array(nMels);
  const centers = new Float64Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const left = melF[m];
    const centre = melF[m + 1];
    const right = melF[m + 2];
    centers[m] = centre;
    const enorm = norm === 'slaney' ? 2 / (right - left) : 1;
    let s = -1;
    let e = 0;
    for (let k = 0; k < bins; k++) {
      const f = fftFreqs[k];
      const lower = (f - left) / (centre - left);
      const upper = (right - f) / (right - centre);
      const v = Math.max(0, Math.min(lower, upper));
      if (v > 0) {
        weights[m * bins + k] = v * enorm;
        if (s < 0) s = k;
        e = k + 1;
      }
    }
    start[m] = s < 0 ? 0 : s;
    end[m] = s < 0 ? 0 : e;
  }
  const bank: MelFilterbank = { weights, nMels, bins, centers, start, end };
  if (bankCache.size > 64) bankCache.clear();
  bankCache.set(key, bank);
  return bank;
}

function bankFor(config: MelConfig): MelFilterbank {
  return melFilterbank(config);
}

/**
 * Mel spectrogram (linear amplitude): filterbank applied to the magnitude (power 1) or power
 * (power 2) STFT.
 * @param samples the signal, at `sampleRate`.
 * @param options mel and STFT parameters.
 * @returns `[frames, nMels]` row-major.
 * @throws {EmptyInputError} for an empty signal.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const mel = melSpectrogram(samples, { sampleRate: 16000, nMels: 64 });
 * ```
 */
export function melSpectrogram(samples: Float32Array, options: MelOptions = {}): MelSpectrogram {
  const config = resolveMelConfig(options);
  const spec = stftMagnitude(samples, config, config.power);
  return applyFilterbank(spec, bankFor(config));
}

function applyFilterbank(spec: Spectrogram, bank: MelFilterbank): MelSpectrogram {
  const { frames, bins } = spec;
  const { nMels, weights, start, end } = bank;
  const data = new Float32Array(frames * nMels);
  for (let t = 0; t < frames; t++) {
    const row = t * bins;
    for (let m = 0; m < nMels; m++) {
      let acc = 0;
      const w = m * bins;
      for (let k = start[m]; k < end[m]; k++) acc += weights[w + k] * spec.data[row + k];
      data[t * nMels + m] = acc;
    }
  }
  return { data, frames, nMels };
}

/**
 * Log-mel spectrogram: `log(max(mel, logFloor))` (natural log; floor 1e-5 by default, so
 * silence reads -11.51 rather than -Infinity), the input representation of the speech models.
 * @param samples the signal, at `sampleRate`.
 * @param options mel and STFT parameters; see {@link MelOptions} for defaults.
 * @returns `[frames, nMels]` row-major, frames = 1 + floor(length / hop) when centred.
 * @throws {EmptyInputError} for an empty signal.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const { data, frames, nMels } = logMelSpectrogram(clip.samples, { sampleRate: clip.sampleRate });
 * ```
 */
export function logMelSpectrogram(samples: Float32Array, options: MelOptions = {}): MelSpectrogram {
  const config = resolveMelConfig(options);
  const mel = melSpectrogram(samples, config);
  const floor = config.logFloor;
  const d = mel.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.log(d[i] > floor ? d[i] : floor);
  return mel;
}

const pinvCache = new Map<string, Float32Array>();

/**
 * `[bins, nMels]` pseudo-inverse `W^T (W W^T + eps I)^-1` of the filterbank. The small ridge
 * keeps it finite when narrow low bands share FFT bins (W W^T near singular).
 */
function filterbankPinv(bank: MelFilterbank, key: string): Float32Array {
  const hit = pinvCache.get(key);
  if (hit) return hit;
  const { nMels: m, bins, weights } = bank;
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      let acc = 0;
      const lo = Math.max(bank.start[i], bank.start[j]);
      const hi = Math.min(bank.end[i], bank.end[j]);
      for (let k = lo; k < hi; k++) acc += weights[i * bins + k] * weights[j * bins + k];
      g[i * m + j] = acc;
      g[j * m + i] = acc;
    }
  }
  let trace = 0;
  for (let i = 0; i < m; i++) trace += g[i * m + i];
  const eps = (1e-6 * trace) / m + 1e-12;
  for (let i = 0; i < m; i++) g[i * m + i] += eps;
  // Cholesky G = L L^T, then invert: G^-1 = L^-T L^-1.
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = g[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      l[i * m + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * m + j];
    }
  }
  const linv = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    linv[i * m + i] = 1 / l[i * m + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * m + k] * linv[k * m + j];
      linv[i * m + j] = s / l[i * m + i];
    }
  }
  const ginv = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < m; k++) s += linv[k * m + i] * linv[k * m + j];
      ginv[i * m + j] = s;
    }
  }
  const pinv = new Float32Array(bins * m);
  for (let k = 0; k < bins; k++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) {
        const w = weights[i * bins + k];
        if (w !== 0) s += w * ginv[i * m + j];
      }
      pinv[k * m + j] = s;
    }
  }
  if (pinvCache.size > 16) pinvCache.clear();
  pinvCache.set(key, pinv);
  return pinv;
}

/** Options of {@link melToLinear}: the mel parameters plus the refinement effort. */
export interface MelToLinearOptions extends MelOptions {
  /**
   * Non-negative least-squares refinement steps (multiplicative updates) after the clamped
   * pseudo-inverse; 0 keeps the plain clamped pseudo-inverse.
   * @default 10
   */
  refineIterations?: number;
}

/**
 * Approximate inverse of the mel filterbank: a linear-frequency spectrogram S >= 0 with
 * W S close to the given (linear, not log) mel spectrogram. Starts from the filterbank's
 * pseudo-inverse clamped at zero, then takes a few multiplicative non-negative least-squares
 * steps (librosa's `mel_to_stft` solves the same problem with NNLS).
 * Returns magnitudes if `config.power` is 1 and powers if it is 2.
 * @param mel `[frames, nMels]` linear mel spectrogram.
 * @param options the mel parameters it was made with, and `refineIterations`.
 * @returns `[frames, nFft/2 + 1]` non-negative spectrogram.
 * @throws {ShapeMismatchError} when `mel.nMels` differs from the config or `data` is too short.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const mag = melToLinear(melSpectrogram(x, config), config);
 * ```
 */
export function melToLinear(mel: MelSpectrogram, options: MelToLinearOptions = {}): Spectrogram {
  const config = resolveMelConfig(options);
  const iterations = options.refineIterations ?? 10;
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 1000) {
    throw new InvalidArgumentError(`melToLinear: refineIterations must be an integer in [0, 1000]; got ${iterations}.`);
  }
  if (mel.nMels !== config.nMels) throw new ShapeMismatchError(`melToLinear: spectrogram has ${mel.nMels} mel bands; config says ${config.nMels}.`);
  if (mel.data.length < mel.frames * mel.nMels) {
    throw new ShapeMismatchError(`melToLinear: ${mel.frames} x ${mel.nMels} needs ${mel.frames * mel.nMels} values; got ${mel.data.length}.`);
  }
  const bank = bankFor(config);
  const key = `${config.sampleRate}/${config.nFft}/${config.nMels}/${config.fMin}/${config.fMax}/${config.norm}/${config.htk}`;
  const pinv = filterbankPinv(bank, key);
  const { frames } = mel;
  const { bins, nMels, weights, start, end } = bank;
  const data = new Float32Array(frames * bins);
  const target = new Float64Array(nMels);
  const s = new Float64Array(bins);
  const wtTarget = new Float64Array(bins);
  const approx = new Float64Array(nMels);
  const wtApprox = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    let peak = 0;
    for (let m = 0; m < nMels; m++) {
      const v = mel.data[t * nMels + m];
      target[m] = v > 0 ? v : 0; // NaN and negatives mean "nothing"
      peak = Math.max(peak, target[m]);
    }
    for (let k = 0; k < bins; k++) {
      let acc = 0;
      const p = k * nMels;
      for (let m = 0; m < nMels; m++) acc += pinv[p + m] * target[m];
      s[k] = acc > 0 ? acc : 0;
    }
    if (iterations > 0 && peak > 0) {
      // Multiplicative updates keep S >= 0 and never revive an exact zero, so start from a
      // small positive floor wherever some band covers the bin.
      const floor = 1e-3 * peak;
      for (let k = 0; k < bins; k++) if (s[k] < floor) s[k] = floor;
      wtTarget.fill(0);
      for (let m = 0; m < nMels; m++) for (let k = start[m]; k < end[m]; k++) wtTarget[k] += weights[m * bins + k] * target[m];
      for (let it = 0; it < iterations; it++) {
        for (let m = 0; m < nMels; m++) {
          let acc = 0;
          for (let k = start[m]; k < end[m]; k++) acc += weights[m * bins + k] * s[k];
          approx[m] = acc;
        }
        wtApprox.fill(0);
        for (let m = 0; m < nMels; m++) for (let k = start[m]; k < end[m]; k++) wtApprox[k] += weights[m * bins + k] * approx[m];
        for (let k = 0; k < bins; k++) s[k] = wtApprox[k] > 0 ? (s[k] * wtTarget[k]) / wtApprox[k] : 0;
      }
    }
    for (let k = 0; k < bins; k++) data[t * bins + k] = s[k];
  }
  return { data, frames, bins };
}
