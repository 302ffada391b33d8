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
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000) {
    throw new InvalidArgumentError(`${what} must be an integer in [1, 1000000] Hz; got ${rate}.`);
  }
}
