/**
 * @file Reading WAV files into mono {@link AudioClip}s: validate the RIFF structure
 * (wav-header.ts), decode with wav-decoder, mix to mono, then optionally trim and resample.
 */
import { readFile, stat } from 'node:fs/promises';
import wavDecoder from 'wav-decoder';
import { DecodeError, EmptyInputError, InputLimitError, InputTooLargeError, InvalidArgumentError } from '@latentkit/core';
import type { AudioClip } from './audio-clip.js';
import { checkSampleRate } from './audio-clip.js';
import { resample } from './resample.js';
import { trimSilence } from './trim.js';
import type { TrimOptions } from './trim.js';
import { parseWavHeader } from './wav-header.js';
import type { WavInfo } from './wav-header.js';

/** Options of {@link readWav} and {@link decodeWav}. */
export interface ReadWavOptions {
  /** Resample to this rate (Hz) after decoding. @default the file's own rate */
  sampleRate?: number;
  /** Trim leading/trailing silence (before resampling); `true` uses the {@link TrimOptions} defaults. @default false */
  trimSilence?: boolean | TrimOptions;
  /**
   * Refuse files longer than this many seconds, checked from the header before any sample
   * is decoded, so a huge or lying file cannot exhaust memory.
   * @default 600
   */
  maxSeconds?: number;
}

/** Default refusal threshold for long files (10 minutes). */
export const DEFAULT_MAX_SECONDS = 600;
// Hard ceilings independent of options: 2^27 decoded float samples is 512 MiB.
const MAX_DECODED_SAMPLES = 2 ** 27;
const MAX_FILE_BYTES = 2 ** 30;

/**
 * Reads a WAV file (or the bytes of one) into a mono clip.
 *
 * Decodes 8/16/24/32-bit integer PCM and 32/64-bit float, plain or WAVE_FORMAT_EXTENSIBLE,
 * any channel count (averaged to mono). Integer samples map full scale to exactly [-1, 1]
 * (negative values divide by 2^(bits-1), positive ones by 2^(bits-1) - 1), the convention
 * {@link encodeWav16} inverts exactly.
 *
 * @param source a file path, or the file's bytes.
 * @param options resampling, trimming and size limit.
 * @returns the decoded mono clip.
 * @throws {EmptyInputError} zero-length file, no audio frames, or only silence after trimming.
 * @throws {UnsupportedFormatError} ADPCM, mu-law, A-law, 12-bit and other encodings.
 * @throws {DecodeError} unreadable path, non-WAV or corrupt file, non-finite float samples.
 * @throws {InputLimitError} longer than `maxSeconds` (from the header); {InputTooLargeError} too large to decode safely.
 * @throws {InvalidArgumentError} bad options.
 * @example
 * ```ts
 * const clip = await readWav('speech.wav', { sampleRate: 16000, trimSilence: true });
 * console.log(clip.samples.length / clip.sampleRate, 'seconds');
 * ```
 */
