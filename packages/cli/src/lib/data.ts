/**
 * @file Training data for `train` and the demo, from the modality packages' loaders: the
 * embedded synthetic sets by default, or a folder given with `--data` (MNIST-format IDX files,
 * an image folder, FSDD, tts-speakers, a WAV folder, a text file). No loader is re-implemented
 * here; this only picks one by what the folder holds.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatasetError } from '@latentkit/core';
import type { AudioClip } from '@latentkit/audio';
import type { FloatImage } from '@latentkit/image';
import { expandInputs, readSentences } from './inputs.js';

/** Labelled images and where they came from. */
export interface ImageData {
  images: FloatImage[];
  labels: Uint8Array;
  classNames: string[];
  /** Human-readable source, e.g. `synthetic glyphs (2000)` or `MNIST train (60000)`. */
  source: string;
}

/** Options of {@link loadImageData}. */
export interface ImageDataOptions {
  /** Samples to generate (synthetic) or at most to read. */
  count: number;
  /** @default 0 */
  seed?: number;
  /** Which MNIST split. @default 'train' */
  split?: 'train' | 'test';
  /** Image side for image folders. @default 28 */
  size?: number;
  /** Channels for image folders. @default 1 */
  channels?: 1 | 3;
}

function isMnistDir(dir: string): boolean {
  return ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte'].some((f) => existsSync(join(dir, f)));
}

/**
 * Loads labelled images: synthetic glyphs when `data` is undefined or `synthetic`; otherwise a
 * folder of MNIST-format IDX files (or a data folder holding `mnist/`), else an image folder
 * with one subfolder per class.
 * @param data `--data`: undefined, `synthetic`, or a folder.
 * @param options count, seed, split, size.
 * @returns images, labels, class names and a description of the source.
 * @throws {DatasetError} when the folder is missing or holds nothing usable.
 */
export async function loadImageData(data: string | undefined, options: ImageDataOptions): Promise<ImageData> {
  const image = await import('@latentkit/image');
  const { count, seed = 0, split = 'train' } = options;
  if (data === undefined || data === 'synthetic') {
    const g = await image.syntheticGlyphs({ count, seed });
    return { images: g.images, labels: g.labels, classNames: g.classNames, source: `synthetic glyphs (${count}, seed ${seed})` };
  }
  await requireFolder(data);
  const mnistDir = isMnistDir(data) ? data : isMnistDir(join(data, 'mnist')) ? join(data, 'mnist') : undefined;
  if (mnistDir) {
    const m = await image.loadMnist(mnistDir, split, { limit: count });
    return { ...m, source: `${basename(mnistDir)} ${split} (${m.images.length})` };
  }
  const size = options.size ?? 28;
  const f = await image.loadImageFolder(data, { width: size, height: size, channels: options.channels ?? 1, limit: count });
  return { images: f.images, labels: f.labels, classNames: f.classNames, source: `image folder ${data} (${f.images.length})` };
}

/** Clips with speaker (and, when known, content) labels. */
export interface AudioData {
  clips: AudioClip[];
  /** Speaker name of each clip. */
  speakers: string[];
  /** Content class of each clip (digit, vowel sequence), or -1 when unknown. */
  contents: number[];
  /** Name of each content class. */
  contentNames: string[];
  /** Rate the model should use: the data's own. */
  sampleRate: number;
  source: string;
}

/** Options of {@link loadAudioData}. */
export interface AudioDataOptions {
  /** Synthetic speakers. @default 6 */
  speakers?: number;
  /** Synthetic utterances per speaker. @default 12 */
  utterancesPerSpeaker?: number;
  /** At most this many clips from a folder. */
  limit?: number;
  /** @default 0 */
  seed?: number;
  /** FSDD split. @default 'train' */
  split?: 'train' | 'test' | 'all';
}

/**
 * Loads speech: the synthetic corpus when `data` is undefined or `synthetic`; FSDD when the
 * folder is (or holds) `fsdd/recordings`; tts-speakers when it holds `manifest.csv` (or
 * `tts-speakers/`); else every WAV under the folder (speaker = parent folder name).
 * @param data `--data`.
 * @param options synthetic sizes, limit, seed, split.
 * @returns clips with labels.
 * @throws {DatasetError} when the folder is missing or holds no WAV files.
 */
