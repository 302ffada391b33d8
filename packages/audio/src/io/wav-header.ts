/**
 * @file RIFF/WAVE structure validation. wav-decoder trusts every size field it reads (a
 * truncated `fmt ` chunk, a `data` chunk before `fmt `, a zero block size or an odd-sized
 * chunk without its pad byte make it throw a bare TypeError, loop past the end or return
 * garbage), so every byte range is checked here first and the decoder only ever sees a
 * canonical, validated file.
 */
import { DecodeError, EmptyInputError, UnsupportedFormatError } from '@latentkit/core';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from './audio-clip.js';

/** Sample encodings latentkit decodes. */
export type WavSampleFormat = 'pcm' | 'float';

/** What a WAV file's header says, after validation. */
export interface WavInfo {
  /** Sample encoding (after resolving WAVE_FORMAT_EXTENSIBLE). */
  format: WavSampleFormat;
  /** The raw `wFormatTag` (1 PCM, 3 float, 0xFFFE extensible). */
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per frame (all channels of one sample instant). */
  blockAlign: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of sample data actually present (whole frames only). */
  dataBytes: number;
  /** Number of frames (samples per channel). */
  frames: number;
  /** Duration in seconds. */
  duration: number;
  /** True when a header claimed more data than the file holds (the tail was clamped). */
  truncated: boolean;
}

// Names for the encodings people actually meet, so the error says "mu-law", not "0x0007".
const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0016: 'ITU G.723 ADPCM',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x0161: 'WMA',
  0x2000: 'AC-3',
  0xf1ac: 'FLAC',
};

const SUPPORTED = 'latentkit reads 8/16/24/32-bit integer PCM and 32/64-bit float WAV';
const MAX_CHANNELS = 64;
const MAX_RATE = MAX_SAMPLE_RATE;
const MIN_RATE = MIN_SAMPLE_RATE;

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function printable(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function show(id: string): string {
  return printable(id)
    ? JSON.stringify(id)
    : `0x${[...id].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`;
}

/** Guesses what a non-WAV file is, for a friendlier message. */
function sniff(b: Uint8Array): string {
  const head = fourcc(b, 0);
  if (head === 'OggS') return ' (looks like an Ogg file)';
  if (head === 'fLaC') return ' (looks like a FLAC file)';
  if (head.startsWith('ID3') || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0)) return ' (looks like an MP3 file)';
  if (head === 'FORM') return ' (looks like an AIFF file)';
  if (b[0] === 0x89 && head.slice(1) === 'PNG') return ' (looks like a PNG image)';
  if (b[0] === 0xff && b[1] === 0xd8) return ' (looks like a JPEG image)';
  return '';
}

/**
 * Validates the RIFF/WAVE structure of `bytes` and returns what its header says.
 *
 * Chunks may come in any order; unknown chunks are skipped; odd-sized chunks are followed by
 * their pad byte. A `data` chunk (or RIFF size) that claims more bytes than the file holds is
 * clamped to the whole frames present (`truncated: true`): streaming writers leave such sizes
 * behind, and the samples that are there are still good.
 *
 * @param bytes the whole file.
 * @param name the file name for messages (`"<buffer>"` for in-memory input).
 * @returns the validated header.
 * @throws {EmptyInputError} for a zero-length file or one without sample frames.
 * @throws {UnsupportedFormatError} for a valid WAV in an encoding latentkit does not decode
 *   (ADPCM, mu-law, A-law, 12-bit PCM, RIFX/RF64, ...).
 * @throws {DecodeError} for anything that is not a well-formed WAV file.
 * @example
 * ```ts
 * const info = parseWavHeader(await readFile('a.wav'), 'a.wav');
 * console.log(info.sampleRate, info.channels, info.duration);
 * ```
 */
