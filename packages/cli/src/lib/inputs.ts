/**
 * @file Input lists: files and folders expanded into files in a stable order (files as given,
 * folders sorted by name, recursively), and text files read as one sentence per line.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { EmptyInputError, InputTooLargeError } from '@latentkit/core';
import { UsageError } from './errors.js';

/** Most files one command reads. */
export const MAX_INPUT_FILES = 1_000_000;
/** Largest text file `encode text` reads (bytes). */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;
/** Most sentences `encode text` reads. */
export const MAX_SENTENCES = 1_000_000;

const collator = new Intl.Collator('en', { numeric: true });

async function walk(dir: string, extensions: readonly string[], out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => collator.compare(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    // Links are not followed inside folders: a folder listing never wanders elsewhere.
    if (e.isDirectory()) await walk(p, extensions, out);
    else if (e.isFile() && extensions.includes(extname(e.name).toLowerCase())) out.push(p);
    if (out.length > MAX_INPUT_FILES) throw new InputTooLargeError(`${dir}: more than ${MAX_INPUT_FILES} input files.`, { file: dir });
  }
}

/**
 * Expands files and folders into a list of files: each file in the order given, each folder
 * replaced by the files under it with one of `extensions` (recursively, sorted by name with
 * numbers in numeric order, hidden entries skipped).
 * @param paths files and folders.
 * @param extensions lower-case extensions with the dot, e.g. `['.wav']`.
 * @param what how to name the inputs in messages, e.g. `WAV`.
 * @returns the files.
 * @throws {UsageError} when no path is given.
 * @throws {EmptyInputError} when the folders hold no matching file.
 */
export async function expandInputs(paths: readonly string[], extensions: readonly string[], what: string): Promise<string[]> {
  if (paths.length === 0) throw new UsageError(`Give ${what} files or folders with --in.`);
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const before = out.length;
      await walk(p, extensions, out);
      if (out.length === before) {
        throw new EmptyInputError(`${p}: the folder holds no ${what} files (${extensions.join(', ')}).`, { file: p });
      }
    } else {
      out.push(p);
    }
    if (out.length > MAX_INPUT_FILES) throw new InputTooLargeError(`More than ${MAX_INPUT_FILES} input files.`);
  }
  return out;
}

/**
 * Reads a text file as one sentence per line: lines (ended by CR, LF or CRLF) are trimmed, and
 * row `i` of the output is line `i + 1` of the file. A blank line is refused rather than
 * skipped, so rows never shift against line numbers; one line ending at the end of the file is
 * not a line. UTF-8 with or without a byte-order mark and UTF-16 with one are read
 * (@latentkit/text's decodeText).
 * @param file a text file.
 * @returns the sentences in file order.
 * @throws {InputTooLargeError} for a file over 64 MiB or over a million lines.
 * @throws {EmptyInputError} when it holds no sentence, or a blank line (named by number).
 * @throws {DecodeError} for invalid UTF-8, UTF-16 without a byte-order mark, or a binary file.
 * @throws {UnsupportedFormatError} for UTF-32.
 */
export async function readSentences(file: string): Promise<string[]> {
  const s = await stat(file);
  if (s.isDirectory()) throw new UsageError(`${file} is a folder; encode text reads a text file with one sentence per line.`);
  if (s.size > MAX_TEXT_BYTES) {
    throw new InputTooLargeError(`${file}: ${s.size} bytes, more than the ${MAX_TEXT_BYTES} a sentence file may have.`, { file });
  }
  const { decodeText, splitLines } = await import('@latentkit/text');
  const lines = splitLines(decodeText(new Uint8Array(await readFile(file)), file).text).map((l) => l.trim());
  if (lines.every((l) => l.length === 0)) throw new EmptyInputError(`${file}: no sentences (the file is empty or blank).`, { file });
  if (lines.length > MAX_SENTENCES) throw new InputTooLargeError(`${file}: ${lines.length} lines, more than ${MAX_SENTENCES}.`, { file });
  const blank = lines.findIndex((l) => l.length === 0);
  if (blank >= 0) throw new EmptyInputError(`${file}:${blank + 1}: blank line; every line becomes one row, so remove blank lines first.`, { file });
  return lines;
}
