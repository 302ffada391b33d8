/**
 * @file The seeded malformed-input corpus: valid seeds from the real writers (`encodeWav16`,
 * `encodePng`, sharp for JPEG/WebP/GIF/TIFF, hand-written IDX, saved model folders), then
 * hand-picked structural mutations (lying sizes, odd chunk orders, unsupported encodings,
 * absurd dimensions, path escapes, ...) and seeded random ones until the requested count.
 *
 * Nothing here is committed as a blob: `generateCorpus({ seed, count })` rebuilds the same
 * inputs byte for byte (model folders up to their random generation-folder names).
 */
import { gzipSync } from 'node:zlib';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@latentkit/core';
import * as audio from '@latentkit/audio';
import * as image from '@latentkit/image';
import * as text from '@latentkit/text';
import {
  ascii,
  concat,
  fmtBody,
  gzipMembers,
  idxFile,
  idxPayload,
  INTERESTING_U16,
  INTERESTING_U32,
  PNG_SIGNATURE,
  rand,
  randomByteMutation,
  riffChunk,
  riffChunks,
  riffFile,
  setField,
  sineSamples,
  wavFile,
  type Rand,
} from './bytes.js';
import { imageCases, imageRandom, imageSeeds } from './image-cases.js';
import { folderMutations, randomFolderMutation, readFolderImage, type FolderImage } from './model-folders.js';

/** A plain copy: Node Buffers' `slice` is a view, and mutating one must never touch a seed. */
export function u8(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** Which loaders an input is meant for. */
export type FuzzTarget = 'wav' | 'image' | 'idx' | 'mnist' | 'model' | 'pretrained';

/** How a file input is presented when a loader takes a path. */
export type PathKind = 'file' | 'missing' | 'directory' | 'fifo' | 'dev-zero' | 'dangling-symlink';

interface InputBase {
  /** Stable id, e.g. `wav/0042`. */
  id: string;
  target: FuzzTarget;
  /** The valid seed it was derived from. */
  seed: string;
  /** What was done to the seed (enough to rebuild the case by hand). */
  mutation: string;
}

/** A single file (WAV, image, IDX). */
export interface FileInput extends InputBase {
  target: 'wav' | 'image' | 'idx';
  /** File name to use when written to disk (the extension matters to some loaders). */
  name: string;
  bytes: Uint8Array;
  /** @default 'file' */
  path?: PathKind;
}

/** A folder: a model folder (`model`), an MNIST-layout folder (`mnist`) or a Transformers.js model folder (`pretrained`). */
export interface FolderInput extends InputBase {
  target: 'model' | 'mnist' | 'pretrained';
  image: FolderImage;
  /** For `model`: the seed model's loader name (see the harness). */
  modelClass?: string;
}

export type FuzzInput = FileInput | FolderInput;

/** A model kind the corpus saves a seed of, and how. */
export interface ModelSeedSpec {
  /** Seed name, e.g. `vector-ae`. */
  name: string;
  /** Export name of the class in its package. */
  className: string;
  pkg: Record<string, unknown>;
  /** Small options; tried first, then `{}`. */
  options: Record<string, unknown>;
  /** A valid input batch for a model built with `options`. */
  probe(): unknown[];
}

const probeImage = () => [{ data: new Float32Array(64).fill(0.5), width: 8, height: 8, channels: 1 as const }];

/** A speech autoencoder small enough to build, save and run in milliseconds (fixed normalisation, no fit needed). */
export const TINY_SPEECH_OPTIONS = {
  sampleRate: 8000,
  speakerDim: 4,
  contentDim: 2,
  poolSegments: 2,
  channels: 8,
  contentBlocks: 1,
  speakerBlocks: 1,
  decoderBlocks: 1,
  normalization: { mean: Array(40).fill(-4), std: Array(40).fill(2) },
};

/**
 * Every model class the corpus knows; those not (yet) exported by their package are skipped.
 * `probe` is a valid input for the seed: a folder that loads must also encode it (or refuse it
 * with a typed error), or the load was not a real success.
 */
export const MODEL_SEEDS: readonly ModelSeedSpec[] = [
  { name: 'vector-ae', className: 'VectorAutoencoder', pkg: core, options: { inputDim: 8, latentDim: 2, hidden: [16] }, probe: () => [new Float32Array(8).fill(0.5)] },
  { name: 'image-dense-ae', className: 'DenseImageAutoencoder', pkg: image, options: { inputShape: [8, 8, 1], latentDim: 4, hidden: [16] }, probe: probeImage },
  { name: 'image-conv-ae', className: 'ConvImageAutoencoder', pkg: image, options: { inputShape: [8, 8, 1], latentDim: 4, filters: [4, 8] }, probe: probeImage },
  { name: 'image-vae', className: 'ImageVAE', pkg: image, options: { inputShape: [8, 8, 1], latentDim: 2, filters: [4], hidden: [8] }, probe: probeImage },
  {
    name: 'speech-ae',
    className: 'SpeechAutoencoder',
    pkg: audio,
    options: TINY_SPEECH_OPTIONS,
    probe: () => [{ samples: Float32Array.from({ length: 2400 }, (_, i) => 0.3 * Math.sin(i / 7)), sampleRate: 8000 }],
  },
  {
    name: 'sentence-ae',
    className: 'SentenceAutoencoder',
    pkg: text,
    options: { maxLength: 16, latentDim: 8, embedDim: 8, channels: [8, 8, 8], depths: [0, 0, 1] },
    probe: () => ['hello world'],
  },
];

/** A model class as the fuzzer uses it. */
export interface LoadableModelClass {
  create(options: Record<string, unknown>): { save(dir: string): Promise<void>; dispose(): void };
  load(dir: string): Promise<{ dispose(): void; encode(inputs: unknown[]): Promise<unknown[]> }>;
}

/** The class of a seed spec, or undefined while its package does not export it. */
export function modelClassOf(spec: ModelSeedSpec): LoadableModelClass | undefined {
  const c = spec.pkg[spec.className] as Partial<LoadableModelClass> | undefined;
  return typeof c?.create === 'function' && typeof c.load === 'function' ? (c as LoadableModelClass) : undefined;
}

/** Options of {@link generateCorpus}. */
export interface CorpusOptions {
  /** RNG seed of every random choice. @default 1 */
  seed?: number;
  /** Number of inputs. @default 1200 */
  count?: number;
  /** Scratch folder for saving the seed models (removed again before returning). */
  workDir: string;
}

/** The generated inputs and what could not be seeded. */
export interface Corpus {
  inputs: FuzzInput[];
  /** Seeds used, per target. */
  seeds: Record<FuzzTarget, string[]>;
  /** Model seeds that could not be built (class not exported yet, or create/save failed). */
  skippedModels: { name: string; reason: string }[];
}

// Share of the inputs per target: WAV and image decoding have the largest surface.
const SHARES: Record<FuzzTarget, number> = { wav: 0.3, image: 0.25, idx: 0.13, mnist: 0.03, model: 0.25, pretrained: 0.04 };

// ---------------------------------------------------------------------------- WAV

/** One file input of the corpus before it is numbered. */
export type Case = { mutation: string; bytes: Uint8Array; path?: PathKind; name?: string };

async function wavSeeds(): Promise<Map<string, Uint8Array>> {
  const n = 400;
  const samples = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * i) / 40));
  const seeds = new Map<string, Uint8Array>();
  seeds.set('pcm16-mono (encodeWav16)', audio.encodeWav16({ samples, sampleRate: 8000 }));
  seeds.set('pcm16-stereo', wavFile({ channels: 2, rate: 16000 }, sineSamples(n, 2, 16)));
  seeds.set('pcm8-mono', wavFile({ bits: 8 }, sineSamples(n, 1, 8)));
  seeds.set('pcm24-mono', wavFile({ bits: 24, rate: 22050 }, sineSamples(n, 1, 24)));
  seeds.set('pcm32-stereo', wavFile({ bits: 32, channels: 2 }, sineSamples(n, 2, 32)));
  seeds.set('float32-mono', wavFile({ tag: 3, bits: 32 }, sineSamples(n, 1, 32, true)));
  seeds.set('float64-mono', wavFile({ tag: 3, bits: 64, rate: 44100 }, sineSamples(n, 1, 64, true)));
  seeds.set('extensible-pcm16', wavFile({ extensible: 1, channels: 2 }, sineSamples(n, 2, 16)));
  seeds.set('pcm16-with-LIST', wavFile({}, sineSamples(n, 1, 16), { before: [riffChunk('LIST', ascii('INFOISFT\x05\x00\x00\x00lk01\x00'))] }));
  return seeds;
}

