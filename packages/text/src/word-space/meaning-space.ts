/**
 * @file The sentence meaning code: `[sqrt(mix) * vectors | sqrt(1 - mix - charMix) * lemmas |
 * sqrt(charMix) * chars]`, where `vectors` is the SIF-weighted mean of word vectors with the
 * training text's common components removed (Arora, Liang and Ma 2017), `lemmas` a hashed bag of
 * lemmas with WordNet relations ({@link LemmaBag}) and `chars` a hashed bag of the lemmas'
 * character n-grams ({@link CharGramBag}; models saved before it have two parts). Every part has
 * unit length, so the cosine of two codes is the share-weighted sum of the parts' cosines: the
 * code ranks pairs by word overlap, related words and shared stems at once, and its cosine is
 * what the benchmark measures.
 *
 * The common components come from training sentences (never from the text being compared): the
 * direction every SIF average leans towards (function words, the corpus' style) that says
 * nothing about a particular sentence. An input's code depends on that input and the model only.
 */
import { InvalidArgumentError, ModelFormatError } from '@latentkit/core';
import { LemmaBag, type LemmaBagJson } from './lemma-bag.js';
import { CharGramBag, type CharGramBagJson } from './char-gram-bag.js';
import type { WordSpace } from './word-space.js';
import { wordTokens } from '../models/evaluate.js';

/**
 * `meaning.json`, saved beside the word space's files. Version 1 (vectors + lemmas, `mix` the
 * vectors' share) still loads; version 2 adds the character bag and gives every share.
 */
export interface MeaningSpaceJson {
  format: 'latentkit-meaning-space';
  version: 1 | 2;
  /** Share of the cosine carried by the word vectors (version 1: the rest is the lemma bag's). */
  mix: number;
  /** Version 2: share carried by the character bag (the lemma bag's is `1 - mix - charMix`). */
  charMix?: number;
  /** Unit directions `[k][wordSpace.dim]` removed from the word-vector half. */
  commonComponents: number[][];
  lemmaBag: LemmaBagJson;
  /** Version 2: the character n-gram bag. */
  charBag?: CharGramBagJson;
}

/** The codes {@link MeaningSpace.embed} gives for one text. */
export interface MeaningCodes {
  /** The whole code, `[vectors.length + lemmas.length (+ chars.length)]`, unit length. */
  meaning: Float32Array;
  /** Word-vector part, unit length (zero when no word is known). */
  vectors: Float32Array;
  /** Lemma-bag part, unit length (zero when the text has no word). */
  lemmas: Float32Array;
  /** Character-bag part, unit length (zero when the text has no word); only with a character bag. */
  chars?: Float32Array;
}

/** Options of {@link MeaningSpace.create}. */
export interface MeaningSpaceOptions {
  /** Share of the cosine carried by the word vectors. @default 0.2 */
  mix?: number;
  /** Share carried by the character bag (needs `charBag`). @default 0 */
  charMix?: number;
  /** The character n-gram bag (reading `lemmaBag`'s lemmas and counts). */
  charBag?: CharGramBag;
  /** Common components to remove, fitted on `trainingTexts`. @default 1 */
  components?: number;
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** Subtracts each unit direction's projection, in order (they are orthonormal). */
function removeComponents(v: Float32Array, components: readonly Float32Array[]): Float32Array {
  for (const c of components) {
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += v[i] * c[i];
    for (let i = 0; i < v.length; i++) v[i] -= dot * c[i];
  }
  return v;
}

/**
 * Top right singular directions of the rows (uncentred, as in SIF), by power iteration with
 * deflation; deterministic (starts from the mean row, then from fixed unit vectors).
 */
function topDirections(rows: readonly Float32Array[], k: number, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < k; c++) {
    let v: Float32Array = new Float32Array(dim);
    for (const r of rows) for (let i = 0; i < dim; i++) v[i] += r[i];
    if (c > 0 || v.every((x) => x === 0)) v[c % dim] += 1;
    v = unit(removeComponents(v, out));
    for (let it = 0; it < 30; it++) {
      const next = new Float32Array(dim);
      for (const r of rows) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += r[i] * v[i];
        for (let i = 0; i < dim; i++) next[i] += dot * r[i];
      }
      v = unit(removeComponents(next, out));
    }
    out.push(v);
  }
  return out;
}

/**
 * Word vectors and a lemma bag combined into one sentence code (see the file comment).
 * @example
 * ```ts
 * const meaning = MeaningSpace.create(wordSpace, lemmaBag, trainingSentences, { mix: 0.2 });
 * const [a] = meaning.embed(['a man is playing a guitar']);
 * a.meaning.length; // wordSpace.dim + lemmaBag.dim
 * ```
 */
