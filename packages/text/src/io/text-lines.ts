/**
 * @file Text files as people save them: UTF-8 with or without a byte-order mark, UTF-16
 * (little- or big-endian) with one, and CR, LF or CRLF line endings, even mixed. What cannot be
 * read as text is a typed error naming the file and the byte, never garbage sentences: invalid
 * UTF-8, UTF-32, and UTF-16 without a byte-order mark (recognised by its NUL bytes).
 */
import { DecodeError, UnsupportedFormatError } from '@latentkit/core';

/** The encodings {@link decodeText} reads. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Offset of the first byte that does not belong to a valid UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i; // cut short at the end
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Decodes the bytes of a text file: the byte-order mark, if any, picks UTF-8, UTF-16LE or
 * UTF-16BE (and is dropped); without one the bytes must be valid UTF-8.
 * @param bytes the file's contents.
 * @param file the file's name, for messages.
 * @returns the text and the encoding it was read in.
 * @throws {DecodeError} for invalid UTF-8 (naming the byte offset), a UTF-16 file cut in the
 *   middle of a character, or NUL bytes (UTF-16 without a byte-order mark, or a binary file).
 * @throws {UnsupportedFormatError} for UTF-32.
 * @example
 * ```ts
 * decodeText(new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00])).text; // 'hi'
 * ```
 */
export function decodeText(bytes: Uint8Array, file = 'text'): { text: string; encoding: TextEncodingName } {
  const [a, b, c, d] = bytes;
  if ((a === 0xff && b === 0xfe && c === 0 && d === 0) || (a === 0 && b === 0 && c === 0xfe && d === 0xff)) {
    throw new UnsupportedFormatError(`${file} is UTF-32; latentkit reads UTF-8 and UTF-16 text.`, { file, hint: 'Save the file as UTF-8.' });
  }
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) {
    const encoding: TextEncodingName = a === 0xff ? 'utf-16le' : 'utf-16be';
    if ((bytes.length - 2) % 2 !== 0) {
      throw new DecodeError(`${file} starts with a ${encoding.toUpperCase()} byte-order mark but has an odd number of bytes; it is cut short.`, { file });
    }
    try {
      return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(2)), encoding };
    } catch (e) {
      throw new DecodeError(`${file} is not valid ${encoding.toUpperCase()} (an unpaired surrogate).`, { file, cause: e });
    }
  }
  const body = a === 0xef && b === 0xbb && c === 0xbf ? bytes.subarray(3) : bytes;
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const at = bad + (body === bytes ? 0 : 3);
    throw new DecodeError(
      `${file} is not valid UTF-8 (byte ${at} is 0x${bytes[at].toString(16).padStart(2, '0')}); save it as UTF-8, or as UTF-16 with a byte-order mark.`,
      { file, hint: 'Re-save the file as UTF-8 (most editors: "Save with encoding").' },
    );
  }
  const nul = body.indexOf(0);
  if (nul >= 0) {
    throw new DecodeError(`${file} holds a NUL byte (at ${nul + (body === bytes ? 0 : 3)}): UTF-16 without a byte-order mark, or not a text file.`, {
      file,
      hint: 'Save the file as UTF-8, or as UTF-16 with a byte-order mark.',
    });
  }
  return { text: new TextDecoder('utf-8').decode(body), encoding: 'utf-8' };
}

/**
 * Splits text into lines at CR, LF or CRLF (mixed endings included); a final line ending
 * does not start an empty line.
 * @example
 * ```ts
 * splitLines('a\r\nb\rc\n'); // ['a', 'b', 'c']
 * ```
 */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
