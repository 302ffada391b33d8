/**
 * @file Speaker labels read off the way a folder of WAVs is laid out, so that `latentkit train
 * audio --data <dir>` can use them without being told: a CSV manifest (`file,speaker`), one
 * subfolder per speaker, FSDD file names (`7_jackson_3.wav`) or tts-speakers file names
 * (`esp-f1_sent12.wav`). Node-only (the manifest is read from disk).
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { DatasetError, parseCsv } from '@latentkit/core';

/** Names a manifest of speaker labels may have, in the folder given to `--data`. */
export const SPEAKER_MANIFEST_NAMES = ['speakers.csv', 'manifest.csv', 'labels.csv'] as const;

/** Where a set of speaker labels came from (said in the recipe's log). */
export type SpeakerLabelSource = 'manifest' | 'folders' | 'file names';

/** Speaker labels inferred for a list of files. */
export interface InferredSpeakers {
  /** One speaker name per file, in the files' order. */
  speakers: string[];
  /** What the clips say, where the names tell it (FSDD's digit, tts-speakers' item); else undefined. */
  contents?: string[];
  source: SpeakerLabelSource;
  /** How to name the source in a sentence, e.g. `file names (FSDD: digit_speaker_take.wav)`. */
  describe: string;
}

/** FSDD's `{digit}_{speaker}_{take}.wav`. */
const FSDD_NAME = /^(\d)_([^_]+)_(\d+)\.wave?$/i;
/** tts-speakers' `{voice}_{item}.wav` (neither part holds `_`). */
const TTS_NAME = /^([^_]+)_([^_]+)\.wave?$/i;

/**
 * Whether a labelling tells speakers apart at all: at least two speakers, and some speaker
 * with two clips (otherwise every name is unique, as in `clip_001.wav`, `clip_002.wav`, and the
 * "speakers" are just files).
 */
function informative(speakers: readonly string[]): boolean {
  const counts = new Map<string, number>();
  for (const s of speakers) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts.size >= 2 && counts.size < speakers.length;
}

/**
 * Reads a `file,speaker` manifest (other columns allowed) in `dir`, if one is there.
 * @returns speaker by absolute file path, and the manifest's name; undefined when `dir` holds no
 *   manifest with both columns.
 * @throws {DatasetError} for a malformed CSV, an empty speaker, a file named twice, or a file
 *   path that leaves `dir`.
 */
export async function readSpeakerManifest(dir: string): Promise<{ byFile: Map<string, string>; name: string } | undefined> {
  for (const name of SPEAKER_MANIFEST_NAMES) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const table = parseCsv(await readFile(path, 'utf8'), path);
    // A CSV of another kind (e.g. FSDD's speaker metadata) is not a label manifest.
    if (!table.header.includes('file') || !table.header.includes('speaker')) continue;
    const byFile = new Map<string, string>();
    const root = resolve(dir);
    table.rows.forEach((row, i) => {
      const file = resolve(root, row.file);
      if (file !== root && !file.startsWith(root + sep)) throw new DatasetError(`${path} row ${i + 1}: file '${row.file}' is outside ${dir}.`, { file: path });
      if (row.speaker.trim() === '') throw new DatasetError(`${path} row ${i + 1}: file '${row.file}' has an empty speaker.`, { file: path });
      if (byFile.has(file)) throw new DatasetError(`${path} row ${i + 1}: file '${row.file}' is listed twice.`, { file: path });
      byFile.set(file, row.speaker.trim());
    });
    return { byFile, name };
  }
  return undefined;
}

/**
 * Infers one speaker per file from how the files are laid out under `dir`, trying in order:
 * 1. a manifest (`speakers.csv`, `manifest.csv` or `labels.csv` with `file` and `speaker`
 *    columns; `file` relative to `dir`), which must name every WAV;
 * 2. one subfolder per speaker (every file in a subfolder of `dir`, which names its speaker);
 * 3. FSDD names (`7_jackson_3.wav`: speaker `jackson`, content `7`);
 * 4. tts-speakers names (`esp-f1_sent12.wav`: speaker `esp-f1`, content `sent12`).
 * A layout counts only when it gives at least two speakers, one with two clips or more.
 * @param dir the folder the files were listed from.
 * @param files absolute paths under `dir` (as core's `listFiles` returns them).
 * @returns the labels, or undefined when nothing tells speakers apart.
 * @throws {DatasetError} for a bad manifest, or one that leaves a WAV out.
 * @example
 * ```ts
 * const files = await listFiles(dir, ['.wav']);
 * const labels = await inferSpeakers(dir, files); // { speakers: ['jackson', ...], source: 'file names', ... }
 * ```
 */
export async function inferSpeakers(dir: string, files: readonly string[]): Promise<InferredSpeakers | undefined> {
  const manifest = await readSpeakerManifest(dir);
  if (manifest) {
    const speakers = files.map((f) => {
      const s = manifest.byFile.get(resolve(f));
      if (s === undefined) throw new DatasetError(`${join(dir, manifest.name)} gives no speaker for '${relative(dir, f)}'; list every WAV, or remove the manifest.`, { file: join(dir, manifest.name) });
      return s;
    });
    return { speakers, source: 'manifest', describe: `the manifest ${manifest.name}` };
  }
  // The first folder under `dir` names the speaker, so `speaker/session/x.wav` works too.
  const folders = files.map((f) => relative(dir, f).split(sep));
  if (folders.every((p) => p.length >= 2)) {
    const speakers = folders.map((p) => p[0]);
    if (informative(speakers)) return { speakers, source: 'folders', describe: 'folder names (one folder per speaker)' };
  }
  const names = files.map((f) => basename(f));
  const fsdd = names.map((n) => FSDD_NAME.exec(n));
  if (fsdd.every((m) => m !== null)) {
    const speakers = fsdd.map((m) => m![2]);
    if (informative(speakers)) return { speakers, contents: fsdd.map((m) => m![1]), source: 'file names', describe: 'file names (digit_speaker_take.wav, as FSDD)' };
  }
  const tts = names.map((n) => TTS_NAME.exec(n));
  if (tts.every((m) => m !== null)) {
    const speakers = tts.map((m) => m![1]);
    if (informative(speakers)) return { speakers, contents: tts.map((m) => m![2]), source: 'file names', describe: 'file names (voice_item.wav, as tts-speakers)' };
  }
  return undefined;
}
