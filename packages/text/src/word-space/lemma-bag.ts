/**
 * @file The lexical half of the sentence meaning code: a bag of lemmas, each weighted by how
 * rare it is in real usage (SIF, Arora et al. 2017: `a / (a + p(w))`), hashed with random signs
 * into a fixed number of dimensions (feature hashing), scaled to unit length.
 *
 * Why a bag of words inside a "meaning" code: on sentence-similarity data (STS Benchmark dev)
 * exact word overlap is the strongest single signal (tf-idf alone 0.75 Spearman), and word
 * vectors learned from a few million words of dictionary text add what overlap misses
 * (synonyms) without matching it. Lemmas make "horses"/"horse" and "rode"/"ride" overlap, which
 * lifted the bag from 0.753 to 0.783 there. Weights come from usage frequencies of ordinary
 * speech (SUBTLEX-US), not from any evaluated text; a sentence's code depends only on it.
 *
 * With relations (`related`, models from extend-meaning-space.ts on), each lemma also lends part
 * of its weight to its WordNet synonyms and hypernyms, so `plane`/`airplane` overlap: 0.782 ->
 * 0.790 on STS-B dev, where word vectors' nearest neighbours (relatedness, not sameness) gained
 * nothing.
 */
import { InvalidArgumentError, ModelFormatError } from '@latentkit/core';
import { wordTokens } from '../models/evaluate.js';

/** JSON form of a {@link LemmaBag} (inside `meaning.json`). */
export interface LemmaBagJson {
  /** Hashed dimensions. */
  dim: number;
  /** SIF `a`. */
  sifA: number;
  /** Tokens behind the usage counts (the denominator of `p(w)`). */
  totalTokens: number;
  /** `[word, usage count]`; words not listed weigh as unseen (`p = 0`). */
  counts: [string, number][];
  /** `[form, lemma]` for forms whose lemma differs (`horses` -> `horse`, `rode` -> `ride`). */
  lemmas: [string, string][];
  /**
   * Related lemmas each lemma lends part of its weight to (absent in models saved before it):
   * WordNet synonyms and hypernyms of its commonest senses, so `plane`/`airplane` and
   * `rabbit`/`bunny` overlap. See {@link LemmaRelationsJson}.
   */
  related?: LemmaRelationsJson;
}

/**
 * `[lemma, synonyms, hypernyms]` rows (space-separated lemmas). A lemma with weight `x` in a
 * sentence adds `weight * x * r / sqrt(n)` to each of its `n` related lemmas, with `r = 1`
 * for a synonym and `r = hypernymWeight` for a hypernym's word.
 */
export interface LemmaRelationsJson {
  /** Share of a lemma's weight spread over its related lemmas (`beta`). */
  weight: number;
  /** `r` of a hypernym's word (a synonym's is 1). */
  hypernymWeight: number;
  entries: [string, string, string][];
}

/** A related lemma, hashed once at load. */
interface Relation {
  hash: number;
  weight: number;
}

/** 32-bit FNV-1a of a string's UTF-16 units: cheap and the same in every engine. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Hashed, SIF-weighted bag of lemmas.
 * @example
 * ```ts
 * const bag = new LemmaBag({ dim: 2048, sifA: 1e-3, totalTokens: 100, counts: [['the', 10]], lemmas: [['horses', 'horse']] });
 * const [a, b] = bag.embed(['the horses', 'a horse']); // cosine well above 0
 * ```
 */
export class LemmaBag {
  readonly dim: number;
  readonly sifA: number;
  private readonly totalTokens: number;
  private readonly counts: Map<string, number>;
  private readonly lemmaOf: Map<string, string>;
  private readonly relations: Map<string, Relation[]>;
  private readonly relatedJson: LemmaRelationsJson | undefined;
  /** Scratch accumulator of `sparse` (zero between calls) and the slots it touched. */
  private readonly scratch: Float64Array;
  private readonly touched: number[] = [];

  /** @throws {InvalidArgumentError} for a bad dimension, `a` or count. */
  constructor(json: LemmaBagJson) {
    if (!Number.isInteger(json.dim) || json.dim < 1 || json.dim > 1 << 16) throw new InvalidArgumentError(`LemmaBag dim must be an integer in [1, 65536], got ${json.dim}.`);
    if (!(json.sifA > 0)) throw new InvalidArgumentError(`LemmaBag sifA must be positive, got ${json.sifA}.`);
    if (!(json.totalTokens > 0)) throw new InvalidArgumentError(`LemmaBag totalTokens must be positive, got ${json.totalTokens}.`);
    this.dim = json.dim;
    this.sifA = json.sifA;
    this.totalTokens = json.totalTokens;
    this.counts = new Map(json.counts);
    this.lemmaOf = new Map(json.lemmas);
    this.scratch = new Float64Array(this.dim);
    this.relations = new Map();
    const rel = json.related;
    if (rel) {
      if (!(rel.weight >= 0) || !(rel.hypernymWeight >= 0)) throw new InvalidArgumentError(`LemmaBag related weights must be >= 0, got ${rel.weight} and ${rel.hypernymWeight}.`);
      for (const [lemma, synonyms, hypernyms] of rel.entries) {
        const syn = synonyms.split(' ').filter((w) => w.length > 0);
        const hyp = hypernyms.split(' ').filter((w) => w.length > 0);
        const f = rel.weight / Math.sqrt(syn.length + hyp.length);
        if (syn.length + hyp.length === 0) continue;
        this.relations.set(lemma, [...syn.map((w) => ({ hash: hash32(w), weight: f })), ...hyp.map((w) => ({ hash: hash32(w), weight: f * rel.hypernymWeight }))]);
      }
    }
    this.relatedJson = rel;
  }

