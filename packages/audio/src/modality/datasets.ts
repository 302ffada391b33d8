/**
 * @file Speech training data the descriptor recognises, with the labels each layout carries:
 * FSDD (speaker and digit from the file names), tts-speakers (voice and item from its
 * manifest), any folder of WAVs (speaker = the folder a file is in), and the embedded
 * synthetic corpus (speaker and vowel sequence). Node-only.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { DatasetError, listFiles, type DatasetLayout, type DatasetLoadOptions, type EmbeddedData, type Labels, type LoadedDataset } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { readWav } from '../io/read-wav.js';
import { syntheticSpeechCorpus, SYNTHETIC_CONTENTS } from '../synth/synthetic-corpus.js';
import { DIGIT_WORDS, FSDD_FILE_NAME, loadFsdd } from '../datasets/fsdd.js';
import { loadTtsSpeakers } from '../datasets/tts-speakers.js';
import { audioCodec } from './codec.js';

/** Labels from one name per sample, classes in order of first appearance. */
export function labelsOf(names: readonly string[]): Labels {
  const classes = [...new Set(names)];
  const index = new Map(classes.map((c, i) => [c, i]));
  return { values: names.map((n) => index.get(n)!), names: classes };
}

/** The data folder holding `<name>/<marker>`: `path` is that folder or the data folder above it. */
function rootOf(path: string, name: string, marker: string): string | undefined {
  if (basename(path) === name && existsSync(join(path, marker))) return dirname(path);
  return existsSync(join(path, name, marker)) ? path : undefined;
}

/** The first folder below `root` on each file's path (`''` for a file directly in `root`). */
export function subfolderLabels(root: string, files: readonly string[]): string[] {
  return files.map((f) => {
    const parts = relative(root, f).split(sep);
    return parts.length > 1 && parts[0] !== '..' ? parts[0] : '';
  });
}

/** FSDD (`fsdd/recordings/{digit}_{speaker}_{take}.wav`): speaker and digit labels. */
export const fsddLayout: DatasetLayout<AudioClip> = {
  name: 'fsdd',
  describe: 'Free Spoken Digit Dataset (fsdd/recordings, or a data folder holding fsdd/)',
  labels: ['speaker', 'content'],
  detect: async (path) => rootOf(path, 'fsdd', 'recordings') !== undefined,
  async load(path, options: DatasetLoadOptions = {}): Promise<LoadedDataset<AudioClip>> {
    const split = options.split ?? 'train';
    const items = await loadFsdd({ dataDir: rootOf(path, 'fsdd', 'recordings') ?? path, split, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
    return {
      samples: items.map((i) => i.clip),
      labels: { speaker: labelsOf(items.map((i) => i.speaker)), content: { values: items.map((i) => i.digit), names: [...DIGIT_WORDS] } },
      source: `FSDD ${split} (${items.length} clips)`,
      layout: 'fsdd',
      facts: { sampleRate: 8000 },
    };
  },
  // Speaker and digit from each file's name; a file not named the FSDD way gets neither.
  async fileLabels(_path, files) {
    const names = files.map((f) => FSDD_FILE_NAME.exec(basename(f)));
    return { speaker: names.map((m) => m?.[2] ?? ''), content: names.map((m) => (m ? DIGIT_WORDS[Number(m[1])] : '')) };
  },
};

/** tts-speakers (`tts-speakers/manifest.csv`): voice and item labels. */
export const ttsSpeakersLayout: DatasetLayout<AudioClip> = {
  name: 'tts-speakers',
  describe: 'the synthetic-voices set (tts-speakers/manifest.csv, or a data folder holding tts-speakers/)',
  labels: ['speaker', 'content'],
  detect: async (path) => rootOf(path, 'tts-speakers', 'manifest.csv') !== undefined,
  async load(path, options: DatasetLoadOptions = {}): Promise<LoadedDataset<AudioClip>> {
    const items = await loadTtsSpeakers({ dataDir: rootOf(path, 'tts-speakers', 'manifest.csv') ?? path, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
    const names = [...new Set(items.map((i) => i.item))].sort();
    return {
      samples: items.map((i) => i.clip),
      labels: { speaker: labelsOf(items.map((i) => i.speaker)), content: { values: items.map((i) => names.indexOf(i.item)), names } },
      source: `tts-speakers (${items.length} clips)`,
      layout: 'tts-speakers',
      facts: { sampleRate: 16000 },
    };
  },
};

/** Any folder of WAV files (recursively); a clip's speaker is the folder it is in. */
export const wavFolderLayout: DatasetLayout<AudioClip> = {
  name: 'wav-folder',
  describe: 'a folder of WAV files (one subfolder per speaker gives speaker labels)',
  labels: ['speaker'],
  detect: async (path) => (await stat(path).catch(() => undefined))?.isDirectory() === true,
  async load(path, options: DatasetLoadOptions = {}): Promise<LoadedDataset<AudioClip>> {
    let files = await listFiles(path, audioCodec.extensions);
    if (files.length === 0) throw new DatasetError(`${path}: the folder holds no WAV files.`, { file: path });
    if (options.limit !== undefined) files = files.slice(0, options.limit);
    const clips: AudioClip[] = [];
    for (const f of files) clips.push(await readWav(f));
    // The model runs at the rate most clips have; the others are resampled to it.
    const rates = new Map<number, number>();
    for (const c of clips) rates.set(c.sampleRate, (rates.get(c.sampleRate) ?? 0) + 1);
    const sampleRate = [...rates.entries()].sort((a, b) => b[1] - a[1])[0][0];
    return {
      samples: clips,
      labels: { speaker: labelsOf(files.map((f) => basename(dirname(f)))) },
      source: `WAV folder ${path} (${clips.length} clips)`,
      layout: 'wav-folder',
      facts: { sampleRate },
    };
  },
  // As load labels them: by folder. Files directly in the given folder get no speaker.
  fileLabels: async (path, files) => ({ speaker: subfolderLabels(path, files) }),
};

/** Options of the embedded corpus beyond {@link DatasetLoadOptions}. */
export interface EmbeddedSpeechOptions extends DatasetLoadOptions {
  /** Synthetic voices. @default 6 */
  speakers?: number;
  /** Utterances per voice. @default 12 */
  utterancesPerSpeaker?: number;
}

/**
 * The synthetic speech corpus: formant-synthesised vowel sequences by distinct voices.
 * @param options sizes and seed (`limit` keeps the first clips).
 */
export async function loadEmbeddedSpeech(options: EmbeddedSpeechOptions = {}): Promise<LoadedDataset<AudioClip>> {
  const speakers = options.speakers ?? 6;
  const per = options.utterancesPerSpeaker ?? 12;
  let corpus = syntheticSpeechCorpus({ speakers, utterancesPerSpeaker: per, contents: Math.min(per, 8), seed: options.seed ?? 0 });
  if (options.limit !== undefined) corpus = corpus.slice(0, options.limit);
  return {
    samples: corpus.map((u) => u.clip),
    labels: { speaker: labelsOf(corpus.map((u) => u.speakerName)), content: { values: corpus.map((u) => u.content), names: [...SYNTHETIC_CONTENTS] } },
    source: `synthetic speech (${speakers} speakers x ${per} utterances)`,
    layout: 'synthetic-speech',
    facts: { sampleRate: corpus[0].clip.sampleRate },
  };
}

/** Synthetic speech made on the spot (no download). */
export const embeddedSpeech: EmbeddedData<AudioClip> = {
  describe: 'synthetic speech: 6 formant-synthesised voices saying vowel sequences',
  load: loadEmbeddedSpeech,
};
