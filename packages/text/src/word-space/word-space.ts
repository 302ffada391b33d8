/**
 * @file Word vectors from latent semantic analysis (Deerwester et al. 1990), and sentence
 * vectors as their weighted mean (Arora, Liang and Ma 2017, "SIF").
 *
 * Why a sentence autoencoder ships this: a truncated SVD of the tf-idf document-by-word
 * matrix is the optimal *linear* autoencoder of bags of words, and its code puts words that
 * occur in the same documents (WordNet: a synset's gloss, examples and lemmas) near each
 * other. A gloss and an example of one synset often share no word at all ("a young dog" /
 * "the puppy chewed my shoe"): exact word overlap (tf-idf) cannot pair them, this can. A
 * character autoencoder's code, by contrast, knows spelling, not which words mean alike.
 *
 * Stored quantised (8 or 4 bits per value with a per-word scale): a 20k x 512 float32 table
 * is 40 MB, too big to ship in a package; cosine similarities barely notice the rounding.
 */
import { InvalidArgumentError, ModelFormatError, truncatedSvd, csrFromRows, type CsrMatrix } from '@latentkit/core';
import { wordTokens } from '../models/evaluate.js';

/** Options of {@link WordSpace.fit}. */
export interface WordSpaceOptions {
  /** Dimensions of the word vectors (singular vectors kept). @default 512 */
  dim?: number;
  /** Words found in fewer documents are left out of the SVD. @default 2 */
  minDocuments?: number;
  /**
   * Words kept in the table after the SVD, most documents first (the rest are ignored when
   * embedding). Trims the saved size; the SVD itself always sees every word.
   * @default all
   */
  maxWords?: number;
  /** Bits per stored value, 8 or 4. @default 8 */
  bits?: 4 | 8;
  /**
   * The `a` of SIF word weights `a / (a + p(w))`: smaller favours rare words more. Arora et al.
   * suggest 1e-3 to 1e-4; on WordNet retrieval smaller was better down to 1e-6, where the
   * weights are about 1/frequency (see scripts/wordnet-word-space.ts). @default 1e-6
   */
  sifA?: number;
  /** Subspace iterations of the randomized SVD. @default 3 */
  powerIterations?: number;
  /** Seed of the randomized SVD. @default 1 */
  seed?: number;
  /** Progress of the SVD stages, with seconds elapsed. */
  onProgress?: (stage: string, seconds: number) => void;
}

/** Header of a saved {@link WordSpace} (`word-space.json`); the table is `word-space.bin`. */
export interface WordSpaceJson {
  format: 'latentkit-word-space';
  version: 1;
  dim: number;
  bits: 4 | 8;
  sifA: number;
  /** Tokens counted when the space was fitted (the denominator of `p(w)`). */
  totalTokens: number;
  /** Documents the SVD saw. */
  documents: number;
  /** `[word, count]` in table order. */
  words: [string, number][];
}

/** The two files a {@link WordSpace} saves as. */
export interface WordSpaceFiles {
  json: string;
  bin: Uint8Array;
}

const MAX_WORDS = 1 << 21;
const MAX_DIM = 4096;

/**
 * Per-row symmetric quantisation; the clip (as a multiple of the row's RMS) minimising squared
 * error. Writes the codes into `out` and returns the scale (value = code * scale).
 * @internal exported for scripts/sweep-word-space.ts
 */
export function quantizeRow(row: Float32Array, bits: 4 | 8, out: Int8Array): number {
  const levels = (1 << (bits - 1)) - 1; // 127 or 7: symmetric around 0
  let ss = 0;
  let max = 0;
  for (const v of row) {
    ss += v * v;
    max = Math.max(max, Math.abs(v));
  }
  const rms = Math.sqrt(ss / row.length);
  if (max === 0) {
    out.fill(0);
    return 0;
  }
  // With 127 levels clipping never pays; with 7 the best clip for Gaussian-like rows is ~2.5 RMS.
  const candidates = bits === 8 ? [max] : [1.5, 2, 2.5, 3, 3.5].map((c) => Math.min(max, c * rms)).concat(max);
  let best = { err: Infinity, scale: max / levels };
  for (const clip of candidates) {
    const scale = clip / levels;
    let err = 0;
    for (const v of row) {
      const q = Math.max(-levels, Math.min(levels, Math.round(v / scale)));
      err += (v - q * scale) ** 2;
    }
    if (err < best.err) best = { err, scale };
  }
  for (let j = 0; j < row.length; j++) out[j] = Math.max(-levels, Math.min(levels, Math.round(row[j] / best.scale)));
  return best.scale;
}

