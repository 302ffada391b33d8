/**
 * @file An embedded speech corpus: several synthetic speakers each saying several vowel
 * sequences. Speaker (f0, tract length, voice quality) and content (which sequence) vary
 * independently, so it can test speaker/content disentanglement offline in about a second.
 */
import { createRng, InvalidArgumentError } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { synthesizeVowels } from './formant-synth.js';
import type { Vowel, VoiceProfile } from './formant-synth.js';

/** The vowel sequences of the corpus, in content-class order (class i says `SYNTHETIC_CONTENTS[i]`). */
export const SYNTHETIC_CONTENTS: readonly string[] = [
  'a-i-u',
  'o-e-a',
  'i-a-o',
  'u-o-i',
  'e-u-a',
  'a-o-e',
  'i-e-u',
  'u-a-e',
  'o-i-e',
  'e-a-i',
  'u-i-o',
  'a-e-o',
];

// Base voices, alternating low and high pitch so any prefix mixes both. f0 in Hz; formant
// scale tracks pitch loosely (as in people) but not exactly, so speaker is not one number.
const BASE_VOICES: readonly Omit<VoiceProfile, 'jitter' | 'vibratoRate' | 'vibratoDepth' | 'shimmer'>[] = [
  { name: 'ava', f0: 210, formantScale: 1.15, breathiness: 0.12, tilt: 0.9, bandwidthScale: 1.1 },
  { name: 'ben', f0: 105, formantScale: 0.92, breathiness: 0.03, tilt: 0.7, bandwidthScale: 1.0 },
  { name: 'cleo', f0: 245, formantScale: 1.22, breathiness: 0.2, tilt: 1.0, bandwidthScale: 1.2 },
  { name: 'dan', f0: 88, formantScale: 0.88, breathiness: 0.05, tilt: 0.8, bandwidthScale: 0.9 },
  { name: 'eve', f0: 178, formantScale: 1.08, breathiness: 0.08, tilt: 0.75, bandwidthScale: 1.0 },
  { name: 'finn', f0: 128, formantScale: 1.0, breathiness: 0.15, tilt: 1.05, bandwidthScale: 1.15 },
  { name: 'gus', f0: 145, formantScale: 0.95, breathiness: 0.02, tilt: 0.65, bandwidthScale: 0.85 },
  { name: 'hana', f0: 265, formantScale: 1.25, breathiness: 0.1, tilt: 0.85, bandwidthScale: 1.05 },
  { name: 'ivan', f0: 78, formantScale: 0.9, breathiness: 0.08, tilt: 0.9, bandwidthScale: 1.0 },
  { name: 'jade', f0: 195, formantScale: 1.03, breathiness: 0.18, tilt: 0.8, bandwidthScale: 1.1 },
  { name: 'kai', f0: 160, formantScale: 1.12, breathiness: 0.05, tilt: 0.95, bandwidthScale: 0.95 },
  { name: 'lena', f0: 228, formantScale: 1.1, breathiness: 0.06, tilt: 0.7, bandwidthScale: 0.9 },
];

/**
 * The voices of the synthetic corpus: the first 12 are fixed characters (slightly varied
 * by `seed`), further ones are drawn at random.
 * @param count number of voices (1..64).
 * @param seed variation seed.
 * @default seed 0
 * @returns `count` voice profiles.
 * @throws {InvalidArgumentError} for a count outside [1, 64].
 * @example
 * ```ts
 * const [ava, ben] = syntheticVoices(2); // ava ~210 Hz, ben ~105 Hz
 * ```
 */
export function syntheticVoices(count: number, seed = 0): VoiceProfile[] {
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new InvalidArgumentError(`syntheticVoices: count must be an integer in [1, 64]; got ${count}.`);
  }
  const voices: VoiceProfile[] = [];
  for (let s = 0; s < count; s++) {
    const rng = createRng((seed >>> 0) * 7919 + s * 104729 + 17);
    const u = (lo: number, hi: number): number => lo + (hi - lo) * rng();
    const base =
      s < BASE_VOICES.length
        ? BASE_VOICES[s]
        : {
            name: `voice${s}`,
            f0: 80 * 3.3 ** rng(),
            formantScale: u(0.86, 1.25),
            breathiness: u(0.02, 0.2),
            tilt: u(0.65, 1.05),
            bandwidthScale: u(0.85, 1.2),
          };
    voices.push({
      ...base,
      f0: base.f0 * u(0.97, 1.03),
      formantScale: base.formantScale * u(0.98, 1.02),
      jitter: u(0.004, 0.012),
      vibratoRate: u(4.5, 6.5),
      vibratoDepth: u(0.004, 0.015),
      shimmer: u(0.03, 0.08),
    });
  }
  return voices;
}

