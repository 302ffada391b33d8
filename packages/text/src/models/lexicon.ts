/**
 * @file The word list a sentence autoencoder learned from its training text, used by `fillIn`
 * as a prior over whole words. Guessing one letter from two or three neighbours is often a
 * coin toss ("c_t": cat, cut, cot); a gapped word scored as a whole against the words the model
 * has read picks the one that fits every known letter and the decoder's view of the gaps.
 * It is the lexicon-constrained decoding of OCR and speech recognition: the decoder is the
 * channel model, word frequencies the prior, and words the lexicon lacks stay possible.
 */
import { InvalidArgumentError, ModelFormatError } from '@latentkit/core';
import { GAP_MARKER } from './vocabulary.js';

/** JSON form of a {@link Lexicon}, saved as `lexicon.json` in the model folder. */
export interface LexiconJson {
  format: 'latentkit-lexicon';
  version: 1;
  /** `[word, count]`, most frequent first; words are lower case. */
  words: [string, number][];
}

/** A run of word characters in a text: letters, digits and apostrophes (gaps included). */
export interface WordSpan {
  /** Index of the first code point. */
  start: number;
  /** Code points of the word, gaps as {@link GAP_MARKER}. */
  chars: string[];
}

const WORD_CHAR = /[\p{L}\p{N}']/u;
/** Longest word kept: longer tokens are chemical names and URLs, never worth a prior. */
const MAX_WORD = 32;

/**
 * Splits code points into words (runs of letters, digits, apostrophes and gaps).
 * @param cps the text as code points.
 * @returns the words in order.
 * @example
 * ```ts
 * wordSpans([...'a c_t, sat']).map((w) => w.chars.join('')); // ['a', 'c_t', 'sat']
 * ```
 */
export function wordSpans(cps: readonly string[]): WordSpan[] {
  const out: WordSpan[] = [];
  let cur: WordSpan | undefined;
  cps.forEach((ch, i) => {
    if (ch === GAP_MARKER || WORD_CHAR.test(ch)) {
      if (!cur) out.push((cur = { start: i, chars: [] }));
      cur.chars.push(ch);
    } else cur = undefined;
  });
  return out;
}

/**
 * Word frequencies of a training corpus, searchable by pattern (known letters and gaps).
 * @example
 * ```ts
 * const lex = Lexicon.fromTexts(['the cat sat', 'a cat ran']);
 * lex.matching([...'c_t']); // [['cat', 2]]
 * ```
 */
export class Lexicon {
  private readonly byLength = new Map<number, { words: string[][]; counts: number[] }>();
  /** Sum of all counts. */
  readonly total: number;

  /**
   * @param counts lower-case word -> number of occurrences (> 0).
   * @throws {InvalidArgumentError} for an empty word, a word with a gap, or a count that is not a positive integer.
   */
  constructor(readonly counts: ReadonlyMap<string, number>) {
    let total = 0;
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [word, count] of sorted) {
      const chars = [...word];
      if (chars.length === 0 || chars.length > MAX_WORD || word.includes(GAP_MARKER)) throw new InvalidArgumentError(`Lexicon word ${JSON.stringify(word)} must have 1-${MAX_WORD} characters and no gap marker.`);
      if (!Number.isInteger(count) || count <= 0) throw new InvalidArgumentError(`Lexicon count of ${JSON.stringify(word)} must be a positive integer, got ${count}.`);
      let bucket = this.byLength.get(chars.length);
      if (!bucket) this.byLength.set(chars.length, (bucket = { words: [], counts: [] }));
      bucket.words.push(chars);
      bucket.counts.push(count);
      total += count;
    }
    this.total = total;
  }

  /** Distinct words. */
  get size(): number {
    return this.counts.size;
  }

  /**
   * Counts the words of texts (lower-cased; gaps and over-long tokens skipped).
   * @param texts training sentences.
   * @param into counts to add to (e.g. an existing lexicon's).
   * @returns a new lexicon.
   */
  static fromTexts(texts: Iterable<string>, into?: ReadonlyMap<string, number>): Lexicon {
    const counts = new Map(into ?? []);
    for (const text of texts) {
      for (const w of wordSpans([...text.toLowerCase()])) {
        if (w.chars.length > MAX_WORD || w.chars.includes(GAP_MARKER)) continue;
        const word = w.chars.join('');
        counts.set(word, (counts.get(word) ?? 0) + 1);
      }
    }
    return new Lexicon(counts);
  }

  /**
   * Words of the pattern's length whose letters agree with every known one (compared in lower case).
   * @param pattern code points, gaps as {@link GAP_MARKER}.
   * @returns `[word as code points, count]`, most frequent first.
   */
  matching(pattern: readonly string[]): [string[], number][] {
    const bucket = this.byLength.get(pattern.length);
    if (!bucket) return [];
    const known: [number, string][] = [];
    pattern.forEach((ch, i) => ch !== GAP_MARKER && known.push([i, ch.toLowerCase()]));
    const out: [string[], number][] = [];
    outer: for (let k = 0; k < bucket.words.length; k++) {
      const w = bucket.words[k];
      for (const [i, ch] of known) if (w[i] !== ch) continue outer;
      out.push([w, bucket.counts[k]]);
    }
    return out;
  }

  /** JSON-safe form (saved with the model). */
  toJSON(): LexiconJson {
    const words = [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return { format: 'latentkit-lexicon', version: 1, words };
  }

  /**
   * Reads the JSON written by {@link Lexicon.toJSON}.
   * @param bytes contents of `lexicon.json`.
   * @param file the file's name, for error messages.
   * @throws {ModelFormatError} when the file is not a lexicon of this format.
   */
  static fromJSON(bytes: Uint8Array | string, file = 'lexicon.json'): Lexicon {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (e) {
      throw new ModelFormatError(`${file} is not valid UTF-8 JSON.`, { file, cause: e });
    }
    const v = parsed as Partial<LexiconJson> | null;
    if (!v || v.format !== 'latentkit-lexicon' || v.version !== 1 || !Array.isArray(v.words)) {
      throw new ModelFormatError(`${file}: expected {format: 'latentkit-lexicon', version: 1, words: [word, count][]}.`, { file });
    }
    const counts = new Map<string, number>();
    for (const [i, entry] of v.words.entries()) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') {
        throw new ModelFormatError(`${file}: words[${i}] must be [word, count], got ${JSON.stringify(entry)?.slice(0, 60)}.`, { file });
      }
      if (counts.has(entry[0])) throw new ModelFormatError(`${file}: word ${JSON.stringify(entry[0])} appears twice.`, { file });
      counts.set(entry[0], entry[1]);
    }
    try {
      return new Lexicon(counts);
    } catch (e) {
      throw new ModelFormatError(`${file}: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
    }
  }
}