function wavCases(seeds: Map<string, Uint8Array>): Case[] {
  const base = seeds.get('pcm16-mono (encodeWav16)')!;
  const data = sineSamples(400, 1, 16);
  const cases: Case[] = [];
  const add = (mutation: string, bytes: Uint8Array, path?: PathKind) => cases.push({ mutation, bytes, path });
  for (const [name, bytes] of seeds) add(`identity: ${name}`, bytes);
  add('zero-length file', new Uint8Array(0));
  add('zero-length file, read by path', new Uint8Array(0), 'file');
  for (const n of [1, 4, 8, 11, 12, 20, 30, 36, 43, 44, 45]) add(`truncated to ${n} bytes`, base.slice(0, n));
  add('RIFX (big-endian) magic', riffFile([riffChunk('fmt ', fmtBody()), riffChunk('data', data)], { magic: 'RIFX' }));
  add('RF64 magic', riffFile([riffChunk('fmt ', fmtBody()), riffChunk('data', data)], { magic: 'RF64' }));
  add("RIFF form 'AVI '", riffFile([riffChunk('fmt ', fmtBody()), riffChunk('data', data)], { form: 'AVI ' }));
  add('RIFF/WAVE with no chunks', riffFile([]));
  add('RIFF size 0xFFFFFFFF', setField(base, 4, 4, 0xffffffff, true));
  add('RIFF size 0', setField(base, 4, 4, 0, true));
  add('data size 0xFFFFFFFF (claims 4 GiB)', setField(base, 40, 4, 0xffffffff, true));
  add('data size 0', riffFile([riffChunk('fmt ', fmtBody()), riffChunk('data', new Uint8Array(0))]));
  add('data size odd (one byte short of a frame)', riffFile([riffChunk('fmt ', fmtBody()), riffChunk('data', data.slice(0, 3))]));
  add('fmt after data', riffFile([riffChunk('data', data), riffChunk('fmt ', fmtBody())]));
  add('missing data chunk', riffFile([riffChunk('fmt ', fmtBody())]));
  add('missing fmt chunk', riffFile([riffChunk('data', data)]));
  add('two fmt chunks, the second ADPCM', riffFile([riffChunk('fmt ', fmtBody()), riffChunk('fmt ', fmtBody({ tag: 2, bits: 4 })), riffChunk('data', data)]));
  add('two data chunks', riffFile([riffChunk('fmt ', fmtBody()), riffChunk('data', data), riffChunk('data', data.slice(0, 10))]));
  add('fmt chunk of 14 bytes', riffFile([riffChunk('fmt ', fmtBody({ bodyBytes: 14 })), riffChunk('data', data)]));
  add('fmt chunk of 0 bytes', riffFile([riffChunk('fmt ', new Uint8Array(0)), riffChunk('data', data)]));
  add('fmt size field 0xFFFFFFFF', riffFile([riffChunk('fmt ', fmtBody(), { size: 0xffffffff }), riffChunk('data', data)]));
  add('fmt chunk of 40 bytes, not extensible', riffFile([riffChunk('fmt ', fmtBody({ bodyBytes: 40 })), riffChunk('data', data)]));
  add('extensible with ADPCM SubFormat', wavFile({ extensible: 2 }, data));
  add('extensible with float SubFormat, 16 bits', wavFile({ extensible: 3 }, data));
  add('extensible fmt of 18 bytes', riffFile([riffChunk('fmt ', concat(fmtBody({ tag: 0xfffe }), Uint8Array.from([0, 0]))), riffChunk('data', data)]));
  for (const [tag, what] of [[2, 'MS ADPCM'], [6, 'A-law'], [7, 'mu-law'], [0x11, 'IMA ADPCM'], [0x55, 'MP3'], [0x31, 'GSM'], [0, 'tag 0'], [0xffff, 'tag 0xFFFF']] as const) {
    add(`unsupported encoding ${what}`, wavFile({ tag, bits: tag === 6 || tag === 7 ? 8 : 4, blockAlign: 1 }, data));
  }
  for (const bits of [0, 1, 4, 12, 20, 64]) add(`${bits}-bit PCM`, wavFile({ bits, blockAlign: Math.max(1, Math.ceil(bits / 8)) }, sineSamples(200, 1, Math.max(8, bits))));
  for (const bits of [16, 24, 8]) add(`${bits}-bit float`, wavFile({ tag: 3, bits }, data));
  const nan = new Uint8Array(new Float32Array([0.1, NaN, 0.2, 0.3]).buffer);
  add('float32 with NaN samples', wavFile({ tag: 3, bits: 32 }, nan));
  add('float32 with Infinity samples', wavFile({ tag: 3, bits: 32 }, new Uint8Array(new Float32Array([Infinity, -Infinity]).buffer)));
  add('float32 samples of 1e30', wavFile({ tag: 3, bits: 32 }, new Uint8Array(new Float32Array(64).fill(1e30).buffer)));
  for (const ch of [0, 3, 64, 65, 255, 65535]) {
    add(`${ch} channels`, wavFile({ channels: ch, blockAlign: (ch * 2) & 0xffff }, sineSamples(64, Math.min(ch, 64) || 1, 16)));
  }
  for (const rate of [0, 1, 7, 1_000_000, 1_000_001, 0xffffffff]) add(`sample rate ${rate} Hz`, wavFile({ rate }, data));
  add('sample rate 1 Hz, 500 frames (resampled to 16 kHz on read)', wavFile({ rate: 1 }, sineSamples(500, 1, 16)));
  add('sample rate 3 Hz, 1790 frames (just under 600 s)', wavFile({ rate: 3 }, sineSamples(1790, 1, 16)));
  for (const ba of [0, 1, 3, 0xffff]) add(`block align ${ba}`, wavFile({ blockAlign: ba }, data));
  add('byte rate 0 (ignored field)', wavFile({ byteRate: 0 }, data));
  add('odd-sized LIST chunk without its pad byte', riffFile([riffChunk('LIST', ascii('abc'), { pad: false }), riffChunk('fmt ', fmtBody()), riffChunk('data', data)]));
  add('odd-sized LIST chunk with its pad byte', riffFile([riffChunk('LIST', ascii('abc')), riffChunk('fmt ', fmtBody()), riffChunk('data', data)]));
  add('non-printable chunk id before fmt', riffFile([concat(Uint8Array.from([0, 1, 2, 3]), Uint8Array.from([4, 0, 0, 0, 9, 9, 9, 9])), riffChunk('fmt ', fmtBody()), riffChunk('data', data)]));
  add('junk bytes after data', concat(base, Uint8Array.from({ length: 37 }, (_, i) => (i * 53) & 0xff)));
  add("'JUNK' chunk claiming 0xFFFFFFFF before fmt", riffFile([riffChunk('JUNK', new Uint8Array(8), { size: 0xffffffff }), riffChunk('fmt ', fmtBody()), riffChunk('data', data)]));
  add("'JUNK' chunk claiming 0xFFFFFFFF between fmt and data", riffFile([riffChunk('fmt ', fmtBody()), riffChunk('JUNK', new Uint8Array(8), { size: 0xffffffff }), riffChunk('data', data)]));
  add('10,000 empty chunks before fmt', riffFile([...Array.from({ length: 10_000 }, () => riffChunk('junk', new Uint8Array(0))), riffChunk('fmt ', fmtBody()), riffChunk('data', data)]));
  add('data chunk only 1 frame', riffFile([riffChunk('fmt ', fmtBody()), riffChunk('data', data.slice(0, 2))]));
  add('PNG bytes named .wav', PNG_SIGNATURE);
  add('Ogg magic', concat(ascii('OggS'), new Uint8Array(60)));
  add('text file named .wav', new TextEncoder().encode('this is not audio\n'));
  // Oversized: real sample bytes, headers that make them very long or very wide.
  add('oversized: 13 MB of 16-bit at 1 kHz (109 min)', wavFile({ rate: 1000 }, new Uint8Array(13_000_000)));
  add('oversized: 6.5 MB of 64-channel 16-bit at 8 kHz', wavFile({ channels: 64, rate: 8000 }, new Uint8Array(64 * 2 * 50_000)));
  add('oversized: 4 MB of float64 at 44.1 kHz, stereo', wavFile({ tag: 3, bits: 64, channels: 2, rate: 44100 }, new Uint8Array(4_000_000)));
  // Path-level cases (readWav(path) only).
  for (const p of ['missing', 'directory', 'fifo', 'dev-zero', 'dangling-symlink'] as const) add(`path is ${p}`, base, p);
  return cases;
}

