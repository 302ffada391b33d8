/**
 * @file Text in and out for the modality descriptor: a text file (UTF-8, or UTF-16 with a
 * byte-order mark; see decodeText) holds one sentence per line (CR, LF or CRLF; lines trimmed;
 * row `i` is line `i + 1`, and a blank line is refused rather than skipped, so rows never
 * shift against line numbers); outputs are written as UTF-8, one per line.
 */
import { EmptyInputError, InputLimitError, InputTooLargeError, type ModalityCodec } from '@latentkit/core';
import { decodeText, splitLines } from '../io/text-lines.js';

/** Largest text file read (bytes). */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;
/** Most sentences one file may hold. */
export const MAX_SENTENCES = 1_000_000;

/**
 * Splits text into sentences, one per line (trimmed; a leading byte-order mark dropped; lines
 * end at CR, LF or CRLF; one line ending at the end is not a line).
 * @param text the file's text.
 * @param name the file, for messages.
 * @returns the sentences in order: sentence `i` is line `i + 1`.
 * @throws {EmptyInputError} when no line has text, or for a blank line (named by its number).
 * @throws {InputTooLargeError} past a million lines.
 * @example
 * ```ts
 * sentencesOf('the cat\n a dog \n', 's.txt'); // ['the cat', 'a dog']
 * ```
 */
export function sentencesOf(text: string, name = '<text>'): string[] {
  const lines = splitLines(text.replace(/^\uFEFF/, '')).map((l) => l.trim());
  if (lines.every((l) => l.length === 0)) throw new EmptyInputError(`${name}: no sentences (the file is empty or blank).`, { file: name });
  if (lines.length > MAX_SENTENCES) throw new InputTooLargeError(`${name}: ${lines.length} lines, more than ${MAX_SENTENCES}.`, { file: name });
  const blank = lines.findIndex((l) => l.length === 0);
  if (blank >= 0) throw new EmptyInputError(`${name}:${blank + 1}: blank line; every line becomes one row, so remove blank lines first.`, { file: name });
  return lines;
}

/**
 * Refuses a sentence longer than `maxChars` code points, naming its line.
 * @throws {InputLimitError} for the first such sentence.
 */
export function checkSentenceChars(sentences: readonly string[], maxChars: number, name = '<text>'): void {
  for (let i = 0; i < sentences.length; i++) {
    // UTF-16 length bounds the code points from above, so most sentences skip the count.
    if (sentences[i].length <= maxChars) continue;
    const chars = [...sentences[i]].length;
    if (chars > maxChars) {
      throw new InputLimitError(`${name}:${i + 1}: ${chars} characters, more than maxChars=${maxChars}.`, 'maxChars', maxChars, chars, { file: name });
    }
  }
}

/** How sentences enter and leave latentkit's text models. */
export const textCodec: ModalityCodec<string, string> = {
  noun: 'sentence',
  extensions: ['.txt'],
  unit: 'line',
  maxInputBytes: MAX_TEXT_BYTES,
  printable: true,
  async decode(bytes, options = {}) {
    const sentences = sentencesOf(decodeText(bytes, options.name).text, options.name);
    const maxChars = options.limits?.maxChars;
    if (maxChars !== undefined) checkSentenceChars(sentences, maxChars, options.name);
    return sentences;
  },
  async encode(outputs) {
    return [{ bytes: new TextEncoder().encode(outputs.join('\n') + '\n'), extension: '.txt', mediaType: 'text/plain; charset=utf-8' }];
  },
};