export function parseWavHeader(bytes: Uint8Array, name: string): WavInfo {
  const len = bytes.length;
  const fail = (problem: string): never => {
    throw new DecodeError(`${name}: ${problem}`, { file: name });
  };
  if (len === 0) throw new EmptyInputError(`${name}: the file is empty (0 bytes); expected a WAV file.`, { file: name });
  if (len < 12) fail(`too short to be a WAV file (${len} bytes; a RIFF/WAVE header alone is 12).`);
  const magic = fourcc(bytes, 0);
  if (magic === 'RIFX' || magic === 'RF64' || magic === 'BW64') {
    throw new UnsupportedFormatError(
      `${name}: ${magic} files (${magic === 'RIFX' ? 'big-endian' : '64-bit'} WAV) are not supported; ${SUPPORTED}. ` +
        'Convert it, e.g. `sox in.wav -b 16 out.wav`.',
      { file: name },
    );
  }
  if (magic !== 'RIFF') fail(`not a WAV file: expected "RIFF" at byte 0, found ${show(magic)}${sniff(bytes)}.`);
  const wave = fourcc(bytes, 8);
  if (wave !== 'WAVE') fail(`not a WAV file: RIFF form type is ${show(wave)}, expected "WAVE"${sniff(bytes)}.`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riffSize = view.getUint32(4, true);
  let truncated = 8 + riffSize > len;

  let fmt: { offset: number; size: number } | undefined;
  let data: { offset: number; size: number } | undefined;
  let pos = 12;
  // Every iteration advances by at least 8 bytes, so the walk ends within len / 8 steps.
  while (pos + 8 <= len) {
    const id = fourcc(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    if (!printable(id)) {
      // Junk after the chunks we need is tolerated (some tools append garbage); before, it is corruption.
      if (fmt && data) break;
      fail(`corrupt chunk header at byte ${pos} (id ${show(id)}); the file is damaged or not a WAV file.`);
    }
    const body = pos + 8;
    const available = len - body;
    if (id === 'fmt ') {
      if (size > available) fail(`truncated: the "fmt " chunk claims ${size} bytes but only ${available} remain.`);
      if (!fmt) fmt = { offset: body, size };
    } else if (id === 'data') {
      if (!data) {
        if (size > available) truncated = true;
        data = { offset: body, size: Math.min(size, available) };
      }
      if (size >= available) break;
    } else if (size > available) {
      if (fmt && data) break;
      fail(`truncated: chunk ${show(id)} at byte ${pos} claims ${size} bytes but only ${available} remain.`);
    }
    pos = body + size + (size & 1);
  }
  if (!fmt) fail(`no "fmt " chunk found${pos + 8 > len && !data ? ' (the file may be truncated)' : ''}; cannot tell the sample format.`);
  const f = fmt!;
  if (f.size < 16) fail(`the "fmt " chunk is ${f.size} bytes; at least 16 are required.`);
  const formatTag = view.getUint16(f.offset, true);
  const channels = view.getUint16(f.offset + 2, true);
  const sampleRate = view.getUint32(f.offset + 4, true);
  const blockAlign = view.getUint16(f.offset + 12, true);
  const bitsPerSample = view.getUint16(f.offset + 14, true);

  let code = formatTag;
  if (formatTag === 0xfffe) {
    // WAVE_FORMAT_EXTENSIBLE: the real format code is the first two bytes of the SubFormat GUID.
    if (f.size < 40) fail(`WAVE_FORMAT_EXTENSIBLE "fmt " chunk is ${f.size} bytes; 40 are required.`);
    code = view.getUint16(f.offset + 24, true);
  }
  let format: WavSampleFormat;
  if (code === 1) format = 'pcm';
  else if (code === 3) format = 'float';
  else {
    const label = FORMAT_NAMES[code] ?? 'unknown';
    throw new UnsupportedFormatError(
      `${name}: unsupported WAV encoding ${label} (format tag 0x${code.toString(16).padStart(4, '0')}); ${SUPPORTED}.`,
      { file: name, hint: 'Convert it to 16-bit PCM, e.g. `sox in.wav -e signed-integer -b 16 out.wav`.' },
    );
  }
  const bitsOk = format === 'pcm' ? [8, 16, 24, 32].includes(bitsPerSample) : [32, 64].includes(bitsPerSample);
  if (!bitsOk) {
    throw new UnsupportedFormatError(
      `${name}: unsupported ${bitsPerSample}-bit ${format === 'pcm' ? 'integer PCM' : 'float'} samples; ${SUPPORTED}.`,
      { file: name, hint: 'Convert it to 16-bit PCM, e.g. `sox in.wav -b 16 out.wav`.' },
    );
  }
  if (channels === 0) fail('the "fmt " chunk says 0 channels.');
  if (channels > MAX_CHANNELS) fail(`the "fmt " chunk says ${channels} channels; at most ${MAX_CHANNELS} are accepted.`);
  if (sampleRate === 0 || sampleRate > MAX_RATE) fail(`the "fmt " chunk says sample rate ${sampleRate} Hz; expected ${MIN_RATE}..${MAX_RATE}.`);
  if (sampleRate < MIN_RATE) {
    throw new UnsupportedFormatError(`${name}: sample rate ${sampleRate} Hz is below the ${MIN_RATE} Hz latentkit reads.`, { file: name });
  }
  const expectedAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectedAlign) {
    fail(`the "fmt " chunk says block align ${blockAlign} bytes, expected ${expectedAlign} (${channels} channels x ${bitsPerSample} bits).`);
  }
  if (!data) fail(`no "data" chunk found${truncated || pos + 8 > len ? ' (the file may be truncated)' : ''}.`);
  const d = data!;
  const frames = Math.floor(d.size / blockAlign);
  if (frames === 0) {
    throw new EmptyInputError(`${name}: the WAV file holds no audio (data chunk of ${d.size} bytes).`, { file: name });
  }
  return {
    format,
    formatTag,
    channels,
    sampleRate,
    bitsPerSample,
    blockAlign,
    dataOffset: d.offset,
    dataBytes: frames * blockAlign,
    frames,
    duration: frames / sampleRate,
    truncated,
  };
}
