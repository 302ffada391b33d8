/**
 * @file Inputs for a modality: `--in` files and folders expanded into files in a stable order
 * (files as given, folders sorted by name, recursively), read as bytes within a size limit and
 * decoded by the modality's codec. Row `i` of every output is sample `i` in this order; a
 * file of lines gives its samples in line order, and each keeps its line number (a reader that
 * skipped blank lines is refused, since its rows would no longer match the file's lines).
 */
import { readFile, stat } from 'node:fs/promises';
import { EmptyInputError, InputTooLargeError, listFiles, MAX_LISTED_FILES, type ModalityDescriptor, type ModelConfig, type ReadInputs } from '@latentkit/core';
import { countProgress, type ProgressOptions } from './progress.js';
import { UsageError } from './usage-error.js';

/** Most files one command reads. */
export const MAX_INPUT_FILES = MAX_LISTED_FILES;
/** Largest input file when the modality sets no limit (bytes). */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;
/** Files decoded at the same time. */
const CONCURRENCY = 4;

/**
 * Expands files and folders into a list of files: each file in the order given, each folder
 * replaced by the files under it with one of `extensions` (recursively, sorted by name with
 * numbers in numeric order, hidden entries skipped, links inside folders not followed).
 * @param paths files and folders.
 * @param extensions lower-case extensions with the dot, e.g. `['.wav']`.
 * @param what how to name the inputs in messages, e.g. `WAV`.
 * @returns the files.
 * @throws {UsageError} when no path is given.
 * @throws {EmptyInputError} when a folder holds no matching file.
 * @throws {InputTooLargeError} past a million files.
 */
export async function expandInputs(paths: readonly string[], extensions: readonly string[], what: string): Promise<string[]> {
  if (paths.length === 0) throw new UsageError(`Give ${what} files or folders with --in.`);
  const out: string[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) {
      const found = await listFiles(p, extensions, MAX_INPUT_FILES - out.length);
      if (found.length === 0) throw new EmptyInputError(`${p}: the folder holds no ${what} files (${extensions.join(', ')}).`, { file: p });
      out.push(...found);
    } else {
      out.push(p);
    }
    if (out.length > MAX_INPUT_FILES) throw new InputTooLargeError(`More than ${MAX_INPUT_FILES} input files.`);
  }
  return out;
}

/** {@link ReadInputs} plus where in its file each sample was. */
export interface ReadRows<S> extends ReadInputs<S> {
  /** One per sample: its 1-based line, for a file of lines; undefined for a whole-file sample. */
  lines: (number | undefined)[];
}

/** The lines of a text file's bytes (UTF-8, or UTF-16 with a byte-order mark), as the text codec splits them. */
function linesOf(bytes: Uint8Array): string[] {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  const lines = new TextDecoder(encoding).decode(bytes).replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop(); // a final line end ends the last line; it starts none
  return lines;
}

/**
 * Line numbers of the samples a `line` codec read from `bytes`: sample `i` is line `i + 1` when
 * there are as many samples as lines; undefined when the counts differ in a way that says
 * nothing about lines (a header, a record over several lines).
 * @throws {EmptyInputError} when the codec read exactly the non-blank lines of a file that has
 *   blank ones: it dropped them, and rows would not match line numbers.
 */
export function lineNumbers(bytes: Uint8Array, samples: number, file: string): (number | undefined)[] {
  const lines = linesOf(bytes);
  if (samples === lines.length) return Array.from({ length: samples }, (_, i) => i + 1);
  const blank = lines.findIndex((l) => l.trim() === '');
  if (blank >= 0 && samples === lines.filter((l) => l.trim() !== '').length) {
    throw new EmptyInputError(`${file}:${blank + 1}: blank line; every line becomes one row, so blank lines would shift rows against line numbers.`, {
      file,
      hint: 'Remove the blank lines first.',
    });
  }
  return new Array<undefined>(samples).fill(undefined);
}

/**
 * Reads `--in` as samples of a modality, for a model (an image is resized to its input).
 * @param modality the descriptor whose codec reads the files.
 * @param paths files and folders.
 * @param config the model the samples are for.
 * @param progress progress options.
 * @returns the samples in input order, the name (file) of each, its line (files of lines), and the files read.
 * @throws {InputTooLargeError} for a file over the codec's size limit.
 * @throws {EmptyInputError} when a `line` codec skipped blank lines (see {@link lineNumbers}).
 * @throws the codec's errors ({@link DecodeError} and others), naming the file.
 */
export async function readInputs<S>(modality: ModalityDescriptor<S>, paths: readonly string[], config: ModelConfig | undefined, progress: ProgressOptions): Promise<ReadRows<S>> {
  const { codec } = modality;
  const files = await expandInputs(paths, codec.extensions, codec.noun);
  const max = codec.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const perFile: S[][] = new Array(files.length);
  const perFileLines: (number | undefined)[][] = new Array(files.length);
  const bar = countProgress(`reading ${codec.noun}s`, files.length, progress);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i];
      const info = await stat(file);
      if (info.isDirectory()) throw new UsageError(`${file} is a folder; give ${codec.noun} files.`);
      if (info.size > max) throw new InputTooLargeError(`${file}: ${info.size} bytes, more than the ${max} a ${codec.noun} file may have.`, { file });
      const bytes = new Uint8Array(await readFile(file));
      perFile[i] = await codec.decode(bytes, { config, name: file });
      perFileLines[i] = codec.unit === 'line' ? lineNumbers(bytes, perFile[i].length, file) : perFile[i].map(() => undefined);
      bar.tick();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  } finally {
    bar.stop();
  }
  return { samples: perFile.flat(), names: perFile.flatMap((s, i) => s.map(() => files[i])), lines: perFileLines.flat(), files };
}