export async function loadAudioData(data: string | undefined, options: AudioDataOptions = {}): Promise<AudioData> {
  const audio = await import('@latentkit/audio');
  if (data === undefined || data === 'synthetic') {
    const speakers = options.speakers ?? 6;
    const per = options.utterancesPerSpeaker ?? 12;
    const corpus = audio.syntheticSpeechCorpus({ speakers, utterancesPerSpeaker: per, contents: Math.min(per, 8), seed: options.seed ?? 0 });
    return {
      clips: corpus.map((u) => u.clip),
      speakers: corpus.map((u) => u.speakerName),
      contents: corpus.map((u) => u.content),
      contentNames: [...audio.SYNTHETIC_CONTENTS],
      sampleRate: corpus[0].clip.sampleRate,
      source: `synthetic speech (${speakers} speakers x ${per} utterances)`,
    };
  }
  await requireFolder(data);
  const fsddRoot = existsSync(join(data, 'recordings')) && basename(data) === 'fsdd' ? join(data, '..') : existsSync(join(data, 'fsdd', 'recordings')) ? data : undefined;
  if (fsddRoot) {
    const items = await audio.loadFsdd({ dataDir: fsddRoot, split: options.split ?? 'train', limit: options.limit });
    return {
      clips: items.map((i) => i.clip),
      speakers: items.map((i) => i.speaker),
      contents: items.map((i) => i.digit),
      contentNames: [...audio.DIGIT_WORDS],
      sampleRate: 8000,
      source: `FSDD ${options.split ?? 'train'} (${items.length} clips)`,
    };
  }
  const ttsRoot = existsSync(join(data, 'manifest.csv')) && basename(data) === 'tts-speakers' ? join(data, '..') : existsSync(join(data, 'tts-speakers', 'manifest.csv')) ? data : undefined;
  if (ttsRoot) {
    const items = await audio.loadTtsSpeakers({ dataDir: ttsRoot, limit: options.limit });
    const names = [...new Set(items.map((i) => i.item))].sort();
    return {
      clips: items.map((i) => i.clip),
      speakers: items.map((i) => i.speaker),
      contents: items.map((i) => names.indexOf(i.item)),
      contentNames: names,
      sampleRate: 16000,
      source: `tts-speakers (${items.length} clips)`,
    };
  }
  let files = await expandInputs([data], ['.wav'], 'WAV');
  if (options.limit !== undefined) files = files.slice(0, options.limit);
  const clips: AudioClip[] = [];
  for (const f of files) clips.push(await audio.readWav(f));
  const rates = new Map<number, number>();
  for (const c of clips) rates.set(c.sampleRate, (rates.get(c.sampleRate) ?? 0) + 1);
  const sampleRate = [...rates.entries()].sort((a, b) => b[1] - a[1])[0][0];
  return {
    clips,
    speakers: files.map((f) => basename(join(f, '..'))),
    contents: files.map(() => -1),
    contentNames: [],
    sampleRate,
    source: `WAV folder ${data} (${clips.length} clips)`,
  };
}

/**
 * Loads training sentences: one per line from a text file.
 * @param data a text file.
 * @returns the sentences and a description.
 * @throws {DatasetError} when the file does not exist.
 */
export async function loadTextData(data: string): Promise<{ sentences: string[]; source: string }> {
  if (!existsSync(data)) throw new DatasetError(`${data}: no such text file.`, { file: data });
  const sentences = await readSentences(data);
  return { sentences, source: `${basename(data)} (${sentences.length} sentences)` };
}

async function requireFolder(dir: string): Promise<void> {
  let ok = false;
  try {
    ok = (await stat(dir)).isDirectory();
  } catch {
    /* reported below */
  }
  if (!ok) throw new DatasetError(`--data '${dir}' is not a folder.`, { file: dir, hint: 'Give a data folder, or leave --data out to use the embedded synthetic data.' });
}
