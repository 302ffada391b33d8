/**
 * @file The sentence meaning code: `[sqrt(mix) * vectors | sqrt(1 - mix) * lemmas]`, where
 * `vectors` is the SIF-weighted mean of word vectors with the training text's common
 * components removed (Arora, Liang and Ma 2017) and `lemmas` a hashed bag of lemmas
 * ({@link LemmaBag}). Both halves have unit length, so the cosine of two codes is
 * `mix * cos(vectors) + (1 - mix) * cos(lemmas)`: the code ranks pairs by word overlap and by
 * what the word vectors know of synonyms at once, and its cosine is what the benchmark measures.
 *
 * The common components come from training sentences (never from the text being compared): the
 * direction every SIF average leans towards (function words, the corpus' style) that says
 * nothing about a particular sentence. An input's code depends on that input and the model only.
 */
import { InvalidArgumentError, ModelFormatError } from '@latentkit/core';
import { LemmaBag, type LemmaBagJson } from './lemma-bag.js';
import type { WordSpace } from './word-space.js';
import { wordTokens } from '../autoencoder/evaluate.js';

/** `meaning.json`, saved beside the word space's files. */
export interface MeaningSpaceJson {
  format: 'latentkit-meaning-space';
  version: 1;
  /** Share of the cosine carried by the word vectors (the rest by the lemma bag). */
  mix: number;
  /** Unit directions `[k][wordSpace.dim]` removed from the word-vector half. */
  commonComponents: number[][];
  lemmaBag: LemmaBagJson;
}

/** The three codes {@link MeaningSpace.embed} gives for one text. */
export interface MeaningCodes {
  /** The whole code, `[vectors.length + lemmas.length]`, unit length. */
  meaning: Float32Array;
  /** Word-vector half, unit length (zero when no word is known). */
  vectors: Float32Array;
  /** Lemma-bag half, unit length (zero when the text has no word). */
  lemmas: Float32Array;
}

/** Options of {@link MeaningSpace.create}. */
export interface MeaningSpaceOptions {
  /** Share of the cosine carried by the word vectors. @default 0.2 */
  mix?: number;
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
    /** The lexical half. */
    readonly lemmaBag: LemmaBag,
    private readonly components: Float32Array[],
    /** Share of the cosine carried by the word vectors. */
    readonly mix: number,
  ) {}

  /** Length of the whole code. */
  get dim(): number {
    return this.wordSpace.dim + this.lemmaBag.dim;
  }

  /**
   * Builds the code from its halves, fitting the common components on training text.
   * @param trainingTexts - sentences of the training corpus (never the text to be compared).
   * @throws {InvalidArgumentError} for a mix outside [0, 1] or a bad component count.
   */
  static create(wordSpace: WordSpace, lemmaBag: LemmaBag, trainingTexts: readonly string[], options: MeaningSpaceOptions = {}): MeaningSpace {
    const mix = options.mix ?? 0.2;
    const k = options.components ?? 1;
    if (!(mix >= 0 && mix <= 1)) throw new InvalidArgumentError(`mix must be in [0, 1], got ${mix}.`);
    if (!Number.isInteger(k) || k < 0 || k > 16) throw new InvalidArgumentError(`components must be an integer in [0, 16], got ${k}.`);
    const rows = k > 0 ? wordSpace.embed(trainingTexts) : [];
    return new MeaningSpace(wordSpace, lemmaBag, topDirections(rows, k, wordSpace.dim), mix);
  }

  /**
   * The codes of each text: the whole `meaning` code and its two unit-length halves. The
   * codes of one call are views into three shared buffers (one allocation each instead of
   * three per text: allocation was most of the time this took).
   */
  embed(texts: readonly string[]): MeaningCodes[] {
    const a = Math.sqrt(this.mix);
    const b = Math.sqrt(1 - this.mix);
    const d = this.wordSpace.dim;
    const D = this.dim;
    const L = this.lemmaBag.dim;
    const meanings = new Float32Array(texts.length * D);
    const vectorRows = new Float32Array(texts.length * d);
    const lemmaRows = new Float32Array(texts.length * L);
    return texts.map((text, i) => {
      // One tokenisation for both halves; the lemma half is written sparsely (see LemmaBag.sparse).
      const tokens = wordTokens(text);
      const vectors = this.wordSpace.embedTokens(tokens, vectorRows.subarray(i * d, (i + 1) * d));
      let hasVectors = vectors.some((x) => x !== 0);
      if (hasVectors) hasVectors = unit(removeComponents(vectors, this.components)).some((x) => x !== 0);
      const { slots, values } = this.lemmaBag.sparse(tokens);
      // Each half is unit length or zero; a text whose words the vectors do not know keeps a
      // unit-length code through its lemma half (and the other way round).
      const wa = hasVectors ? (slots.length > 0 ? a : 1) : 0;
      const wb = slots.length > 0 ? (hasVectors ? b : 1) : 0;
      const meaning = meanings.subarray(i * D, (i + 1) * D);
      for (let j = 0; j < d; j++) meaning[j] = wa * vectors[j];
      const lemmas = lemmaRows.subarray(i * L, (i + 1) * L);
      slots.forEach((slot, k) => {
        lemmas[slot] = values[k];
        meaning[d + slot] = wb * values[k];
      });
      return { meaning, vectors, lemmas };
    });
  }

  /** `meaning.json` (the word space saves its own files). */
  toJSON(): MeaningSpaceJson {
    return {
      format: 'latentkit-meaning-space',
      version: 1,
      mix: this.mix,
      commonComponents: this.components.map((c) => Array.from(c)),
      lemmaBag: this.lemmaBag.toJSON(),
    };
  }

  /**
   * Reads `meaning.json` for a loaded word space.
   * @throws {ModelFormatError} naming `file` when it is malformed or does not fit the word space.
   */
  static fromJSON(bytes: Uint8Array | string, wordSpace: WordSpace, file = 'meaning.json'): MeaningSpace {
    let j: Partial<MeaningSpaceJson>;
    try {
      j = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)) as Partial<MeaningSpaceJson>;
    } catch (e) {
      throw new ModelFormatError(`${file} is not valid JSON (${(e as Error).message}).`, { file, cause: e });
    }
    if (j?.format !== 'latentkit-meaning-space' || j.version !== 1) throw new ModelFormatError(`${file}: expected format "latentkit-meaning-space" version 1.`, { file });
    if (typeof j.mix !== 'number' || !(j.mix >= 0 && j.mix <= 1)) throw new ModelFormatError(`${file}: mix must be a number in [0, 1].`, { file });
    const cc = j.commonComponents;
    if (!Array.isArray(cc) || cc.length > 16 || !cc.every((c) => Array.isArray(c) && c.length === wordSpace.dim && c.every((x) => Number.isFinite(x)))) {
      throw new ModelFormatError(`${file}: commonComponents must be at most 16 rows of ${wordSpace.dim} finite numbers (the word space's dim).`, { file });
    }
    return new MeaningSpace(wordSpace, LemmaBag.fromJSON(j.lemmaBag, file), cc.map((c) => Float32Array.from(c)), j.mix);
  }
}
