/**
 * @file Leading/trailing silence removal by frame energy relative to the loudest frame
 * (the rule librosa.effects.trim uses), so it works the same on quiet and loud recordings.
 */
import { InvalidArgumentError } from '@latentkit/core';
import { checkSampleRate } from './audio-clip.js';

/** Options of {@link trimSilence}. */
export interface TrimOptions {
  /** Frames whose RMS is below the loudest frame's RMS by more than this (dB, negative) count as silence. @default -40 */
  thresholdDb?: number;
  /** Analysis frame length in milliseconds. @default 20 */
  frameMs?: number;
  /** Silence kept on each side of the detected sound, in milliseconds. @default 30 */
  padMs?: number;
}

/**
 * Finds where sound starts and ends.
 * @param samples the signal.
 * @param sampleRate its rate (Hz).
 * @param options threshold, frame and padding.
 * @returns `[start, end)` sample indices; `start === end === 0` when everything is silent.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const [start, end] = silenceBounds(x, 16000, { thresholdDb: -35 });
 * ```
 */
export function silenceBounds(samples: Float32Array, sampleRate: number, options: TrimOptions = {}): [number, number] {
  checkSampleRate(sampleRate, 'trimSilence: sampleRate');
  const thresholdDb = options.thresholdDb ?? -40;
  const frameMs = options.frameMs ?? 20;
  const padMs = options.padMs ?? 30;
  if (!(thresholdDb < 0)) throw new InvalidArgumentError(`trimSilence: thresholdDb must be negative; got ${thresholdDb}.`);
  if (!(frameMs > 0)) throw new InvalidArgumentError(`trimSilence: frameMs must be > 0; got ${frameMs}.`);
  if (!(padMs >= 0)) throw new InvalidArgumentError(`trimSilence: padMs must be >= 0; got ${padMs}.`);
  const n = samples.length;
  if (n === 0) return [0, 0];
  const frame = Math.max(1, Math.round((frameMs / 1000) * sampleRate));
  const hop = Math.max(1, Math.floor(frame / 2));
  const count = Math.max(1, Math.ceil((n - frame) / hop) + 1);
  const energy = new Float64Array(count);
  let peak = 0;
  for (let f = 0; f < count; f++) {
    const s = f * hop;
    const e = Math.min(n, s + frame);
    let acc = 0;
    for (let i = s; i < e; i++) acc += samples[i] * samples[i];
    energy[f] = acc / frame;
    if (energy[f] > peak) peak = energy[f];
  }
  if (!(peak > 0)) return [0, 0];
  // Energy ratio threshold: thresholdDb is in amplitude dB, so power ratio is 10^(dB/10).
  const limit = peak * 10 ** (thresholdDb / 10);
  let first = 0;
  while (first < count && energy[first] <= limit) first++;
  let last = count - 1;
  while (last > first && energy[last] <= limit) last--;
  const pad = Math.round((padMs / 1000) * sampleRate);
  const start = Math.max(0, first * hop - pad);
  const end = Math.min(n, last * hop + frame + pad);
  return [start, end];
}

/**
 * Removes leading and trailing silence.
 * @param samples the signal.
 * @param sampleRate its rate (Hz).
 * @param options threshold (default -40 dB below the loudest frame), frame and padding.
 * @returns a new, possibly shorter array; empty when the input is all zeros.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const speech = trimSilence(clip.samples, clip.sampleRate, { thresholdDb: -40, padMs: 50 });
 * ```
 */
export function trimSilence(samples: Float32Array, sampleRate: number, options: TrimOptions = {}): Float32Array {
  const [start, end] = silenceBounds(samples, sampleRate, options);
  return samples.slice(start, end);
}