export class MeaningSpace {
  private constructor(
    /** The word vectors (saved as `word-space.json` + `.bin`). */
    readonly wordSpace: WordSpace,
    /** The lexical part. */
    readonly lemmaBag: LemmaBag,
    private readonly components: Float32Array[],
    /** Share of the cosine carried by the word vectors. */
    readonly mix: number,
    /** The spelling part, when the model has one. */
    readonly charBag: CharGramBag | undefined,
    /** Share of the cosine carried by the character bag (0 without one). */
    readonly charMix: number,
  ) {}

  /** Length of the whole code. */
  get dim(): number {
    return this.wordSpace.dim + this.lemmaBag.dim + (this.charBag?.dim ?? 0);
  }

  /**
   * Builds the code from its parts, fitting the common components on training text.
   * @param trainingTexts - sentences of the training corpus (never the text to be compared).
   * @throws {InvalidArgumentError} for shares outside [0, 1] (or summing past 1), a character
   *   share without a character bag, or a bad component count.
   */
  static create(wordSpace: WordSpace, lemmaBag: LemmaBag, trainingTexts: readonly string[], options: MeaningSpaceOptions = {}): MeaningSpace {
    const mix = options.mix ?? 0.2;
    const charMix = options.charMix ?? 0;
    const k = options.components ?? 1;
    if (!(mix >= 0 && mix <= 1)) throw new InvalidArgumentError(`mix must be in [0, 1], got ${mix}.`);
    if (!(charMix >= 0 && mix + charMix <= 1)) throw new InvalidArgumentError(`charMix must be >= 0 with mix + charMix <= 1, got ${charMix} (mix ${mix}).`);
    if (charMix > 0 && !options.charBag) throw new InvalidArgumentError('charMix > 0 needs a charBag.');
    if (!Number.isInteger(k) || k < 0 || k > 16) throw new InvalidArgumentError(`components must be an integer in [0, 16], got ${k}.`);
    const rows = k > 0 ? wordSpace.embed(trainingTexts) : [];
    return new MeaningSpace(wordSpace, lemmaBag, topDirections(rows, k, wordSpace.dim), mix, options.charBag, charMix);
  }

  /**
   * The same code with other shares or another character bag (the word space, lemma bag and
   * common components kept): for comparing settings without refitting.
   * @throws {InvalidArgumentError} as {@link MeaningSpace.create} does.
   */
  withShares(mix: number, charMix: number, charBag: CharGramBag | undefined = this.charBag): MeaningSpace {
    if (!(mix >= 0 && mix <= 1)) throw new InvalidArgumentError(`mix must be in [0, 1], got ${mix}.`);
    if (!(charMix >= 0 && mix + charMix <= 1)) throw new InvalidArgumentError(`charMix must be >= 0 with mix + charMix <= 1, got ${charMix} (mix ${mix}).`);
    if (charMix > 0 && !charBag) throw new InvalidArgumentError('charMix > 0 needs a charBag.');
    return new MeaningSpace(this.wordSpace, this.lemmaBag, this.components, mix, charBag, charMix);
  }

  /**
   * The codes of each text: the whole `meaning` code and its unit-length parts. The codes of
   * one call are views into shared buffers (one allocation per part instead of one per text:
   * allocation was most of the time this took).
   */
  embed(texts: readonly string[]): MeaningCodes[] {
    return this.embedInto(texts, true) as MeaningCodes[];
  }

  /**
   * The whole `meaning` code of each text alone (the same values as `embed(texts)[i].meaning`),
   * without the parts' own copies: half the memory written, for callers that want no part.
   */
  embedMeaning(texts: readonly string[]): Float32Array[] {
    return this.embedInto(texts, false).map((c) => c.meaning);
  }

