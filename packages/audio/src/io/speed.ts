/**
 * @file Speed perturbation: a clip played faster or slower, as a tape would, so pitch,
 * formants and duration all change by the same factor. Speech systems use it to make new
 * voices out of a few speakers (the speaker-verification recipes of Kaldi, for example);
 * a vocal tract 10% shorter or longer is still a plausible human voice.
 */
import { InvalidArgumentError } from '@latentkit/core';
import { checkSampleRate, type AudioClip } from './audio-clip.js';
import { resample } from './resample.js';

/** The range of speed factors accepted; beyond it speech stops sounding human. */
export const SPEED_FACTOR_RANGE = [0.5, 2] as const;

/**
 * Plays a clip `factor` times faster: every frequency is multiplied by `factor` and the
 * duration divided by it (0.9 is lower and slower, 1.1 higher and faster). The result keeps the
 * clip's sample rate; it is the clip read as if recorded at `factor` times its rate, then
 * resampled back with the band-limited {@link resample}.
 *
 * @param clip the clip (not changed).
 * @param factor speed factor in [0.5, 2]; 1 returns a copy.
 * @returns a new clip at `clip.sampleRate`, about `clip.samples.length / factor` samples long.
 * @throws {InvalidArgumentError} for a factor outside [0.5, 2] or an invalid sample rate.
 * @example
 * ```ts
 * const voices = [0.9, 1, 1.1].map((f) => speedPerturb(clip, f)); // three voices from one
 * ```
 */
export function speedPerturb(clip: AudioClip, factor: number): AudioClip {
  const [lo, hi] = SPEED_FACTOR_RANGE;
  if (typeof factor !== 'number' || !(factor >= lo && factor <= hi)) {
    throw new InvalidArgumentError(`speedPerturb: factor must be a number in [${lo}, ${hi}]; got ${String(factor)}.`);
  }
  checkSampleRate(clip.sampleRate, 'speedPerturb: clip.sampleRate');
  const from = Math.round(clip.sampleRate * factor);
  return { samples: resample(clip.samples, from, clip.sampleRate), sampleRate: clip.sampleRate };
}