export async function readWav(source: string | Uint8Array, options: ReadWavOptions = {}): Promise<AudioClip> {
  if (typeof source !== 'string') return decodeWav(source, options);
  let bytes: Uint8Array;
  try {
    const st = await stat(source);
    if (!st.isFile()) throw new DecodeError(`${source}: not a regular file.`, { file: source });
    if (st.size > MAX_FILE_BYTES) {
      throw new InputTooLargeError(`${source}: ${st.size} bytes exceeds the ${MAX_FILE_BYTES}-byte limit for a WAV file.`, {
        file: source,
      });
    }
    bytes = await readFile(source);
  } catch (e) {
    if (e instanceof DecodeError || e instanceof InputTooLargeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DecodeError(`${source}: cannot read the file (${code ?? String(e)}).`, {
      file: source,
      cause: e,
      hint: code === 'ENOENT' ? 'Check the path.' : undefined,
    });
  }
  return decodeWav(bytes, options, source);
}

/**
 * Decodes the bytes of a WAV file into a mono clip (the synchronous core of {@link readWav}).
 * @param bytes the whole file.
 * @param options as for {@link readWav}.
 * @param name the file name used in error messages.
 * @default name `"<buffer>"`
 * @returns the decoded mono clip.
 * @throws the same errors as {@link readWav}.
 * @example
 * ```ts
 * const clip = decodeWav(encodeWav16({ samples: new Float32Array([0, 0.5]), sampleRate: 8000 }));
 * ```
 */
export function decodeWav(bytes: Uint8Array, options: ReadWavOptions = {}, name = '<buffer>'): AudioClip {
  const maxSeconds = options.maxSeconds ?? DEFAULT_MAX_SECONDS;
  if (!(maxSeconds > 0)) throw new InvalidArgumentError(`readWav: maxSeconds must be > 0; got ${maxSeconds}.`);
  if (options.sampleRate !== undefined) checkSampleRate(options.sampleRate, 'readWav: sampleRate');
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError(`readWav: expected a file path or a Uint8Array; got ${typeof bytes}.`);
  }
  const info = parseWavHeader(bytes, name);
  if (info.duration > maxSeconds) {
    throw new InputLimitError(
      `${name}: ${info.duration.toFixed(1)} s of audio exceeds maxSeconds = ${maxSeconds}.`,
      'maxSeconds',
      maxSeconds,
      info.duration,
      { file: name, hint: 'Pass a larger maxSeconds if this is intended.' },
    );
  }
  if (info.frames * info.channels > MAX_DECODED_SAMPLES) {
    throw new InputTooLargeError(
      `${name}: ${info.frames} frames x ${info.channels} channels exceeds the ${MAX_DECODED_SAMPLES}-sample decode limit.`,
      { file: name },
    );
  }
  const channels = info.bitsPerSample === 24 ? decodePcm24(bytes, info) : decodeWithLibrary(bytes, info, name);
  let samples = mixToMono(channels);
  if (info.format === 'float') {
    for (let i = 0; i < samples.length; i++) {
      if (!Number.isFinite(samples[i])) {
        throw new DecodeError(`${name}: float sample ${i} is ${samples[i]}; the file holds non-finite values.`, { file: name });
      }
    }
  }
  let sampleRate = info.sampleRate;
  if (options.trimSilence) {
    samples = trimSilence(samples, sampleRate, options.trimSilence === true ? {} : options.trimSilence);
    if (samples.length === 0) throw new EmptyInputError(`${name}: nothing but silence after trimming.`, { file: name });
  }
  if (options.sampleRate !== undefined && options.sampleRate !== sampleRate) {
    samples = resample(samples, sampleRate, options.sampleRate);
    sampleRate = options.sampleRate;
  }
  return { samples, sampleRate };
}

/**
 * Hands wav-decoder a canonical copy (44-byte header, then the validated sample bytes), so
 * chunk order, pad bytes, extensible headers and lying sizes are already dealt with.
 */
function decodeWithLibrary(bytes: Uint8Array, info: WavInfo, name: string): Float32Array[] {
  const buf = new ArrayBuffer(44 + info.dataBytes);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  u8.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  v.setUint32(4, 36 + info.dataBytes, true);
  u8.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8); // WAVEfmt
  v.setUint32(16, 16, true);
  v.setUint16(20, info.format === 'float' ? 3 : 1, true);
  v.setUint16(22, info.channels, true);
  v.setUint32(24, info.sampleRate, true);
  v.setUint32(28, info.sampleRate * info.blockAlign, true);
  v.setUint16(32, info.blockAlign, true);
  v.setUint16(34, info.bitsPerSample, true);
  u8.set([0x64, 0x61, 0x74, 0x61], 36); // data
  v.setUint32(40, info.dataBytes, true);
  u8.set(bytes.subarray(info.dataOffset, info.dataOffset + info.dataBytes), 44);
  try {
    const decoded = wavDecoder.decode.sync(buf);
    if (decoded.channelData.length !== info.channels || decoded.length !== info.frames) {
      throw new Error(`decoder returned ${decoded.channelData.length} x ${decoded.length}, expected ${info.channels} x ${info.frames}`);
    }
    return decoded.channelData;
  } catch (e) {
    throw new DecodeError(`${name}: could not decode the samples (${e instanceof Error ? e.message : String(e)}).`, {
      file: name,
      cause: e,
    });
  }
}

/**
 * 24-bit PCM decoded here rather than by wav-decoder: its sign test (`> 0x800000`) turns the
 * most negative value, -8388608, into +1.0000001 instead of -1.
 */
function decodePcm24(bytes: Uint8Array, info: WavInfo): Float32Array[] {
  const { channels, frames, dataOffset } = info;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  let p = dataOffset;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const u = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16);
      const s = u & 0x800000 ? u - 0x1000000 : u;
      out[c][i] = s < 0 ? s / 8388608 : s / 8388607;
      p += 3;
    }
  }
  return out;
}

function mixToMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const n = channels[0].length;
  const out = new Float32Array(n);
  const scale = 1 / channels.length;
  for (const ch of channels) for (let i = 0; i < n; i++) out[i] += ch[i];
  for (let i = 0; i < n; i++) out[i] *= scale;
  return out;
}
