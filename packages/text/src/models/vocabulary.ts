/**
 * @file The character vocabulary of the sentence autoencoder and the text normalisation every
 * path (training, encode, fill-in) shares, so a sentence always becomes the same ids.
 */
import { EmptyInputError, InvalidArgumentError, ModelFormatError } from '@latentkit/core';

/** Id of padding: every position after the end of the text. Decoding stops at the first one. */
export const PAD_ID = 0;
/** Id of characters outside the vocabulary (non-Latin scripts, emoji, control characters). */
export const UNK_ID = 1;
/** Id of a gap: a character the model must restore (written {@link GAP_MARKER} in text). */
export const MASK_ID = 2;
/** Number of special ids before the first character. */
export const SPECIAL_COUNT = 3;
/** How a gap (a missing character) is written in `fillIn` input; reserved, never a character. */
export const GAP_MARKER = '_';
/** How an out-of-vocabulary character comes back from the decoder. */
export const UNKNOWN_CHAR = '\uFFFD';

/** JSON form of a {@link CharVocabulary}, saved as `vocabulary.json` in the model folder. */
export interface CharVocabularyJson {
  format: 'latentkit-char-vocabulary';
  version: 1;
  /** Characters for ids 3, 4, ...; ids 0-2 are PAD, UNK, MASK. */
  chars: string[];
}

/** Printable ASCII without the gap marker: covers WordNet entirely (94 characters). */
export function defaultCharacters(): string[] {
  const out: string[] = [];
  for (let c = 0x20; c <= 0x7e; c++) if (String.fromCharCode(c) !== GAP_MARKER) out.push(String.fromCharCode(c));
  return out;
}

/**
 * Maps characters to ids and back. Ids 0-2 are special (PAD, UNK, MASK); every character of
 * the vocabulary is one Unicode code point.
 * @example
 * ```ts
 * const v = new CharVocabulary(defaultCharacters());
 * v.idsToText(v.textToIds('a cat', 8)); // 'a cat'
 * ```
 */
export class CharVocabulary {
  readonly chars: readonly string[];
  private readonly index = new Map<string, number>();

  /**
   * @param chars distinct single code points, none of them the gap marker.
   * @throws {InvalidArgumentError} for duplicates, multi-character entries or the gap marker.
   */
  constructor(chars: readonly string[]) {
    chars.forEach((c, i) => {
      if ([...c].length !== 1) throw new InvalidArgumentError(`Vocabulary entry ${i} must be one character, got ${JSON.stringify(c)}.`);
      if (c === GAP_MARKER) throw new InvalidArgumentError(`The gap marker '${GAP_MARKER}' is reserved and cannot be a vocabulary character.`);
      if (this.index.has(c)) throw new InvalidArgumentError(`Vocabulary character ${JSON.stringify(c)} appears twice.`);
      this.index.set(c, i + SPECIAL_COUNT);
    });
    this.chars = [...chars];
  }

  /** Ids in total (specials plus characters): the width of the decoder's output. */
  get size(): number {
    return this.chars.length + SPECIAL_COUNT;
  }

  /** Id of one code point: its character id, MASK for the gap marker, UNK otherwise. */
  idOf(char: string): number {
    if (char === GAP_MARKER) return MASK_ID;
    return this.index.get(char) ?? UNK_ID;
  }

  /** Character of an id ('' for PAD, {@link UNKNOWN_CHAR} for UNK and MASK). */
  charOf(id: number): string {
    if (id === PAD_ID) return '';
    if (id < SPECIAL_COUNT || id >= this.size) return UNKNOWN_CHAR;
    return this.chars[id - SPECIAL_COUNT];
  }

  /**
   * Ids of a text, padded with PAD (or cut) to `length`. The text is used as is; normalise it
   * first with {@link normalizeSentence}.
   */
  textToIds(text: string, length: number, out = new Int32Array(length)): Int32Array {
    let i = 0;
    for (const ch of text) {
      if (i >= length) break;
      out[i++] = this.idOf(ch);
    }
    out.fill(PAD_ID, i, length);
    return out;
  }

  /** Text of ids, stopping at the first PAD. */
  idsToText(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === PAD_ID) break;
      s += this.charOf(ids[i]);
    }
    return s;
  }

  /** JSON-safe form (saved with the model). */
  toJSON(): CharVocabularyJson {
    return { format: 'latentkit-char-vocabulary', version: 1, chars: [...this.chars] };
  }

  /**
   * Reads the JSON written by {@link CharVocabulary.toJSON}.
   * @param bytes contents of `vocabulary.json`.
   * @param file the file's name, for error messages.
   * @throws {ModelFormatError} when the file is not a vocabulary of this format.
   */
  static fromJSON(bytes: Uint8Array | string, file = 'vocabulary.json'): CharVocabulary {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (e) {
      throw new ModelFormatError(`${file} is not valid UTF-8 JSON.`, { file, cause: e });
    }
    const v = parsed as Partial<CharVocabularyJson> | null;
    if (!v || v.format !== 'latentkit-char-vocabulary' || v.version !== 1 || !Array.isArray(v.chars) || !v.chars.every((c) => typeof c === 'string')) {
      throw new ModelFormatError(`${file}: expected {format: 'latentkit-char-vocabulary', version: 1, chars: string[]}.`, { file });
    }
    try {
      return new CharVocabulary(v.chars);
    } catch (e) {
      throw new ModelFormatError(`${file}: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
    }
  }
}

/** A normalised sentence and whether it had to be cut. */
export interface NormalizedSentence {
  text: string;
  truncated: boolean;
}

/**
 * Normalises a sentence the way the model reads it: Unicode NFC, every run of whitespace to
 * one space, no leading or trailing space, then cut to the first `maxLength` code points.
 * Work is bounded by the output, not the input: a 100 MB string costs no more than a short one
 * beyond one pass over its leading whitespace.
 * @param text the sentence.
 * @param maxLength code points kept.
 * @param index position in the caller's batch, for the error message.
 * @returns the normalised text and whether it was cut.
 * @throws {EmptyInputError} when nothing but whitespace remains.
 * @throws {InvalidArgumentError} when `text` is not a string.
 * @example
 * ```ts
 * normalizeSentence('  a   cat ', 64).text; // 'a cat'
 * ```
 */
export function normalizeSentence(text: string, maxLength: number, index = 0): NormalizedSentence {
  if (typeof text !== 'string') throw new InvalidArgumentError(`Sentence ${index} must be a string, got ${text === null ? 'null' : typeof text}.`);
  // A little slack so NFC (which only merges) still leaves maxLength code points when text remains.
  const limit = maxLength + 8;
  const cps: string[] = [];
  let pendingSpace = false;
  let more = false;
  for (const ch of text) {
    if (/\s/u.test(ch)) {
      pendingSpace = cps.length > 0;
      continue;
    }
    if (cps.length >= limit) {
      more = true;
      break;
    }
    if (pendingSpace) {
      cps.push(' ');
      pendingSpace = false;
      if (cps.length >= limit) {
        more = true;
        break;
      }
    }
    cps.push(ch);
  }
  if (cps.length === 0) {
    throw new EmptyInputError(`Sentence ${index} is ${text.length === 0 ? 'empty' : 'whitespace only'}; the sentence autoencoder needs at least one visible character.`);
  }
  const all = [...cps.join('').normalize('NFC')];
  let kept = all.slice(0, maxLength);
  // Never end on a space we added while collapsing.
  while (kept.length > 0 && kept[kept.length - 1] === ' ') kept = kept.slice(0, -1);
  return { text: kept.join(''), truncated: more || all.length > maxLength };
}
