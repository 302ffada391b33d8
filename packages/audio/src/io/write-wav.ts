/**
 * @file Writing clips as 16-bit PCM WAV, the one format every player and tool reads.
 */
import { InputTooLargeError, InvalidArgumentError, writeFileAtomic } from '@latentkit/core';
import type { AudioClip } from './audio-clip.js';
import { checkSampleRate } from './audio-clip.js';

/**
 * Encodes a clip as a mono 16-bit PCM WAV file.
 *
 * Samples are clipped to [-1, 1] (NaN becomes 0) and rounded to the nearest integer with the
 * scale {@link readWav} uses (x 32768 below zero, x 32767 above), so decoding and re-encoding
 * gives back the same bytes.
 *
 * @param clip the audio.
 * @returns the complete file (44-byte header + samples).
 * @throws {InvalidArgumentError} for a bad sample rate.
 * @throws {InputTooLargeError} when the data would not fit a 4 GiB RIFF file.
 * @example
 * ```ts
 * const bytes = encodeWav16({ samples: new Float32Array([0, 0.5, -0.5]), sampleRate: 16000 });
 * ```
 */
export function encodeWav16(clip: AudioClip): Uint8Array {
  checkSampleRate(clip.sampleRate, 'encodeWav16: sampleRate');
  const { samples } = clip;
  const dataBytes = samples.length * 2;
  if (dataBytes > 0xffffffff - 44) {
    throw new InputTooLargeError(`encodeWav16: ${samples.length} samples do not fit a RIFF file (4 GiB limit).`);
  }
  const out = new Uint8Array(44 + dataBytes);
  const v = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  v.setUint32(4, 36 + dataBytes, true);
  out.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8); // WAVEfmt
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, clip.sampleRate, true);
  v.setUint32(28, clip.sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  out.set([0x64, 0x61, 0x74, 0x61], 36); // data
  v.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    let s = samples[i];
    if (!(s === s)) s = 0; // NaN
    const q = s < 0 ? Math.round(Math.max(s, -1) * 32768) : Math.round(Math.min(s, 1) * 32767);
    v.setInt16(44 + 2 * i, q, true);
  }
  return out;
}

/**
 * Writes a clip to `path` as 16-bit PCM WAV, atomically (temporary file, then rename).
 * @param path the target file; its folder must exist.
 * @param clip the audio.
 * @returns once the file is in place.
 * @throws {InvalidArgumentError} for a bad sample rate or an empty path.
 * @throws {InputTooLargeError} as {@link encodeWav16}.
 * @example
 * ```ts
 * await writeWav('/tmp/out.wav', { samples, sampleRate: 16000 });
 * ```
 */
export async function writeWav(path: string, clip: AudioClip): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('writeWav: path must be a non-empty string.');
  await writeFileAtomic(path, encodeWav16(clip));
}
