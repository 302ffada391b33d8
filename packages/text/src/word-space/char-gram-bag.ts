/**
 * @file The spelling half of the sentence meaning code: each word's lemma, cut into character
 * n-grams (`<dog>` -> `<d`, `do`, `og`, `g>`, `<do`, ...), SIF-weighted by the word's usage
 * frequency, hashed with random signs into a fixed number of dimensions, scaled to unit length.
 *
 * Why spelling inside a "meaning" code: words that share a stem without sharing a lemma
 * (`Greek`/`Greece`, `kitten`/`kittens`... `eyelid`/`eye`, `bailout`/`bail-out`, a misspelt
 * `Scottsman`) overlap in their n-grams, which neither the lemma bag nor dictionary word vectors
 * see. On STS Benchmark dev this bag alone scored 0.798 against the lemma bag's 0.782, and mixed
 * with it 0.80 (see the text README). It needs no stored table: the n-grams are hashed, and the
 * lemmas and usage counts are the lemma bag's.
 */
import { InvalidArgumentError, ModelFormatError } from '@latentkit/core';
import { hash32, type LemmaBag } from './lemma-bag.js';

/** JSON form of a {@link CharGramBag} (inside `meaning.json`). */
export interface CharGramBagJson {
  /** Hashed dimensions. */
  dim: number;
  /** SIF `a` of the words' weights. */
  sifA: number;
  /** Shortest n-gram (characters, counting the `<` and `>` word boundaries). */
  minN: number;
  /** Longest n-gram. */
  maxN: number;
}

/**
 * Hashed, SIF-weighted bag of the character n-grams of a text's lemmas. A word of weight `x`
 * gives each of its `g` n-grams `x / sqrt(g)`, so long words do not outweigh short ones.
 * @example
 * ```ts
 * const chars = new CharGramBag({ dim: 4096, sifA: 3e-4, minN: 2, maxN: 5 }, lemmaBag);
 * const { slots, values } = chars.sparse(['the', 'kittens']);
 * ```
 */
export class CharGramBag {
  readonly dim: number;
  readonly sifA: number;
  readonly minN: number;
  readonly maxN: number;
  private readonly scratch: Float64Array;
  private readonly touched: number[] = [];

  /**
   * @param words - the lemma bag whose lemmas and usage counts this bag reads.
   * @throws {InvalidArgumentError} for a bad dimension, `a` or n-gram range.
   */
  constructor(
    json: CharGramBagJson,
    private readonly words: LemmaBag,
  ) {
    if (!Number.isInteger(json.dim) || json.dim < 1 || json.dim > 1 << 16) throw new InvalidArgumentError(`CharGramBag dim must be an integer in [1, 65536], got ${json.dim}.`);
    if (!(json.sifA > 0)) throw new InvalidArgumentError(`CharGramBag sifA must be positive, got ${json.sifA}.`);
    if (!Number.isInteger(json.minN) || !Number.isInteger(json.maxN) || json.minN < 1 || json.maxN < json.minN || json.maxN > 16) {
      throw new InvalidArgumentError(`CharGramBag needs integers 1 <= minN <= maxN <= 16, got ${json.minN} and ${json.maxN}.`);
    }
    this.dim = json.dim;
    this.sifA = json.sifA;
    this.minN = json.minN;
    this.maxN = json.maxN;
    this.scratch = new Float64Array(this.dim);
  }

  /**
   * The unit-length bag of a text's word tokens (from `wordTokens`) as its non-zero slots,
   * in increasing order; empty for a text with no word.
   */
  sparse(tokens: readonly string[]): { slots: number[]; values: number[] } {
    const acc = this.scratch;
    const touched = this.touched;
    for (const w of tokens) {
      const s = `<${this.words.lemma(w)}>`;
      let grams = 0;
      for (let n = this.minN; n <= this.maxN; n++) grams += Math.max(0, s.length - n + 1);
      if (grams === 0) continue;
      const x = this.words.weight(w, this.sifA) / Math.sqrt(grams);
      for (let n = this.minN; n <= this.maxN; n++) {
        for (let i = 0; i + n <= s.length; i++) {
          const h = hash32(s.slice(i, i + n));
          const slot = h % this.dim;
          if (acc[slot] === 0) touched.push(slot);
          // Random signs: colliding n-grams cancel on average instead of adding up.
          acc[slot] += h & 0x80000000 ? -x : x;
          if (acc[slot] === 0) acc[slot] = Number.MIN_VALUE; // stays listed once
        }
      }
    }
    touched.sort((p, q) => p - q);
    const slots = touched.slice();
    const values = slots.map((slot) => acc[slot]);
    for (const slot of touched) acc[slot] = 0;
    touched.length = 0;
    let norm = 0;
    for (const v of values) norm += v * v;
    if (!(norm > 0)) return { slots: [], values: [] };
    const f = 1 / Math.sqrt(norm);
    for (let k = 0; k < values.length; k++) values[k] *= f;
    return { slots, values };
  }

  /** JSON-safe form. */
  toJSON(): CharGramBagJson {
    return { dim: this.dim, sifA: this.sifA, minN: this.minN, maxN: this.maxN };
  }

  /**
   * Reads the JSON form for the lemma bag it reads lemmas and counts from.
   * @throws {ModelFormatError} naming `file` when a field is malformed.
   */
  static fromJSON(v: unknown, words: LemmaBag, file: string): CharGramBag {
    const j = v as Partial<CharGramBagJson> | null;
    if (!j || typeof j !== 'object' || [j.dim, j.sifA, j.minN, j.maxN].some((x) => typeof x !== 'number')) {
      throw new ModelFormatError(`${file}: the character bag needs numbers dim, sifA, minN and maxN.`, { file });
    }
    try {
      return new CharGramBag(j as CharGramBagJson, words);
    } catch (e) {
      throw new ModelFormatError(`${file}: ${(e as Error).message}`, { file, cause: e });
    }
  }
}