  /** Number of lemmas with related lemmas. */
  get relatedCount(): number {
    return this.relations.size;
  }

  /** The usage count of a word form (0 when not listed). */
  count(word: string): number {
    return this.counts.get(word) ?? 0;
  }

  /** The lemma a word form counts as (itself when it has none recorded). */
  lemma(word: string): string {
    return this.lemmaOf.get(word) ?? word;
  }

  /**
   * SIF weight of a word form, from its own usage frequency (`the` is light, `giraffe` heavy).
   * @param a - SIF `a` (this bag's by default; the character bag uses its own).
   */
  weight(word: string, a = this.sifA): number {
    return a / (a + (this.counts.get(word) ?? 0) / this.totalTokens);
  }

  /** Unit-length hashed bags, one per text; a text with no word gets the zero vector. */
  embed(texts: readonly string[]): Float32Array[] {
    return texts.map((text) => {
      const v = new Float32Array(this.dim);
      const { slots, values } = this.sparse(wordTokens(text));
      slots.forEach((slot, k) => (v[slot] = values[k]));
      return v;
    });
  }

  /**
   * The unit-length bag of a text's word tokens as its non-zero slots: a sentence has ~10 words
   * against 2,048 dimensions, and dense passes over them cost more than the encoder's network
   * (measured with bench text). Empty for a text with no word.
   * @internal used by MeaningSpace to write its code in place.
   */
  sparse(tokens: readonly string[]): { slots: number[]; values: number[] } {
    const acc = this.scratch;
    const touched = this.touched;
    const add = (h: number, x: number) => {
      const slot = h % this.dim;
      if (acc[slot] === 0) touched.push(slot);
      // The top bit picks the sign, so colliding lemmas cancel on average instead of adding up.
      acc[slot] += h & 0x80000000 ? -x : x;
      // A sum that lands on exactly 0 must stay listed once: nudge it off zero.
      if (acc[slot] === 0) acc[slot] = Number.MIN_VALUE;
    };
    for (const w of tokens) {
      const lemma = this.lemma(w);
      const x = this.weight(w);
      add(hash32(lemma), x);
      const related = this.relations.get(lemma);
      if (related) for (const r of related) add(r.hash, x * r.weight);
    }
    touched.sort((p, q) => p - q);
    const slots = touched.slice();
    const values = slots.map((slot) => acc[slot]);
    for (const slot of touched) acc[slot] = 0;
    touched.length = 0;
    let n = 0;
    for (const x of values) n += x * x;
    const f = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let k = 0; k < values.length; k++) values[k] *= f;
    return n > 0 ? { slots, values } : { slots: [], values: [] };
  }

  /** JSON-safe form. */
  toJSON(): LemmaBagJson {
    return {
      dim: this.dim,
      sifA: this.sifA,
      totalTokens: this.totalTokens,
      counts: [...this.counts],
      lemmas: [...this.lemmaOf],
      ...(this.relatedJson ? { related: this.relatedJson } : {}),
    };
  }

  /**
   * Reads the JSON form, checking every field.
   * @throws {ModelFormatError} naming `file` when a field is malformed.
   */
  static fromJSON(v: unknown, file: string): LemmaBag {
    const j = v as Partial<LemmaBagJson> | null;
    const pairs = (x: unknown, second: 'number' | 'string') =>
      Array.isArray(x) && x.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === second && (second === 'string' || (p[1] as number) >= 0));
    if (!j || typeof j !== 'object' || !pairs(j.counts, 'number') || !pairs(j.lemmas, 'string')) {
      throw new ModelFormatError(`${file}: the lemma bag needs counts [word, count >= 0][] and lemmas [form, lemma][].`, { file });
    }
    const r = j.related as Partial<LemmaRelationsJson> | undefined;
    if (
      r !== undefined &&
      (typeof r !== 'object' ||
        r === null ||
        typeof r.weight !== 'number' ||
        typeof r.hypernymWeight !== 'number' ||
        !Array.isArray(r.entries) ||
        !r.entries.every((e) => Array.isArray(e) && e.length === 3 && e.every((x) => typeof x === 'string')))
    ) {
      throw new ModelFormatError(`${file}: the lemma bag's related lemmas need weight, hypernymWeight and entries [lemma, synonyms, hypernyms][] (strings).`, { file });
    }
    try {
      return new LemmaBag(j as LemmaBagJson);
    } catch (e) {
      throw new ModelFormatError(`${file}: ${(e as Error).message}`, { file, cause: e });
    }
  }
}