function wavRandom(seeds: Map<string, Uint8Array>, r: Rand): Case {
  const [name, seed] = r.pick([...seeds.entries()]);
  const chunks = riffChunks(seed);
  const choice = r.int(10);
  if (choice < 2 && chunks.length > 0) {
    // A size or format field of a real chunk set to an interesting value.
    const c = r.pick(chunks);
    if (c.id === 'fmt ' && r.next() < 0.7) {
      const off = r.pick([0, 2, 12, 14]);
      const v = r.pick(INTERESTING_U16);
      return { mutation: `${name}: fmt field +${off} := ${v}`, bytes: setField(seed, c.offset + 8 + off, 2, v, true) };
    }
    const v = r.pick(INTERESTING_U32);
    return { mutation: `${name}: '${c.id}' size := 0x${v.toString(16)}`, bytes: setField(seed, c.offset + 4, 4, v, true) };
  }
  if (choice === 2 && chunks.length > 1) {
    // Chunks in reverse order.
    const parts = chunks.map((c) => seed.slice(c.offset, Math.min(seed.length, c.offset + 8 + c.size + (c.size & 1))));
    return { mutation: `${name}: chunks reversed`, bytes: riffFile(parts.reverse().map((p) => p)) };
  }
  const m = randomByteMutation(seed, r, 64);
  return { mutation: `${name}: ${m.mutation}`, bytes: m.bytes };
}

