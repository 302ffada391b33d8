/**
 * @file Training-time corruption of sentences (the denoising part of the autoencoder, after
 * TSDAE): characters replaced by gaps, or whole words deleted. The encoder sees the corrupted
 * text, the loss asks for the clean one, so the code must describe the sentence rather than
 * copy its surface, and gaps can be filled in at inference.
 */
import { InvalidArgumentError, createRng } from '@latentkit/core';
import { GAP_MARKER } from './vocabulary.js';

/** How training corrupts its inputs. Every probability is in [0, 1]. */
export interface SentenceNoiseConfig {
  /** Probability a training sentence has characters replaced by gaps. */
  maskProbability: number;
  /** Fraction of characters gapped in such a sentence, drawn uniformly from [min, max]. */
  maskRate: [number, number];
  /** Probability a training sentence (not already gapped) loses whole words. */
  deleteProbability: number;
  /** Fraction of words deleted in such a sentence (at least one word always stays). */
  deleteRate: number;
  [key: string]: number | [number, number];
}

/**
 * Defaults: half the sentences gapped, none with deleted words. Word deletion (TSDAE's noise)
 * shifts every later character, which the position-by-position part of the code cannot
 * undo; it is available for models trained for codes rather than exact reconstruction.
 */
export const DEFAULT_NOISE: SentenceNoiseConfig = { maskProbability: 0.5, maskRate: [0.05, 0.3], deleteProbability: 0, deleteRate: 0.3 };

/** No corruption at all (a plain autoencoder). */
export const NO_NOISE: SentenceNoiseConfig = { maskProbability: 0, maskRate: [0, 0], deleteProbability: 0, deleteRate: 0 };

/**
 * Fills defaults and validates a partial noise config.
 * @throws {InvalidArgumentError} for a probability or rate outside [0, 1].
 */
export function resolveNoise(o: Partial<SentenceNoiseConfig> | false | undefined): SentenceNoiseConfig {
  if (o === false) return { ...NO_NOISE, maskRate: [0, 0] };
  const n: SentenceNoiseConfig = {
    maskProbability: o?.maskProbability ?? DEFAULT_NOISE.maskProbability,
    maskRate: [...(o?.maskRate ?? DEFAULT_NOISE.maskRate)] as [number, number],
    deleteProbability: o?.deleteProbability ?? DEFAULT_NOISE.deleteProbability,
    deleteRate: o?.deleteRate ?? DEFAULT_NOISE.deleteRate,
  };
  const check = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`noise.${name} must be in [0, 1], got ${v}.`);
  };
  check('maskProbability', n.maskProbability);
  check('deleteProbability', n.deleteProbability);
  check('deleteRate', n.deleteRate);
  check('maskRate[0]', n.maskRate[0]);
  check('maskRate[1]', n.maskRate[1]);
  if (n.maskRate[0] > n.maskRate[1]) throw new InvalidArgumentError(`noise.maskRate must be [min, max] with min <= max, got [${n.maskRate.join(', ')}].`);
  return n;
}

/**
 * Replaces about `rate` of the characters of `text` by the gap marker, at least one.
 * @param text a normalised sentence.
 * @param rate fraction of code points gapped.
 * @param rng uniform [0, 1) source.
 * @param skipSpaces gap only non-space characters (how the benchmark gaps text).
 * @returns the gapped text, with as many code points as `text`.
 * @example
 * ```ts
 * gapCharacters('a cat', 0.2, createRng(1)); // e.g. 'a c_t'
 * ```
 */
export function gapCharacters(text: string, rate: number, rng: () => number, skipSpaces = false): string {
  const cps = [...text];
  const eligible = cps.map((c, i) => (skipSpaces && c === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (eligible.length === 0) return text;
  let gapped = 0;
  for (const i of eligible) {
    if (rng() < rate) {
      cps[i] = GAP_MARKER;
      gapped++;
    }
  }
  if (gapped === 0) cps[eligible[Math.floor(rng() * eligible.length)]] = GAP_MARKER;
  return cps.join('');
}

/** Deletes about `rate` of the words of `text`, keeping at least one. */
export function deleteWords(text: string, rate: number, rng: () => number): string {
  const words = text.split(' ');
  const kept = words.filter(() => rng() >= rate);
  return kept.length > 0 ? kept.join(' ') : words[Math.floor(rng() * words.length)];
}

/**
 * Corrupts a batch of normalised sentences for one training step, repeatably from `seed`.
 * @returns one input per sentence (the clean sentence when it drew no corruption).
 */
export function corruptBatch(texts: readonly string[], noise: SentenceNoiseConfig, seed: number): string[] {
  const rng = createRng(seed);
  return texts.map((t) => {
    const u = rng();
    if (u < noise.maskProbability) {
      const rate = noise.maskRate[0] + rng() * (noise.maskRate[1] - noise.maskRate[0]);
      return gapCharacters(t, rate, rng);
    }
    if (u < noise.maskProbability + noise.deleteProbability && t.includes(' ')) return deleteWords(t, noise.deleteRate, rng);
    return t;
  });
}