  private embedInto(texts: readonly string[], withParts: boolean): (MeaningCodes | { meaning: Float32Array })[] {
    const d = this.wordSpace.dim;
    const L = this.lemmaBag.dim;
    const chars = this.charBag;
    const C = chars?.dim ?? 0;
    const D = this.dim;
    const meanings = new Float32Array(texts.length * D);
    // Without parts, the word-vector sum goes through one scratch row.
    const vectorRows = new Float32Array((withParts ? texts.length : 1) * d);
    const lemmaRows = withParts ? new Float32Array(texts.length * L) : undefined;
    const charRows = chars && withParts ? new Float32Array(texts.length * C) : undefined;
    const shares = [this.mix, 1 - this.mix - this.charMix, this.charMix];
    return texts.map((text, i) => {
      // One tokenisation for every part; the bags are written sparsely (see LemmaBag.sparse).
      const tokens = wordTokens(text);
      const row = withParts ? i : 0;
      if (!withParts) vectorRows.fill(0);
      const vectors = this.wordSpace.embedTokens(tokens, vectorRows.subarray(row * d, (row + 1) * d));
      let hasVectors = vectors.some((x) => x !== 0);
      if (hasVectors) hasVectors = unit(removeComponents(vectors, this.components)).some((x) => x !== 0);
      const lemmaBag = this.lemmaBag.sparse(tokens);
      const charBag = chars?.sparse(tokens);
      // Each part is unit length or zero; the shares of the parts a text has are scaled to sum
      // to 1, so a text whose words the vectors do not know keeps a unit-length code.
      const present = [hasVectors, lemmaBag.slots.length > 0, (charBag?.slots.length ?? 0) > 0];
      const total = shares.reduce((t, x, k) => t + (present[k] ? x : 0), 0);
      const [wa, wb, wc] = shares.map((x, k) => (present[k] && total > 0 ? Math.sqrt(x / total) : 0));
      const meaning = meanings.subarray(i * D, (i + 1) * D);
      for (let j = 0; j < d; j++) meaning[j] = wa * vectors[j];
      lemmaBag.slots.forEach((slot, k) => (meaning[d + slot] = wb * lemmaBag.values[k]));
      if (charBag) charBag.slots.forEach((slot, k) => (meaning[d + L + slot] = wc * charBag.values[k]));
      if (!lemmaRows) return { meaning };
      const lemmas = lemmaRows.subarray(i * L, (i + 1) * L);
      lemmaBag.slots.forEach((slot, k) => (lemmas[slot] = lemmaBag.values[k]));
      if (!charRows || !charBag) return { meaning, vectors, lemmas };
      const charCode = charRows.subarray(i * C, (i + 1) * C);
      charBag.slots.forEach((slot, k) => (charCode[slot] = charBag.values[k]));
      return { meaning, vectors, lemmas, chars: charCode };
    });
  }

  /** `meaning.json` (the word space saves its own files): version 2 with a character bag, else 1. */
  toJSON(): MeaningSpaceJson {
    const common = { format: 'latentkit-meaning-space' as const, mix: this.mix, commonComponents: this.components.map((c) => Array.from(c)), lemmaBag: this.lemmaBag.toJSON() };
    return this.charBag ? { ...common, version: 2, charMix: this.charMix, charBag: this.charBag.toJSON() } : { ...common, version: 1 };
  }

  /**
   * Reads `meaning.json` (version 1 or 2) for a loaded word space.
   * @throws {ModelFormatError} naming `file` when it is malformed or does not fit the word space.
   */
  static fromJSON(bytes: Uint8Array | string, wordSpace: WordSpace, file = 'meaning.json'): MeaningSpace {
    let j: Partial<MeaningSpaceJson>;
    try {
      j = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)) as Partial<MeaningSpaceJson>;
    } catch (e) {
      throw new ModelFormatError(`${file} is not valid JSON (${(e as Error).message}).`, { file, cause: e });
    }
    if (j?.format !== 'latentkit-meaning-space' || (j.version !== 1 && j.version !== 2)) throw new ModelFormatError(`${file}: expected format "latentkit-meaning-space" version 1 or 2.`, { file });
    if (typeof j.mix !== 'number' || !(j.mix >= 0 && j.mix <= 1)) throw new ModelFormatError(`${file}: mix must be a number in [0, 1].`, { file });
    const cc = j.commonComponents;
    if (!Array.isArray(cc) || cc.length > 16 || !cc.every((c) => Array.isArray(c) && c.length === wordSpace.dim && c.every((x) => Number.isFinite(x)))) {
      throw new ModelFormatError(`${file}: commonComponents must be at most 16 rows of ${wordSpace.dim} finite numbers (the word space's dim).`, { file });
    }
    const lemmaBag = LemmaBag.fromJSON(j.lemmaBag, file);
    let charBag: CharGramBag | undefined;
    let charMix = 0;
    if (j.version === 2) {
      if (typeof j.charMix !== 'number' || !(j.charMix >= 0 && j.mix + j.charMix <= 1)) throw new ModelFormatError(`${file}: charMix must be a number >= 0 with mix + charMix <= 1.`, { file });
      charBag = CharGramBag.fromJSON(j.charBag, lemmaBag, file);
      charMix = j.charMix;
    }
    return new MeaningSpace(wordSpace, lemmaBag, cc.map((c) => Float32Array.from(c)), j.mix, charBag, charMix);
  }
}