// ---------------------------------------------------------------------------- IDX

function idxSeeds(): Map<string, Uint8Array> {
  const seeds = new Map<string, Uint8Array>();
  seeds.set('uint8 images [3, 4, 4]', idxFile(0x08, [3, 4, 4], idxPayload(0x08, 48)));
  seeds.set('uint8 labels [5]', idxFile(0x08, [5], Uint8Array.from([0, 1, 9, 3, 4])));
  seeds.set('int16 [2, 3]', idxFile(0x0b, [2, 3], idxPayload(0x0b, 6)));
  seeds.set('int32 [4]', idxFile(0x0c, [4], idxPayload(0x0c, 4)));
  seeds.set('float32 [2, 2, 2]', idxFile(0x0d, [2, 2, 2], idxPayload(0x0d, 8)));
  seeds.set('float64 [3]', idxFile(0x0e, [3], idxPayload(0x0e, 3)));
  seeds.set('int8 [6]', idxFile(0x09, [6], idxPayload(0x09, 6)));
  seeds.set('gzipped uint8 [3, 4, 4]', u8(gzipSync(idxFile(0x08, [3, 4, 4], idxPayload(0x08, 48)))));
  return seeds;
}

function idxCases(seeds: Map<string, Uint8Array>): Case[] {
  const img = seeds.get('uint8 images [3, 4, 4]')!;
  const gz = seeds.get('gzipped uint8 [3, 4, 4]')!;
  const cases: Case[] = [];
  const add = (mutation: string, bytes: Uint8Array, path?: PathKind) => cases.push({ mutation, bytes, path });
  for (const [name, b] of seeds) add(`identity: ${name}`, b);
  add('empty file', new Uint8Array(0));
  for (const n of [1, 3, 4, 7, 15, 16, 17]) add(`cut to ${n} bytes`, img.slice(0, n));
  add('magic 0x01000803 (first byte nonzero)', setField(img, 0, 1, 1, false));
  add('magic 0x00010803 (second byte nonzero)', setField(img, 1, 1, 1, false));
  add('MNIST magic with little-endian dims', idxFile(0x08, [], concat(Uint8Array.from([3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0]), idxPayload(0x08, 48))).map((b, i) => (i === 3 ? 3 : b)));
  for (const t of [0x00, 0x0a, 0x0f, 0xff]) add(`type byte 0x${t.toString(16)}`, setField(img, 2, 1, t, false));
  add('0 dimensions', idxFile(0x08, [], idxPayload(0x08, 4)));
  add('255 dimensions, file too short for the header', setField(img, 3, 1, 255, false));
  add('dims 0xFFFFFFFF x3', idxFile(0x08, [0xffffffff, 0xffffffff, 0xffffffff], idxPayload(0x08, 48)));
  add('dims [2^32-1] x 8 (count beyond 2^53)', idxFile(0x0e, Array(8).fill(0xffffffff), new Uint8Array(64)));
  add('dims [0] with no data', idxFile(0x08, [0], new Uint8Array(0)));
  add('dims [0, 28, 28] with data', idxFile(0x08, [0, 28, 28], idxPayload(0x08, 10)));
  add('count one more than the data', idxFile(0x08, [4, 4, 4], idxPayload(0x08, 48)));
  add('count one less than the data', idxFile(0x08, [3, 4, 4], idxPayload(0x08, 49)));
  add('labels [60000] with 5 bytes', idxFile(0x08, [60000], idxPayload(0x08, 5)));
  add('images claim [60000, 28, 28], hold 48 bytes', idxFile(0x08, [60000, 28, 28], idxPayload(0x08, 48)));
  add('int16 with an odd byte count', idxFile(0x0b, [3], idxPayload(0x08, 5)));
  add('float64 with 7 bytes', idxFile(0x0e, [1], idxPayload(0x08, 7)));
  add('float32 NaN and Infinity values', idxFile(0x0d, [2], new Uint8Array([0x7f, 0xc0, 0, 0, 0x7f, 0x80, 0, 0])));
  add('gzip cut in half', gz.slice(0, gz.length >> 1));
  add('gzip header only', gz.slice(0, 10));
  add('gzip magic then zeros', concat(Uint8Array.from([0x1f, 0x8b]), new Uint8Array(30)));
  add('gzip with corrupt deflate data', setField(gz, 14, 4, 0xdeadbeef, false));
  add('gzip trailer CRC wrong', setField(gz, gz.length - 8, 4, 0, true));
  add('gzip trailer ISIZE claims 4 GiB', setField(gz, gz.length - 4, 4, 0xffffffff, true));
  add('gzip of non-IDX text', gzipSync(new TextEncoder().encode('not an idx file at all')));
  add('gzip of an empty file', gzipSync(new Uint8Array(0)));
  // Inflating costs ~6 ms per MiB; 24 MiB keeps each call well inside the time limit on a slow
  // machine while still being 2,000x the file size. (A bomb past maxBytes inflates to the cap.)
  add('gzip bomb: 12 members of 2 MiB zeros (ISIZE honest per member)', gzipMembers(2 * 1024 * 1024, 12));
  const bomb = u8(gzipSync(new Uint8Array(24 * 1024 * 1024), { level: 1 }));
  add('gzip bomb: 24 MiB of zeros, ISIZE set to 100', setField(bomb, bomb.length - 4, 4, 100, true));
  add('PNG bytes named .idx', PNG_SIGNATURE);
  for (const p of ['missing', 'directory', 'fifo', 'dev-zero', 'dangling-symlink'] as const) add(`path is ${p}`, img, p);
  return cases;
}

