/**
 * @file A small source-filter (Klatt-style cascade) vowel synthesiser: a band-limited
 * harmonic source at a jittered, vibrato-modulated f0 plus pitch-synchronous breath noise,
 * shaped by five time-varying formant resonators. It makes speech-like test material with
 * known speaker factors (f0, vocal-tract length, breathiness, tilt) and known content
 * (the vowel sequence), fast and without any data files.
 */
import { createRng, InvalidArgumentError } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { checkSampleRate } from '../io/audio-clip.js';

/** Vowels the synthesiser knows (ASCII names: a as in "father", e "bed", i "heed", o "law", u "who"). */
export type Vowel = 'a' | 'e' | 'i' | 'o' | 'u';

/**
 * F1-F3 (Hz) of each vowel for an adult male vocal tract (Peterson & Barney 1952 averages);
 * other voices scale them by {@link VoiceProfile.formantScale}.
 */
export const VOWEL_FORMANTS: Readonly<Record<Vowel, readonly [number, number, number]>> = {
  a: [730, 1090, 2440],
  e: [530, 1840, 2480],
  i: [270, 2290, 3010],
  o: [570, 840, 2410],
  u: [300, 870, 2240],
};

// Fixed upper formants (neutral tract) and reference bandwidths of F1..F5.
const F4 = 3300;
const F5 = 3750;
const BANDWIDTHS = [80, 100, 150, 200, 250];

/** The parameters that make one synthetic voice. */
export interface VoiceProfile {
  /** A name for display. */
  name: string;
  /** Mean fundamental frequency (Hz). */
  f0: number;
  /** Formant frequency factor: 1 = adult male tract; > 1 = shorter tract (higher formants). */
  formantScale: number;
  /** Relative random f0 perturbation (0.01 = 1 %). */
  jitter: number;
  /** Vibrato rate (Hz). */
  vibratoRate: number;
  /** Vibrato depth, relative (0.01 = 1 %). */
  vibratoDepth: number;
  /** Relative random amplitude perturbation. */
  shimmer: number;
  /** Aspiration noise level relative to the voiced source (0 = none, 0.3 = very breathy). */
  breathiness: number;
  /** Source spectral slope: harmonic k has amplitude k^-tilt (1 = -6 dB/octave). */
  tilt: number;
  /** Formant bandwidth factor (wider = duller, more damped). */
  bandwidthScale: number;
}

/** Options of {@link synthesizeVowels}. */
export interface SynthesisOptions {
  /** Output sample rate (Hz). @default 16000 */
  sampleRate?: number;
  /** Total duration in seconds, including the lead-in and tail silence. @default 0.8 */
  duration?: number;
  /** Relative length of each vowel; normalised to sum 1. @default equal */
  proportions?: number[];
  /** Length of the formant glide between two vowels (ms). @default 80 */
  transitionMs?: number;
  /** f0 drop from start to end as a fraction (negative = rising). @default 0.1 */
  declination?: number;
  /** Peak amplitude of the result. @default 0.5 */
  peak?: number;
  /** Silence before and after the voice (ms). @default 40 */
  silenceMs?: number;
  /** Seed of the jitter, shimmer and noise. @default 0 */
  seed?: number;
}

const BLOCK = 32; // control-rate step (2 ms at 16 kHz): formants and f0 are smooth at this scale
const TABLE = 4096; // samples per tabulated source period

/**
 * Synthesises a sequence of vowels spoken by `voice`, with smooth formant transitions.
 * @param vowels the vowel sequence, e.g. `['a', 'i', 'u']`.
 * @param voice speaker parameters.
 * @param options rate, duration, timing, intonation, level, seed.
 * @returns a mono clip peaking at `options.peak`.
 * @throws {InvalidArgumentError} for an unknown vowel, an empty sequence or out-of-range options.
 * @example
 * ```ts
 * const clip = synthesizeVowels(['a', 'i', 'u'], syntheticVoices(1)[0], { duration: 0.8, seed: 1 });
 * ```
 */
