/**
 * @file Audio in a page: an `AudioBuffer` (Web Audio), a Float32Array of samples, or an audio
 * file `Blob` to the package's {@link AudioClip}, and a clip back to an `AudioBuffer` to play.
 * Several channels are averaged to mono, as the Node WAV reader does.
 *
 * The Web Audio types are described structurally (the packages compile without the DOM library).
 */
import { DecodeError, EmptyInputError, InvalidArgumentError } from '@latentkit/core';
import { checkSampleRate, type AudioClip } from '../io/audio-clip.js';
import { resample } from '../io/resample.js';

/** What this file reads of an `AudioBuffer`. */
export interface AudioBufferLike {
  readonly numberOfChannels: number;
  readonly length: number;
  readonly sampleRate: number;
  getChannelData(channel: number): Float32Array;
}

/** Options of the converters to a clip. */
export interface WebClipOptions {
  /** Resample to this rate (e.g. the model's `config.sampleRate`). @default the source's rate */
  sampleRate?: number;
}

/**
 * An `AudioBuffer` as a mono {@link AudioClip} (channels averaged), resampled when asked.
 * @throws {EmptyInputError} for a buffer without samples.
 * @example
 * ```ts
 * const clip = clipFromAudioBuffer(audioBuffer, { sampleRate: model.config.sampleRate });
 * ```
 */
export function clipFromAudioBuffer(buffer: AudioBufferLike, options: WebClipOptions = {}): AudioClip {
  if (buffer.length === 0 || buffer.numberOfChannels === 0) throw new EmptyInputError('The AudioBuffer holds no samples.');
  const mono = new Float32Array(buffer.length);
  for (let c = 0; c < buffer.numberOfChannels; c++) {
    const ch = buffer.getChannelData(c);
    for (let i = 0; i < mono.length; i++) mono[i] += ch[i] / buffer.numberOfChannels;
  }
  return clipFromSamples(mono, Math.round(buffer.sampleRate), options);
}

/**
 * Mono samples at `sampleRate` as an {@link AudioClip}, resampled when `options.sampleRate` differs.
 * @throws {InvalidArgumentError} for a sample rate that is not a positive integer in range.
 * @example
 * ```ts
 * const clip = clipFromSamples(new Float32Array(micSamples), 48000, { sampleRate: 16000 });
 * ```
 */
export function clipFromSamples(samples: Float32Array, sampleRate: number, options: WebClipOptions = {}): AudioClip {
  checkSampleRate(sampleRate);
  if (samples.length === 0) throw new EmptyInputError('The clip holds no samples.');
  const to = options.sampleRate ?? sampleRate;
  if (to === sampleRate) return { samples, sampleRate };
  return { samples: resample(samples, sampleRate, to), sampleRate: to };
}

/**
 * Decodes an audio file (WAV, and whatever else the browser decodes) to a mono clip at
 * `options.sampleRate` (Web Audio resamples while decoding).
 * @throws {DecodeError} when the browser cannot decode the bytes.
 * @example
 * ```ts
 * const clip = await clipFromBlob(input.files[0], { sampleRate: 16000 });
 * ```
 */
export async function clipFromBlob(blob: Blob, options: WebClipOptions = {}): Promise<AudioClip> {
  const Offline = (globalThis as { OfflineAudioContext?: new (channels: number, length: number, rate: number) => { decodeAudioData(b: ArrayBuffer): Promise<AudioBufferLike> } }).OfflineAudioContext;
  if (!Offline) throw new InvalidArgumentError('Decoding an audio Blob needs Web Audio (OfflineAudioContext), found in pages.');
  const rate = options.sampleRate ?? 16_000;
  checkSampleRate(rate);
  let buffer: AudioBufferLike;
  try {
    buffer = await new Offline(1, 1, rate).decodeAudioData(await blob.arrayBuffer());
  } catch (e) {
    throw new DecodeError(`The browser cannot decode this ${blob.type || 'audio'} Blob of ${blob.size} bytes (${(e as Error).message}).`, { cause: e });
  }
  return clipFromAudioBuffer(buffer, { sampleRate: rate });
}

/** The `AudioBuffer` constructor of a page. */
type AudioBufferConstructor = new (options: { length: number; sampleRate: number; numberOfChannels: number }) => AudioBufferLike & {
  copyToChannel(source: Float32Array, channel: number): void;
};

/**
 * A clip as a one-channel `AudioBuffer`, ready for an `AudioBufferSourceNode` (play it) or an
 * `OfflineAudioContext` (render it). Samples are clipped to [-1, 1].
 * @throws {InvalidArgumentError} outside a page (no `AudioBuffer`).
 * @example
 * ```ts
 * const [clip] = await model.decode([code]);
 * const source = new AudioBufferSourceNode(ctx, { buffer: clipToAudioBuffer(clip) });
 * source.connect(ctx.destination); source.start();
 * ```
 */
export function clipToAudioBuffer(clip: AudioClip): AudioBufferLike {
  const Ctor = (globalThis as { AudioBuffer?: AudioBufferConstructor }).AudioBuffer;
  if (!Ctor) throw new InvalidArgumentError('clipToAudioBuffer needs Web Audio (AudioBuffer), found in pages.');
  if (clip.samples.length === 0) throw new EmptyInputError('The clip holds no samples.');
  const buffer = new Ctor({ length: clip.samples.length, sampleRate: clip.sampleRate, numberOfChannels: 1 });
  const clipped = clip.samples.map((v) => Math.max(-1, Math.min(1, v)));
  buffer.copyToChannel(clipped, 0);
  return buffer;
}