function idxRandom(seeds: Map<string, Uint8Array>, r: Rand): Case {
  const [name, seed] = r.pick([...seeds.entries()]);
  if (!name.startsWith('gzip') && r.next() < 0.4) {
    // A dimension (or the type/ndim bytes) set to an interesting value.
    const ndim = seed[3];
    const field = r.int(ndim + 1);
    if (field === ndim) {
      const at = 2 + r.int(2);
      const v = r.pick([0, 1, 2, 3, 8, 0x0b, 0x0e, 0x7f, 0xff]);
      return { mutation: `${name}: byte ${at} := ${v}`, bytes: setField(seed, at, 1, v, false) };
    }
    const v = r.pick(INTERESTING_U32);
    return { mutation: `${name}: dim ${field} := ${v}`, bytes: setField(seed, 4 + 4 * field, 4, v, false) };
  }
  const m = randomByteMutation(seed, r, 24);
  return { mutation: `${name}: ${m.mutation}`, bytes: m.bytes };
}

// ---------------------------------------------------------------------------- MNIST folders

function mnistCases(): { mutation: string; image: FolderImage }[] {
  const images = (n: number, type = 0x08, dims = [n, 4, 4]) => idxFile(type, dims, idxPayload(type, dims.reduce((a, b) => a * b, 1)));
  const labels = (vals: number[]) => idxFile(0x08, [vals.length], Uint8Array.from(vals));
  const folder = (files: Record<string, Uint8Array>): FolderImage => ({
    entries: new Map(Object.entries(files).map(([k, v]) => [k, { kind: 'file', bytes: v }])),
    outside: new Map(),
  });
  const I = 't10k-images-idx3-ubyte';
  const Lb = 't10k-labels-idx1-ubyte';
  return [
    { mutation: 'identity: 3 images, 3 labels', image: folder({ [I]: images(3), [Lb]: labels([1, 2, 3]) }) },
    { mutation: 'identity: gzipped files', image: folder({ [`${I}.gz`]: gzipSync(images(3)), [`${Lb}.gz`]: gzipSync(labels([1, 2, 3])) }) },
    { mutation: '3 images, 4 labels', image: folder({ [I]: images(3), [Lb]: labels([1, 2, 3, 4]) }) },
    { mutation: '3 images, 2 labels', image: folder({ [I]: images(3), [Lb]: labels([1, 2]) }) },
    { mutation: 'label 10 (out of range)', image: folder({ [I]: images(3), [Lb]: labels([1, 10, 3]) }) },
    { mutation: 'images are 2-D', image: folder({ [I]: images(3, 0x08, [3, 16]), [Lb]: labels([1, 2, 3]) }) },
    { mutation: 'images are int16', image: folder({ [I]: images(3, 0x0b), [Lb]: labels([1, 2, 3]) }) },
    { mutation: 'labels are 2-D', image: folder({ [I]: images(3), [Lb]: idxFile(0x08, [3, 1], Uint8Array.from([1, 2, 3])) }) },
    { mutation: 'labels file missing', image: folder({ [I]: images(3) }) },
    { mutation: 'images file is text', image: folder({ [I]: new TextEncoder().encode('nope'), [Lb]: labels([1, 2, 3]) }) },
    { mutation: 'images claim 60000 but hold 3', image: folder({ [I]: idxFile(0x08, [60000, 4, 4], idxPayload(0x08, 48)), [Lb]: labels([1, 2, 3]) }) },
    { mutation: 'empty folder', image: folder({}) },
    { mutation: 'folder missing', image: { ...folder({}), dirKind: 'missing' } },
    { mutation: 'images file is a FIFO', image: { entries: new Map([[I, { kind: 'fifo' }], [Lb, { kind: 'file', bytes: labels([1]) }]]), outside: new Map() } },
  ];
}