/** Options of {@link syntheticSpeechCorpus}. */
export interface SyntheticCorpusOptions {
  /** Number of speakers (1..64). @default 6 */
  speakers?: number;
  /** Utterances per speaker; utterance u says content `u % contents`. @default 10 */
  utterancesPerSpeaker?: number;
  /** Number of content classes (1..12). @default 8 */
  contents?: number;
  /** Sample rate (Hz). @default 16000 */
  sampleRate?: number;
  /** Seed: the same seed gives the same corpus, sample for sample. @default 0 */
  seed?: number;
}

/** One utterance of the synthetic corpus. */
export interface SyntheticUtterance {
  clip: AudioClip;
  /** Speaker index, 0-based. */
  speaker: number;
  speakerName: string;
  /** Content class (index into {@link SYNTHETIC_CONTENTS}). */
  content: number;
  /** The vowel sequence said, e.g. `"a-i-u"`. */
  text: string;
}

/**
 * Builds the synthetic speech corpus: every speaker says every content class in turn, with
 * random duration (0.6-1.0 s), vowel timing, intonation and loudness per utterance.
 * @param options speakers, utterances, contents, sample rate, seed.
 * @returns the utterances, speaker-major (`speaker * utterancesPerSpeaker + u`).
 * @throws {InvalidArgumentError} for out-of-range options.
 * @example
 * ```ts
 * const corpus = syntheticSpeechCorpus({ speakers: 6, utterancesPerSpeaker: 10, seed: 1 });
 * corpus[0]; // { clip, speaker: 0, speakerName: 'ava', content: 0, text: 'a-i-u' }
 * ```
 */
export function syntheticSpeechCorpus(options: SyntheticCorpusOptions = {}): SyntheticUtterance[] {
  const speakers = options.speakers ?? 6;
  const perSpeaker = options.utterancesPerSpeaker ?? 10;
  const contents = options.contents ?? 8;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(perSpeaker) || perSpeaker < 1 || perSpeaker > 10_000) {
    throw new InvalidArgumentError(`syntheticSpeechCorpus: utterancesPerSpeaker must be an integer in [1, 10000]; got ${perSpeaker}.`);
  }
  if (!Number.isInteger(contents) || contents < 1 || contents > SYNTHETIC_CONTENTS.length) {
    throw new InvalidArgumentError(
      `syntheticSpeechCorpus: contents must be an integer in [1, ${SYNTHETIC_CONTENTS.length}]; got ${contents}.`,
    );
  }
  const voices = syntheticVoices(speakers, seed);
  const items: SyntheticUtterance[] = [];
  for (let s = 0; s < speakers; s++) {
    for (let u = 0; u < perSpeaker; u++) {
      const content = u % contents;
      const text = SYNTHETIC_CONTENTS[content];
      const rng = createRng(((seed >>> 0) * 1_000_003 + s * 9_973 + u * 31 + 1) >>> 0);
      const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rng();
      const voice = { ...voices[s], f0: voices[s].f0 * uniform(0.96, 1.04) };
      const clip = synthesizeVowels(text.split('-') as Vowel[], voice, {
        sampleRate: options.sampleRate,
        duration: uniform(0.6, 1.0),
        proportions: [uniform(0.8, 1.2), uniform(0.8, 1.2), uniform(0.8, 1.3)],
        declination: uniform(-0.05, 0.18),
        transitionMs: uniform(60, 110),
        peak: uniform(0.35, 0.7),
        seed: Math.floor(rng() * 2 ** 31),
      });
      items.push({ clip, speaker: s, speakerName: voice.name, content, text });
    }
  }
  return items;
}