/** What {@link tfidfDocumentMatrix} builds. */
export interface TfidfDocumentMatrix {
  /** Documents (with at least one kept word) x words, `count * log(D / df)`. */
  matrix: CsrMatrix;
  /** `[word, corpus count]` per column: words of `minDocuments`+ documents, most documents first. */
  words: [string, number][];
  /** Tokens in all documents (the denominator of a word's frequency). */
  totalTokens: number;
}

/**
 * The tf-idf document-by-word matrix {@link WordSpace.fit} factorises. Columns are in a fixed
 * order (most documents first, then alphabetical), so a `maxWords` cap trims the same way
 * every time.
 * @param documents - one text per document.
 * @param minDocuments - words found in fewer documents get no column.
 * @throws {InvalidArgumentError} for a document that is not a string.
 */
export function tfidfDocumentMatrix(documents: readonly string[], minDocuments: number): TfidfDocumentMatrix {
  const tokens = documents.map((d, i) => {
    if (typeof d !== 'string') throw new InvalidArgumentError(`Document ${i} must be a string, got ${typeof d}.`);
    return wordTokens(d);
  });
  const df = new Map<string, number>();
  const count = new Map<string, number>();
  let totalTokens = 0;
  for (const t of tokens) {
    for (const w of t) count.set(w, (count.get(w) ?? 0) + 1);
    totalTokens += t.length;
    for (const w of new Set(t)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const vocab = [...df.entries()].filter(([, n]) => n >= minDocuments).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const column = new Map(vocab.map(([w], i) => [w, i]));
  const docs = tokens.filter((t) => t.some((w) => column.has(w)));
  const idf = vocab.map(([, n]) => Math.log(docs.length / n));
  const rows = docs.map((t) => {
    const r = new Map<number, number>();
    for (const w of t) {
      const j = column.get(w);
      if (j !== undefined) r.set(j, (r.get(j) ?? 0) + idf[j]);
    }
    return r;
  });
  return { matrix: csrFromRows(rows, vocab.length), words: vocab.map(([w]) => [w, count.get(w)!]), totalTokens };
}

/**
 * LSA word vectors with SIF-weighted sentence embedding. Build one with {@link WordSpace.fit}
 * on documents (texts that belong together), or load it with {@link WordSpace.fromFiles}.
 * @example
 * ```ts
 * const space = WordSpace.fit(documents, { dim: 256 });
 * const [a, b] = space.embed(['a young dog', 'the puppy chewed my shoe']);
 * ```
 */
export class WordSpace {
  private readonly index: Map<string, number>;

  private constructor(
    /** Vector size. */
    readonly dim: number,
    /** Bits per stored value. */
    readonly bits: 4 | 8,
    private readonly words: [string, number][],
    /** Row `i` of word `i` is `codes[i*dim..] * scales[i]`. */
    private readonly codes: Int8Array,
    private readonly scales: Float32Array,
    private readonly sifA: number,
    private readonly totalTokens: number,
    private readonly documents: number,
  ) {
    this.index = new Map(words.map(([w], i) => [w, i]));
  }

  /** Number of words with a vector. */
  get size(): number {
    return this.words.length;
  }

  /**
   * Fits word vectors to documents: tf-idf weights (`count · log(D / df)`), a truncated SVD,
   * and each word's right singular vector as its vector (unscaled by the singular values, which
   * weighs the directions equally; measured better for retrieval than scaled).
   * Runs the SVD on tfjs when an engine is ready (`initEngine()`): minutes for WordNet at 512.
   * @param documents - one text per document.
   * @throws {InvalidArgumentError} for bad options or too few words for `dim`.
   */
  static fit(documents: readonly string[], options: WordSpaceOptions = {}): WordSpace {
    const dim = options.dim ?? 512;
    const minDocs = options.minDocuments ?? 2;
    const bits = options.bits ?? 8;
    const sifA = options.sifA ?? 1e-6;
    if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) throw new InvalidArgumentError(`dim must be an integer in [1, ${MAX_DIM}], got ${dim}.`);
    if (bits !== 4 && bits !== 8) throw new InvalidArgumentError(`bits must be 4 or 8, got ${String(bits)}.`);
    if (!(sifA > 0)) throw new InvalidArgumentError(`sifA must be positive, got ${sifA}.`);
    if (!Number.isInteger(minDocs) || minDocs < 1) throw new InvalidArgumentError(`minDocuments must be a positive integer, got ${minDocs}.`);
    const { matrix, words: vocab, totalTokens } = tfidfDocumentMatrix(documents, minDocs);
    const D = matrix.rows;
    if (Math.min(D, vocab.length) < dim) {
      throw new InvalidArgumentError(`dim ${dim} needs at least ${dim} documents and words of ${minDocs}+ documents; found ${D} and ${vocab.length}.`);
    }
    const svd = truncatedSvd(matrix, dim, {
      powerIterations: options.powerIterations ?? 3,
      seed: options.seed ?? 1,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const kept = Math.min(vocab.length, options.maxWords ?? vocab.length);
    const k = svd.k;
    const codes = new Int8Array(kept * k);
    const scales = new Float32Array(kept);
    for (let i = 0; i < kept; i++) scales[i] = quantizeRow(svd.right.subarray(i * k, (i + 1) * k), bits, codes.subarray(i * k, (i + 1) * k));
    const words = vocab.slice(0, kept);
    return new WordSpace(k, bits, words, codes, scales, sifA, totalTokens, D);
  }

  /**
   * Wraps word vectors made elsewhere (e.g. PPMI + SVD by scripts/build-word-vectors.py),
   * quantised like {@link WordSpace.fit}'s.
   * @param words - `[word, usage count]` per row; the counts give the SIF weights.
   * @param vectors - row-major `[words.length, dim]`.
   * @param options - `totalTokens` behind the counts, `bits`, `sifA`.
   * @throws {InvalidArgumentError} when the sizes disagree or an option is out of range.
   */
  static fromVectors(words: [string, number][], vectors: Float32Array, dim: number, options: { totalTokens: number; bits?: 4 | 8; sifA?: number; documents?: number }): WordSpace {
    const bits = options.bits ?? 8;
    const sifA = options.sifA ?? 1e-4;
    if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) throw new InvalidArgumentError(`dim must be an integer in [1, ${MAX_DIM}], got ${dim}.`);
    if (vectors.length !== words.length * dim) throw new InvalidArgumentError(`vectors hold ${vectors.length} values; ${words.length} words x ${dim} need ${words.length * dim}.`);
    if (bits !== 4 && bits !== 8) throw new InvalidArgumentError(`bits must be 4 or 8, got ${String(bits)}.`);
    if (!(sifA > 0) || !(options.totalTokens > 0)) throw new InvalidArgumentError(`sifA and totalTokens must be positive, got ${sifA} and ${options.totalTokens}.`);
    if (!words.every(([w, c]) => typeof w === 'string' && c > 0)) throw new InvalidArgumentError('Every word needs a positive count.');
    const codes = new Int8Array(words.length * dim);
    const scales = new Float32Array(words.length);
    for (let i = 0; i < words.length; i++) scales[i] = quantizeRow(vectors.subarray(i * dim, (i + 1) * dim), bits, codes.subarray(i * dim, (i + 1) * dim));
    return new WordSpace(dim, bits, words, codes, scales, sifA, options.totalTokens, options.documents ?? 0);
  }

  /**
   * The same space keeping only its first `n` words (rows are stored most frequent first), with
   * their stored values unchanged: a smaller model file at a measured cost.
   * @throws {InvalidArgumentError} unless `n` is a positive integer.
   */
  head(n: number): WordSpace {
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`head needs a positive integer, got ${n}.`);
    const k = Math.min(n, this.words.length);
    return new WordSpace(this.dim, this.bits, this.words.slice(0, k), this.codes.slice(0, k * this.dim), this.scales.slice(0, k), this.sifA, this.totalTokens, this.documents);
  }

  /** The stored vector of a word (lower case), or undefined when the word has none. */
  vector(word: string): Float32Array | undefined {
    const i = this.index.get(word);
    if (i === undefined) return undefined;
    const out = new Float32Array(this.dim);
    const s = this.scales[i];
    for (let j = 0; j < this.dim; j++) out[j] = this.codes[i * this.dim + j] * s;
    return out;
  }

  /**
   * Sentence vectors: the SIF-weighted mean of the vectors of the words the space knows,
   * scaled to unit length (so dot products are cosines). A text with no known word gets the
   * zero vector, which is similar to nothing.
   */
  embed(texts: readonly string[]): Float32Array[] {
    return texts.map((text) => this.embedTokens(wordTokens(text)));
  }

  /**
   * {@link WordSpace.embed} of one text already split by `wordTokens`, written into `out`
   * (zeros, `[dim]`) when given.
   * @internal shared with MeaningSpace, which tokenises once for both of its halves.
   */
  embedTokens(tokens: readonly string[], out?: Float32Array): Float32Array {
    const dim = this.dim;
    const codes = this.codes;
    const v = out ?? new Float32Array(dim);
    for (const w of tokens) {
      const i = this.index.get(w);
      if (i === undefined) continue;
      const a = (this.sifA / (this.sifA + this.words[i][1] / this.totalTokens)) * this.scales[i];
      const o = i * dim;
      for (let j = 0; j < dim; j++) v[j] += a * codes[o + j];
    }
    let n = 0;
    for (let j = 0; j < dim; j++) n += v[j] * v[j];
    if (n > 0) {
      const f = 1 / Math.sqrt(n);
      for (let j = 0; j < dim; j++) v[j] *= f;
    }
    return v;
  }


  /** The header and packed table, for saving beside a model. */
  toFiles(): WordSpaceFiles {
    const header: WordSpaceJson = {
      format: 'latentkit-word-space',
      version: 1,
      dim: this.dim,
      bits: this.bits,
      sifA: this.sifA,
      totalTokens: this.totalTokens,
      documents: this.documents,
      words: this.words,
    };
    const n = this.words.length;
    const packed = this.bits === 8 ? new Uint8Array(this.codes.buffer.slice(0)) : new Uint8Array(Math.ceil((n * this.dim) / 2));
    if (this.bits === 4) for (let t = 0; t < this.codes.length; t++) packed[t >> 1] |= (this.codes[t] & 0xf) << ((t & 1) * 4);
    const bin = new Uint8Array(n * 4 + packed.length);
    bin.set(new Uint8Array(Float32Array.from(this.scales).buffer), 0);
    bin.set(packed, n * 4);
    return { json: JSON.stringify(header), bin };
  }

  /**
   * Reads a saved space.
   * @param file - name used in error messages.
   * @throws {ModelFormatError} when the header is malformed or the table has the wrong size.
   */
  static fromFiles(json: Uint8Array | string, bin: Uint8Array, file = 'word-space.json'): WordSpace {
    let h: WordSpaceJson;
    try {
      h = JSON.parse(typeof json === 'string' ? json : new TextDecoder().decode(json)) as WordSpaceJson;
    } catch (e) {
      throw new ModelFormatError(`${file} is not valid JSON (${(e as Error).message}).`, { file });
    }
    if (h?.format !== 'latentkit-word-space' || h.version !== 1) {
      throw new ModelFormatError(`${file}: expected format "latentkit-word-space" version 1, found ${JSON.stringify(h?.format)} version ${JSON.stringify(h?.version)}.`, { file });
    }
    const bad = (field: string, want: string) => new ModelFormatError(`${file}: field '${field}' must be ${want}, found ${JSON.stringify((h as unknown as Record<string, unknown>)[field])?.slice(0, 60)}.`, { file });
    if (!Number.isInteger(h.dim) || h.dim < 1 || h.dim > MAX_DIM) throw bad('dim', `an integer in [1, ${MAX_DIM}]`);
    if (h.bits !== 4 && h.bits !== 8) throw bad('bits', '4 or 8');
    if (!(h.sifA > 0)) throw bad('sifA', 'a positive number');
    if (!(h.totalTokens > 0)) throw bad('totalTokens', 'a positive number');
    if (!Number.isInteger(h.documents) || h.documents < 0) throw bad('documents', 'a non-negative integer');
    if (!Array.isArray(h.words) || h.words.length > MAX_WORDS) throw bad('words', `an array of at most ${MAX_WORDS} [word, count] pairs`);
    h.words.forEach((p, i) => {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || !(typeof p[1] === 'number' && p[1] > 0)) {
        throw new ModelFormatError(`${file}: words[${i}] must be [word, positive count], found ${JSON.stringify(p)?.slice(0, 60)}.`, { file });
      }
    });
    const n = h.words.length;
    const packedBytes = h.bits === 8 ? n * h.dim : Math.ceil((n * h.dim) / 2);
    if (bin.length !== n * 4 + packedBytes) {
      throw new ModelFormatError(`${file}: the table should hold ${n * 4 + packedBytes} bytes for ${n} words x ${h.dim} dims at ${h.bits} bits, found ${bin.length}.`, { file });
    }
    const scales = new Float32Array(bin.slice(0, n * 4).buffer);
    if (!scales.every((s) => Number.isFinite(s) && s >= 0)) throw new ModelFormatError(`${file}: the table holds a negative or non-finite scale.`, { file });
    const packed = bin.subarray(n * 4);
    const codes = new Int8Array(n * h.dim);
    if (h.bits === 8) codes.set(new Int8Array(packed.buffer, packed.byteOffset, packed.length));
    else for (let t = 0; t < codes.length; t++) codes[t] = (((packed[t >> 1] >> ((t & 1) * 4)) & 0xf) << 28) >> 28;
    return new WordSpace(h.dim, h.bits, h.words, codes, scales, h.sifA, h.totalTokens, h.documents);
  }
}