// ---------------------------------------------------------------------------- Transformers.js folders

function pretrainedCases(seed: FolderImage): { mutation: string; image: FolderImage }[] {
  const out: { mutation: string; image: FolderImage }[] = [];
  const add = (mutation: string, edit: (img: FolderImage) => void) => {
    const image: FolderImage = { entries: new Map(seed.entries), outside: new Map() };
    edit(image);
    out.push({ mutation, image });
  };
  const set = (img: FolderImage, rel: string, text: string | Uint8Array) =>
    img.entries.set(rel, { kind: 'file', bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text });
  const bytesOf = (rel: string) => {
    const e = seed.entries.get(rel);
    return e?.kind === 'file' ? e.bytes : new Uint8Array(0);
  };
  const json = (rel: string) => JSON.parse(new TextDecoder().decode(bytesOf(rel))) as Record<string, unknown>;
  const onnx = bytesOf('onnx/model.onnx');
  const tok = bytesOf('tokenizer.json');
  add('identity (tiny fixture)', () => {});
  add('folder is missing', (i) => (i.dirKind = 'missing'));
  add('folder is a regular file', (i) => (i.dirKind = 'file'));
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) add(`${f} missing`, (i) => i.entries.delete(f));
  add('config.json is not JSON', (i) => set(i, 'config.json', '{ nope'));
  add('config.json is empty', (i) => set(i, 'config.json', ''));
  add('config.json is an array', (i) => set(i, 'config.json', '[]'));
  for (const [k, v] of [['model_type', 'no-such-architecture'], ['model_type', 5], ['hidden_size', 'x'], ['hidden_size', -1], ['max_position_embeddings', 1e12], ['num_hidden_layers', 1e9], ['vocab_size', 0]] as const) {
    add(`config.json ${k} = ${JSON.stringify(v)}`, (i) => set(i, 'config.json', JSON.stringify({ ...json('config.json'), [k]: v })));
  }
  add('tokenizer.json truncated', (i) => set(i, 'tokenizer.json', tok.slice(0, tok.length >> 1)));
  add('tokenizer.json is not JSON', (i) => set(i, 'tokenizer.json', 'nope'));
  add('tokenizer.json model.vocab = []', (i) => {
    const t = json('tokenizer.json');
    set(i, 'tokenizer.json', JSON.stringify({ ...t, model: { ...(t.model as object), vocab: [] } }));
  });
  add('tokenizer.json model.type unknown', (i) => {
    const t = json('tokenizer.json');
    set(i, 'tokenizer.json', JSON.stringify({ ...t, model: { ...(t.model as object), type: 'NoSuchModel' } }));
  });
  add('tokenizer_config.json model_max_length = -1', (i) => set(i, 'tokenizer_config.json', JSON.stringify({ ...json('tokenizer_config.json'), model_max_length: -1 })));
  add('tokenizer_config.json model_max_length = "x"', (i) => set(i, 'tokenizer_config.json', JSON.stringify({ ...json('tokenizer_config.json'), model_max_length: 'x' })));
  add('model.onnx empty', (i) => set(i, 'onnx/model.onnx', new Uint8Array(0)));
  add('model.onnx truncated to half', (i) => set(i, 'onnx/model.onnx', onnx.slice(0, onnx.length >> 1)));
  add('model.onnx truncated to 100 bytes', (i) => set(i, 'onnx/model.onnx', onnx.slice(0, 100)));
  add('model.onnx is text', (i) => set(i, 'onnx/model.onnx', 'not a protobuf'));
  add('model.onnx first 64 bytes 0xFF', (i) => set(i, 'onnx/model.onnx', concat(new Uint8Array(64).fill(0xff), onnx.slice(64))));
  add('model.onnx is the quantized file', (i) => i.entries.set('onnx/model.onnx', seed.entries.get('onnx/model_quantized.onnx')!));
  add('model.onnx is a folder', (i) => i.entries.set('onnx/model.onnx', { kind: 'dir' }));
  add('model.onnx is a FIFO', (i) => i.entries.set('onnx/model.onnx', { kind: 'fifo' }));
  add('model.onnx is /dev/zero', (i) => i.entries.set('onnx/model.onnx', { kind: 'symlink', target: '/dev/zero' }));
  add('tokenizer.json is /dev/zero', (i) => i.entries.set('tokenizer.json', { kind: 'symlink', target: '/dev/zero' }));
  return out;
}

