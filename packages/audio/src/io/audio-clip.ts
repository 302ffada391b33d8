/**
 * @file The one audio type every function of this package passes around.
 */
import { InvalidArgumentError } from '@latentkit/core';

/**
 * A mono audio signal.
 *
 * @example
 * ```ts
 * const clip: AudioClip = { samples: new Float32Array(16000), sampleRate: 16000 }; // 1 s of silence
 * ```
 */
export interface AudioClip {
  /** Mono samples, nominally in [-1, 1] (float WAVs may exceed it; nothing here clips on read). */
  samples: Float32Array;
  /** Samples per second (Hz), a positive integer. */
  sampleRate: number;
}

/**
 * Duration of a clip in seconds.
 * @param clip the clip.
 * @returns `samples.length / sampleRate`.
 * @example
 * ```ts
 * clipDuration({ samples: new Float32Array(8000), sampleRate: 16000 }); // 0.5
 * ```
 */
export function clipDuration(clip: AudioClip): number {
  return clip.samples.length / clip.sampleRate;
}

/**
 * Checks that a sample rate is a positive integer within what any audio format uses.
 * @internal
 */
export function checkSampleRate(rate: number, what = 'sampleRate'): void {
  // Below 1 kHz nothing is speech, and resampling from such rates costs a filter phase per
  // output sample (a header claiming 1 Hz once stalled readWav for 49 s).
  if (!Number.isInteger(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    throw new InvalidArgumentError(`${what} must be an integer in [${MIN_SAMPLE_RATE}, ${MAX_SAMPLE_RATE}] Hz; got ${rate}.`);
  }
}

/** Lowest sample rate latentkit reads or resamples (Hz). */
export const MIN_SAMPLE_RATE = 1000;
/** Highest sample rate latentkit reads or resamples (Hz). */
export const MAX_SAMPLE_RATE = 1_000_000;