export function synthesizeVowels(vowels: readonly Vowel[], voice: VoiceProfile, options: SynthesisOptions = {}): AudioClip {
  const sampleRate = options.sampleRate ?? 16000;
  checkSampleRate(sampleRate, 'synthesizeVowels: sampleRate');
  const duration = options.duration ?? 0.8;
  if (vowels.length === 0) throw new InvalidArgumentError('synthesizeVowels: the vowel sequence is empty.');
  for (const v of vowels) {
    if (!(v in VOWEL_FORMANTS)) throw new InvalidArgumentError(`synthesizeVowels: unknown vowel ${JSON.stringify(v)}; expected one of a, e, i, o, u.`);
  }
  if (!(duration > 0.05 && duration <= 60)) throw new InvalidArgumentError(`synthesizeVowels: duration must be in (0.05, 60] s; got ${duration}.`);
  if (!(voice.f0 >= 20 && voice.f0 <= 1000)) throw new InvalidArgumentError(`synthesizeVowels: voice.f0 must be in [20, 1000] Hz; got ${voice.f0}.`);
  const proportions = options.proportions ?? vowels.map(() => 1);
  if (proportions.length !== vowels.length || proportions.some((p) => !(p > 0))) {
    throw new InvalidArgumentError(`synthesizeVowels: proportions must be ${vowels.length} positive numbers.`);
  }
  const rng = createRng(options.seed ?? 0);
  const noise = (): number => 2 * rng() - 1;
  const total = Math.round(duration * sampleRate);
  const silence = Math.min(Math.round(((options.silenceMs ?? 40) / 1000) * sampleRate), Math.floor(total / 4));
  const voiced = total - 2 * silence;
  const peak = options.peak ?? 0.5;
  const declination = options.declination ?? 0.1;
  if (!(Math.abs(declination) < 0.8)) throw new InvalidArgumentError(`synthesizeVowels: declination must be in (-0.8, 0.8); got ${declination}.`);
  if (!(peak > 0 && peak <= 1)) throw new InvalidArgumentError(`synthesizeVowels: peak must be in (0, 1]; got ${peak}.`);
  const transition = Math.max(1, ((options.transitionMs ?? 80) / 1000) * sampleRate);

  // Vowel boundaries (in voiced-region samples) and the formant targets of each vowel.
  const sum = proportions.reduce((a, b) => a + b, 0);
  const bounds: number[] = [0];
  for (const p of proportions) bounds.push(bounds[bounds.length - 1] + (p / sum) * voiced);
  const targets = vowels.map((v) => {
    const [f1, f2, f3] = VOWEL_FORMANTS[v];
    return [f1, f2, f3, F4, F5].map((f) => f * voice.formantScale);
  });
  const formantsAt = (pos: number, out: number[]): void => {
    // Start from the first vowel and blend each later one in with a raised-cosine glide
    // centred on its boundary, so formant tracks are smooth (C1-continuous) everywhere.
    for (let i = 0; i < 5; i++) out[i] = targets[0][i];
    for (let v = 1; v < targets.length; v++) {
      const x = (pos - bounds[v]) / transition + 0.5;
      const w = x <= 0 ? 0 : x >= 1 ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * x);
      if (w === 0) break;
      for (let i = 0; i < 5; i++) out[i] += w * (targets[v][i] - targets[v - 1][i]);
    }
  };

  const out = new Float32Array(total);
  const nyquist = sampleRate / 2;
  // One period of the band-limited source (harmonic k at amplitude k^-tilt), tabulated once:
  // harmonics stop below 0.45 * rate at the highest f0 this utterance can reach, so reading
  // the table at any lower f0 never aliases. Per sample it is then one interpolated lookup.
  const f0Max = voice.f0 * (1 + Math.abs(declination) / 2) * (1 + voice.vibratoDepth) * (1 + 2 * voice.jitter);
  const limit = 0.45 * sampleRate;
  const harmonics = Math.max(1, Math.floor(limit / f0Max));
  const table = new Float64Array(TABLE + 1);
  let power = 0;
  for (let k = 1; k <= harmonics; k++) {
    const taper = Math.min(1, (limit - k * f0Max) / (0.05 * sampleRate));
    const g = Math.max(0, taper) * k ** -voice.tilt;
    if (g === 0) continue;
    power += g * g;
    // sin(2 pi k j / TABLE) via a rotating phasor, accurate to ~1e-12 over one table.
    const c = Math.cos((2 * Math.PI * k) / TABLE);
    const sn = Math.sin((2 * Math.PI * k) / TABLE);
    let re = 1;
    let im = 0;
    for (let j = 0; j < TABLE; j++) {
      table[j] += g * im;
      const nr = re * c - im * sn;
      im = re * sn + im * c;
      re = nr;
    }
  }
  table[TABLE] = table[0];
  const noiseLevel = voice.breathiness * Math.sqrt(power / 2) * 1.7;
  const y1 = new Float64Array(5);
  const y2 = new Float64Array(5);
  const ra = new Float64Array(5);
  const rb = new Float64Array(5);
  const rc = new Float64Array(5);
  const formants = [0, 0, 0, 0, 0];
  const vibPhase = 2 * Math.PI * rng();
  let phase = 0;
  let jitterState = 0;
  let shimmerState = 0;

  for (let b0 = 0; b0 < voiced; b0 += BLOCK) {
    const b1 = Math.min(voiced, b0 + BLOCK);
    const tSec = (b0 + silence) / sampleRate;
    // Control-rate parameters: low-passed random walks for jitter and shimmer.
    jitterState = 0.7 * jitterState + 0.3 * noise();
    shimmerState = 0.7 * shimmerState + 0.3 * noise();
    const progress = b0 / voiced;
    const f0Raw =
      voice.f0 *
      (1 + declination * (0.5 - progress)) *
      (1 + voice.vibratoDepth * Math.sin(2 * Math.PI * voice.vibratoRate * tSec + vibPhase)) *
      (1 + 2 * voice.jitter * jitterState);
    const f0 = Math.max(f0Raw, 0.5 * voice.f0);
    const dphase = f0 / sampleRate; // cycles per sample
    formantsAt(b0 + (b1 - b0) / 2, formants);
    for (let i = 0; i < 5; i++) {
      const f = formants[i];
      const bw = BANDWIDTHS[i] * voice.bandwidthScale * Math.max(1, voice.formantScale);
      if (f >= 0.95 * nyquist) {
        // A formant at or above Nyquist would alias: pass the signal through unchanged.
        ra[i] = 1;
        rb[i] = 0;
        rc[i] = 0;
        continue;
      }
      const r = Math.exp((-Math.PI * bw) / sampleRate);
      rc[i] = -r * r;
      rb[i] = 2 * r * Math.cos((2 * Math.PI * f) / sampleRate);
      ra[i] = 1 - rb[i] - rc[i];
    }
    const amp = 1 + voice.shimmer * shimmerState;
    for (let n = b0; n < b1; n++) {
      phase += dphase;
      if (phase >= 1) phase -= 1;
      const pos = phase * TABLE;
      const j = pos | 0;
      const voicedSample = table[j] + (pos - j) * (table[j + 1] - table[j]);
      // Breath noise is louder while the glottis is open (first half of the cycle).
      let x = amp * voicedSample + noiseLevel * noise() * (0.6 + 0.4 * Math.cos(2 * Math.PI * phase));
      for (let i = 0; i < 5; i++) {
        const y = ra[i] * x + rb[i] * y1[i] + rc[i] * y2[i];
        y2[i] = y1[i];
        y1[i] = y;
        x = y;
      }
      out[silence + n] = x;
    }
  }

  // Amplitude envelope: soft onset/offset and a dip at each vowel boundary (syllable rhythm).
  const attack = Math.max(1, Math.round(0.025 * sampleRate));
  const release = Math.max(1, Math.round(0.05 * sampleRate));
  const dip = 0.06 * sampleRate;
  for (let n = 0; n < voiced; n++) {
    let e = 1;
    if (n < attack) e *= 0.5 - 0.5 * Math.cos((Math.PI * n) / attack);
    if (n > voiced - release) e *= 0.5 - 0.5 * Math.cos((Math.PI * (voiced - n)) / release);
    for (let v = 1; v < bounds.length - 1; v++) {
      const d = Math.abs(n - bounds[v]);
      if (d < dip) e *= 1 - 0.35 * (0.5 + 0.5 * Math.cos((Math.PI * d) / dip));
    }
    out[silence + n] *= e;
  }
  let max = 0;
  for (let n = 0; n < total; n++) max = Math.max(max, Math.abs(out[n]));
  const scale = max > 0 ? peak / max : 0;
  // A faint noise floor (about -80 dBFS) so silent stretches look like a recording, not digital zero.
  for (let n = 0; n < total; n++) out[n] = out[n] * scale + 1e-4 * noise();
  return { samples: out, sampleRate };
}