function pretrainedRandom(seed: FolderImage, r: Rand): { mutation: string; image: FolderImage } {
  const file = r.pick(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']);
  const e = seed.entries.get(file);
  const bytes = e?.kind === 'file' ? e.bytes : new Uint8Array(0);
  const m = randomByteMutation(bytes, r, file.endsWith('.onnx') ? 4096 : 256);
  const image: FolderImage = { entries: new Map(seed.entries), outside: new Map() };
  image.entries.set(file, { kind: 'file', bytes: m.bytes });
  return { mutation: `random: ${file} ${m.mutation}`, image };
}

// ---------------------------------------------------------------------------- assembly

/**
 * Cases every corpus size keeps (a reduced corpus spreads the rest): the ones that once hung,
 * crashed, leaked or allocated without bound, and one of each kind of damage.
 */
const PINNED: Record<FuzzTarget, RegExp> = {
  wav: /^identity: pcm16-mono|zero-length file$|claims 4 GiB|fmt after data|missing data|mu-law|MS ADPCM|^12-bit|^0 channels|^sample rate (0|1|7) Hz|oversized: 13 MB|path is fifo|10,000 empty chunks/,
  image: /^identity: (png-gray|jpeg-baseline)|zero-length buffer|text renamed|IHDR claims 100000|IHDR claims 4294967295|bad CRC on IDAT|zlib bomb|2000x2000 header|JPEG SOF claims 65535x65535|JPEG cut in the scan|EXIF IFD pointing|TIFF IFD entry count|path is fifo/,
  idx: /^identity: uint8 images|^empty file|gzip bomb|dims 0xFFFFFFFF|count one more|magic 0x01000803|255 dimensions|ISIZE claims/,
  mnist: /^identity: 3 images|3 images, 4 labels|label 10|FIFO/,
  pretrained: /^identity|model\.onnx (truncated|is \/dev\/zero|is a FIFO)|config\.json is not JSON|tokenizer\.json truncated/,
  model: /identity|config holds only kind|manifest\.networks = \[\]$|3e7|1e9|inbound node|sparse 3 GiB|aliases|networks = \["(content-)?encoder","|'\.\.\/\.\.\/etc|symlinks to an identical|symlink loop|config\.version = null|is not JSON \(checksum|weights\.bin is a FIFO$|4 bytes short|nested arrays/,
};
/** Of the pinned model cases, these are kept for every model kind (they reach kind-specific code). */
const PINNED_EVERY_MODEL = /identity \(valid seed\)|config\.version = null|config holds only kind|manifest\.networks = \[\]$|is not JSON \(checksum|networks = \["(content-)?encoder","/;

/** The pinned cases (up to 3/4 of `q`), then the rest spread evenly, up to 4/5 of `q` (the rest is random). */
function choose<T>(fixed: T[], q: number, pinned: (c: T) => boolean): T[] {
  const limit = Math.min(fixed.length, q - Math.ceil(q / 5));
  const pins = spread(fixed.filter(pinned), Math.floor((q * 3) / 4));
  const rest = fixed.filter((c) => !pinned(c));
  const out = [...pins, ...spread(rest, Math.max(0, limit - pins.length))];
  // Keep corpus order stable and readable: pinned and spread cases in their original order.
  return fixed.filter((c) => out.includes(c));
}

function mnistRandom(cases: { mutation: string; image: FolderImage }[], r: Rand): { mutation: string; image: FolderImage } {
  const base = cases[0];
  const files = [...base.image.entries.keys()];
  const file = r.pick(files);
  const e = base.image.entries.get(file)!;
  const m = randomByteMutation(e.kind === 'file' ? e.bytes : new Uint8Array(0), r, 24);
  const image: FolderImage = { entries: new Map(base.image.entries), outside: new Map() };
  image.entries.set(file, { kind: 'file', bytes: m.bytes });
  return { mutation: `random: ${file} ${m.mutation}`, image };
}

/** Picks `n` of `xs` spread evenly (keeps the first and a cross-section of the rest). */
function spread<T>(xs: T[], n: number): T[] {
  if (n >= xs.length) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
}

/** Saves one seed folder per exported model class. */
async function modelSeeds(workDir: string): Promise<{ seeds: { name: string; className: string; image: FolderImage }[]; skipped: { name: string; reason: string }[] }> {
  const seeds: { name: string; className: string; image: FolderImage }[] = [];
  const skipped: { name: string; reason: string }[] = [];
  await core.initEngine();
  for (const spec of MODEL_SEEDS) {
    const cls = modelClassOf(spec);
    if (!cls) {
      skipped.push({ name: spec.name, reason: `${spec.className} is not exported by its package` });
      continue;
    }
    const dir = join(workDir, `seed-${spec.name}`);
    let model: { save(dir: string): Promise<void>; dispose(): void } | undefined;
    try {
      try {
        model = cls.create(spec.options);
      } catch {
        model = cls.create({});
      }
      await model.save(dir);
      seeds.push({ name: spec.name, className: spec.className, image: await readFolderImage(dir) });
    } catch (e) {
      skipped.push({ name: spec.name, reason: `create/save failed: ${(e as Error).message.split('\n')[0]}` });
    } finally {
      model?.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { seeds, skipped };
}

/**
 * Builds the corpus: every structural case of each target (spread evenly when a target's
 * quota is smaller), then seeded random mutations up to the quota.
 *
 * @param options seed, count and a scratch folder.
 * @returns the inputs in a fixed order, with ids `target/nnnn`.
 * @example
 * ```ts
 * const { inputs } = await generateCorpus({ seed: 1, count: 300, workDir: tmp });
 * ```
 */
export async function generateCorpus(options: CorpusOptions): Promise<Corpus> {
  const seed = options.seed ?? 1;
  const count = options.count ?? 1200;
  await mkdir(options.workDir, { recursive: true });
  const quota = (t: FuzzTarget) => Math.max(1, Math.round(count * SHARES[t]));
  const inputs: FuzzInput[] = [];
  const ids: Record<FuzzTarget, number> = { wav: 0, image: 0, idx: 0, mnist: 0, model: 0, pretrained: 0 };
  const id = (t: FuzzTarget) => `${t}/${String(ids[t]++).padStart(4, '0')}`;

  const fileTarget = (target: 'wav' | 'image' | 'idx', seedName: string, fixed: Case[], random: (r: Rand) => Case, defaultName: string) => {
    const r = rand(seed * 7919 + target.length * 31 + target.charCodeAt(0));
    const q = quota(target);
    const chosen = choose(fixed, q, (c) => PINNED[target].test(c.mutation));
    while (chosen.length < q) {
      const c = random(r);
      chosen.push({ ...c, mutation: `random: ${c.mutation}` });
    }
    for (const c of chosen) {
      inputs.push({ id: id(target), target, seed: seedName, mutation: c.mutation, name: c.name ?? defaultName, bytes: c.bytes, path: c.path });
    }
  };

  const wav = await wavSeeds();
  fileTarget('wav', 'wav', wavCases(wav), (r) => wavRandom(wav, r), 'x.wav');
  const img = await imageSeeds();
  fileTarget('image', 'image', imageCases(img), (r) => imageRandom(img, r), 'x.png');
  const idx = idxSeeds();
  fileTarget('idx', 'idx', idxCases(idx), (r) => idxRandom(idx, r), 'x-idx3-ubyte');

  const mnist = mnistCases();
  const mnistChosen = choose(mnist, quota('mnist'), (c) => PINNED.mnist.test(c.mutation));
  const rm = rand(seed * 6271 + 3);
  while (mnistChosen.length < quota('mnist')) mnistChosen.push(mnistRandom(mnist, rm));
  for (const c of mnistChosen) inputs.push({ id: id('mnist'), target: 'mnist', seed: 'mnist', mutation: c.mutation, image: c.image });

  const { seeds: models, skipped } = await modelSeeds(options.workDir);
  const q = quota('model');
  // Interleave the seeds so a reduced corpus still touches every model kind; apply lazily.
  const perSeed = models.map((m) => folderMutations(m.image).map((mu) => ({ m, mutation: mu.name, apply: () => mu.apply(m.image) })));
  const fixed: (typeof perSeed)[number] = [];
  const longest = Math.max(0, ...perSeed.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of perSeed) if (i < list.length) fixed.push(list[i]);
  const chosen = choose(fixed, q, (c) => PINNED.model.test(c.mutation) && (c.m === models[0] || PINNED_EVERY_MODEL.test(c.mutation)));
  const r = rand(seed * 104729 + 17);
  for (let i = 0; chosen.length < q && models.length > 0; i++) {
    const m = models[i % models.length];
    const mu = randomFolderMutation(m.image, r);
    chosen.push({ m, mutation: `random: ${mu.name}`, apply: () => mu.image });
  }
  for (const c of chosen) inputs.push({ id: id('model'), target: 'model', seed: c.m.name, mutation: c.mutation, image: c.apply(), modelClass: c.m.className });

  // The committed tiny Transformers.js fixture, when the text package exports it.
  const tinyPath = (text as Record<string, unknown>).tinySentenceEncoderPath as (() => string) | undefined;
  const hasEncoder = typeof (text as Record<string, unknown>).SentenceEncoder === 'function' && typeof tinyPath === 'function';
  if (hasEncoder) {
    const tiny = await readFolderImage(tinyPath());
    const qp = quota('pretrained');
    const cases = pretrainedCases(tiny);
    const picked = choose(cases, qp, (c) => PINNED.pretrained.test(c.mutation));
    const rp = rand(seed * 7561 + 11);
    while (picked.length < qp) picked.push(pretrainedRandom(tiny, rp));
    for (const c of picked) inputs.push({ id: id('pretrained'), target: 'pretrained', seed: 'tiny-sentence-encoder', mutation: c.mutation, image: c.image });
  } else {
    skipped.push({ name: 'tiny-sentence-encoder', reason: 'SentenceEncoder or tinySentenceEncoderPath is not exported by @latentkit/text' });
  }

  return {
    inputs,
    seeds: { wav: [...wav.keys()], image: [...img.keys()], idx: [...idx.keys()], mnist: ['t10k folder'], model: models.map((m) => m.name), pretrained: hasEncoder ? ['tiny-sentence-encoder'] : [] },
    skippedModels: skipped,
  };
}
