/**
 * @file The synthetic multi-speaker TTS set (17 voices x 30 items, 16 kHz) described by
 * `tts-speakers/manifest.csv`.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatasetError, PathEscapeError, resolveDataDir } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import type { ReadWavOptions } from '../io/read-wav.js';
import { parseCsv } from './csv.js';
import { loadClips, requireDir } from './data-dir.js';

/** One tts-speakers recording. */
export interface TtsSpeakerItem {
  /** Absolute path of the WAV file. */
  path: string;
  /** Voice id, e.g. `flite-slt` (the speaker). */
  speaker: string;
  /** Item id, e.g. `digit7` or `sent12`. */
  item: string;
  /** Whether the item is a digit word or a sentence. */
  kind: 'digit' | 'sentence';
  /** The digit for digit items. */
  digit?: number;
  /** What is said. */
  text: string;
  /** TTS engine (flite, festival, espeak-ng). */
  engine: string;
  /** Voices made from the same human speaker share a group (e.g. flite-slt and fest-slt). */
  speakerGroup: string;
  /** `M` or `F`. */
  gender: string;
  /** Duration in seconds, from the manifest. */
  duration: number;
}

/** Options of {@link listTtsSpeakers}. */
export interface TtsSpeakersListOptions {
  /** Data folder holding `tts-speakers/`. @default resolveDataDir() */
  dataDir?: string;
  /** Only these voices. @default all */
  speakers?: readonly string[];
  /** Only these item ids. @default all */
  items?: readonly string[];
  /** Only digits or only sentences. @default 'all' */
  kind?: 'digit' | 'sentence' | 'all';
}

/** Options of {@link loadTtsSpeakers}: which files, and how to read them. */
export interface TtsSpeakersLoadOptions extends TtsSpeakersListOptions, ReadWavOptions {
  /** Read at most this many files (after filtering, in listing order). @default all */
  limit?: number;
}

const COLUMNS = ['file', 'voice', 'engine', 'item', 'text', 'speaker_group', 'gender', 'duration_s'] as const;
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * Lists the tts-speakers recordings from `manifest.csv`, in manifest order.
 * @param options data folder and filters.
 * @returns the matching items.
 * @throws {DatasetError} when the folder or manifest is missing or malformed (hint: set LATENTKIT_DATA), or a filter names an unknown voice.
 * @throws {PathEscapeError} when a manifest row names a file outside the folder.
 * @example
 * ```ts
 * const digits = await listTtsSpeakers({ kind: 'digit' }); // 170 items
 * ```
 */
export async function listTtsSpeakers(options: TtsSpeakersListOptions = {}): Promise<TtsSpeakerItem[]> {
  const dir = join(resolveDataDir(options.dataDir), 'tts-speakers');
  await requireDir(dir, 'tts-speakers');
  const manifest = join(dir, 'manifest.csv');
  let text: string;
  try {
    const st = await stat(manifest);
    if (st.size > MAX_MANIFEST_BYTES) throw new DatasetError(`${manifest}: ${st.size} bytes is too large for a manifest.`, { file: manifest });
    text = await readFile(manifest, 'utf8');
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(`${manifest}: cannot read the manifest (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, {
      file: manifest,
      cause: e,
      hint: 'Set LATENTKIT_DATA to a data folder with a complete tts-speakers/ copy.',
    });
  }
  const { rows } = parseCsv(text, manifest, COLUMNS);
  const all = rows.map((r, i): TtsSpeakerItem => {
    if (basename(r.file) !== r.file || r.file === '..' || r.file === '.' || r.file.includes('\\')) {
      throw new PathEscapeError(`${manifest}: row ${i + 1} names file ${JSON.stringify(r.file)}, which is not a plain file name.`, {
        file: manifest,
      });
    }
    const duration = Number(r.duration_s);
    const digitMatch = /^digit(\d)$/.exec(r.item);
    return {
      path: join(dir, r.file),
      speaker: r.voice,
      item: r.item,
      kind: digitMatch ? 'digit' : 'sentence',
      ...(digitMatch ? { digit: Number(digitMatch[1]) } : {}),
      text: r.text,
      engine: r.engine,
      speakerGroup: r.speaker_group,
      gender: r.gender,
      duration: Number.isFinite(duration) ? duration : NaN,
    };
  });
  const known = new Set(all.map((i) => i.speaker));
  for (const s of options.speakers ?? []) {
    if (!known.has(s)) {
      throw new DatasetError(`listTtsSpeakers: unknown voice ${JSON.stringify(s)}; ${manifest} lists ${[...known].join(', ')}.`, {
        file: manifest,
      });
    }
  }
  const speakers = options.speakers ? new Set(options.speakers) : undefined;
  const items = options.items ? new Set(options.items) : undefined;
  const kind = options.kind ?? 'all';
  if (kind !== 'all' && kind !== 'digit' && kind !== 'sentence') {
    throw new DatasetError(`listTtsSpeakers: kind must be 'digit', 'sentence' or 'all'; got ${JSON.stringify(kind)}.`);
  }
  return all.filter(
    (i) => (!speakers || speakers.has(i.speaker)) && (!items || items.has(i.item)) && (kind === 'all' || i.kind === kind),
  );
}

/**
 * Lists and reads tts-speakers recordings (16 kHz unless `sampleRate` asks for a resample).
 * @param options filters, `limit`, and {@link ReadWavOptions}.
 * @returns the items with their clips, in manifest order.
 * @throws {DatasetError} as {@link listTtsSpeakers}.
 * @throws {DecodeError} when a file is missing or cannot be decoded.
 * @example
 * ```ts
 * const slt = await loadTtsSpeakers({ speakers: ['flite-slt'], kind: 'sentence' });
 * ```
 */
export async function loadTtsSpeakers(options: TtsSpeakersLoadOptions = {}): Promise<(TtsSpeakerItem & { clip: AudioClip })[]> {
  const items = await listTtsSpeakers(options);
  const chosen = options.limit !== undefined ? items.slice(0, Math.max(0, options.limit)) : items;
  return loadClips(chosen, { sampleRate: options.sampleRate, trimSilence: options.trimSilence, maxSeconds: options.maxSeconds });
}
