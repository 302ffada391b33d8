/**
 * @file The Free Spoken Digit Dataset (6 speakers x 10 digits x 50 takes, 8 kHz) as laid out
 * in the data folder: `fsdd/recordings/{digit}_{speaker}_{index}.wav`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, DIGIT_WORDS, resolveDataDir } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import type { ReadWavOptions } from '../io/read-wav.js';
import { loadClips, requireDir } from './data-dir.js';

// DIGIT_WORDS lives in core (one list for every modality); re-exported here for FSDD's users.
export { DIGIT_WORDS };

/** FSDD's upstream split: takes 0-4 are the test set, 5-49 the training set. */
export type FsddSplit = 'train' | 'test';

/** One FSDD recording. */
export interface FsddItem {
  /** Absolute path of the WAV file. */
  path: string;
  /** Speaker name, e.g. `jackson`. */
  speaker: string;
  /** The digit spoken, 0-9. */
  digit: number;
  /** Take number, 0-49. */
  index: number;
  /** The digit as a word, e.g. `seven`. */
  text: string;
  split: FsddSplit;
}

/** Options of {@link listFsdd}. */
export interface FsddListOptions {
  /** Data folder holding `fsdd/`. @default resolveDataDir() */
  dataDir?: string;
  /** Only this split. @default 'all' */
  split?: FsddSplit | 'all';
  /** Only these speakers. @default all */
  speakers?: readonly string[];
  /** Only these digits. @default all */
  digits?: readonly number[];
}

/** Options of {@link loadFsdd}: which files, and how to read them. */
export interface FsddLoadOptions extends FsddListOptions, ReadWavOptions {
  /** Read at most this many files (after filtering, in listing order). @default all */
  limit?: number;
}

/** An FSDD file name: `{digit}_{speaker}_{take}.wav`. */
export const FSDD_FILE_NAME = /^(\d)_([A-Za-z0-9-]+)_(\d{1,3})\.wav$/;
const NAME = FSDD_FILE_NAME;

/**
 * Lists FSDD recordings, sorted by speaker, digit and take.
 * @param options data folder and filters.
 * @returns the matching items (files not named `{digit}_{speaker}_{index}.wav` are ignored).
 * @throws {DatasetError} when `fsdd/recordings` is missing (hint: set LATENTKIT_DATA) or a filter names an unknown speaker.
 * @example
 * ```ts
 * const train = await listFsdd({ split: 'train', speakers: ['jackson'] }); // 450 items
 * ```
 */
export async function listFsdd(options: FsddListOptions = {}): Promise<FsddItem[]> {
  const dir = join(resolveDataDir(options.dataDir), 'fsdd', 'recordings');
  await requireDir(dir, 'FSDD recordings');
  const split = options.split ?? 'all';
  if (split !== 'all' && split !== 'train' && split !== 'test') {
    throw new DatasetError(`listFsdd: split must be 'train', 'test' or 'all'; got ${JSON.stringify(split)}.`);
  }
  const all: FsddItem[] = [];
  for (const file of await readdir(dir)) {
    const m = NAME.exec(file);
    if (!m) continue;
    const digit = Number(m[1]);
    const index = Number(m[3]);
    all.push({ path: join(dir, file), speaker: m[2], digit, index, text: DIGIT_WORDS[digit], split: index < 5 ? 'test' : 'train' });
  }
  const known = new Set(all.map((i) => i.speaker));
  for (const s of options.speakers ?? []) {
    if (!known.has(s)) {
      throw new DatasetError(`listFsdd: unknown speaker ${JSON.stringify(s)}; ${dir} has ${[...known].sort().join(', ')}.`, { file: dir });
    }
  }
  const speakers = options.speakers ? new Set(options.speakers) : undefined;
  const digits = options.digits ? new Set(options.digits) : undefined;
  return all
    .filter((i) => (split === 'all' || i.split === split) && (!speakers || speakers.has(i.speaker)) && (!digits || digits.has(i.digit)))
    .sort((a, b) => (a.speaker < b.speaker ? -1 : a.speaker > b.speaker ? 1 : a.digit - b.digit || a.index - b.index));
}

/**
 * Lists and reads FSDD recordings (8 kHz unless `sampleRate` asks for a resample).
 * @param options filters, `limit`, and {@link ReadWavOptions}.
 * @returns the items with their clips, in {@link listFsdd} order.
 * @throws {DatasetError} as {@link listFsdd}.
 * @throws {DecodeError} when a file cannot be decoded.
 * @example
 * ```ts
 * const test = await loadFsdd({ split: 'test', sampleRate: 16000 });
 * ```
 */
export async function loadFsdd(options: FsddLoadOptions = {}): Promise<(FsddItem & { clip: AudioClip })[]> {
  const items = await listFsdd(options);
  const chosen = options.limit !== undefined ? items.slice(0, Math.max(0, options.limit)) : items;
  return loadClips(chosen, { sampleRate: options.sampleRate, trimSilence: options.trimSilence, maxSeconds: options.maxSeconds });
}
