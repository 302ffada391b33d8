/**
 * @file A word n-gram model (bigrams or trigrams, backoff form as in ARPA files): the
 * context-aware word prior `fillIn` weighs whole gapped words with. A unigram prior alone
 * cannot tell `the c_t sat` (cut is about as common as cat) from `the cat sat`; the words
 * around it can: `p(sat | the cat)` is far above `p(sat | the cut)`.
 *
 * `p(w | u v)` is the stored trigram, else `bo(u v) * p(w | v)`; `p(w | v)` the stored bigram,
 * else `bo(v) * p(w)`. Log-probabilities and backoffs are stored as 16-bit fixed point
 * (1/1024 nat), word ids as 32-bit integers, in compressed-sparse-row tables: a pruned model of
 * a million n-grams is a few MB in a model folder.
 *
 * {@link WordNgram.fromSentences} counts bigrams itself (interpolated absolute discounting with
 * Kneser-Ney's discount down to a usage unigram); {@link WordNgram.fromTables} wraps a model
 * estimated elsewhere (the shipped one is a pruned conversion of CMU Sphinx's US English
 * trigram model, see scripts/add-word-prior.ts).
 */
import { InvalidArgumentError, ModelFormatError } from '@latentkit/core';

/** The sentence-start context and the sentence-end word (not words any text can contain). */
export const SENTENCE_START = '<s>';
export const SENTENCE_END = '</s>';

/** Options of {@link WordNgram.fromSentences}. */
export interface WordNgramOptions {
  /** Unigram counts of real usage, `word -> count`; the corpus' own counts are added. @default the corpus' counts alone */
  usage?: ReadonlyMap<string, number>;
  /** Bigrams seen fewer times are pruned (left to the backoff). @default 2 */
  minCount?: number;
}

/** The tables of a backoff n-gram model, natural-log values; ids index `words`. */
export interface WordNgramTables {
  words: string[];
  /** `[words]` log p(w). */
  unigram: Float32Array;
  /** `[words]` log bo(v) (0 for a word that is never a context). */
  backoff: Float32Array;
  /** Bigrams sorted by context then word: context ids, word ids, log p(w | v). */
  bigramContext: Uint32Array;
  bigramWord: Uint32Array;
  bigramLogProb: Float32Array;
  /** Order 3 only: log bo(v w) per bigram, and trigrams sorted by (bigram index, word). */
  bigramBackoff?: Float32Array;
  trigramBigram?: Uint32Array;
  trigramWord?: Uint32Array;
  trigramLogProb?: Float32Array;
}

/** Header of a saved {@link WordNgram} (`word-ngram.json`); the tables are `word-ngram.bin`. */
export interface WordNgramJson {
  format: 'latentkit-word-ngram';
  version: 1;
  order: 2 | 3;
  /** Words in id order (sentence start and end included). */
  words: string[];
  bigrams: number;
  trigrams: number;
  /** Where the model came from (free text). */
  source?: string;
}

/** 16-bit fixed point of log values: 1/1024 nat, so the range is about ±32 nats. */
const FIXED = 1024;
const toFixed = (x: number) => Math.max(-32768, Math.min(32767, Math.round(x * FIXED)));

function csrOffsets(keys: Uint32Array, rows: number): Uint32Array {
  const offsets = new Uint32Array(rows + 1);
  for (const k of keys) offsets[k + 1]++;
  for (let i = 0; i < rows; i++) offsets[i + 1] += offsets[i];
  return offsets;
}

function search(ids: Uint32Array, lo: number, hi: number, id: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = ids[mid];
    if (x === id) return mid;
    if (x < id) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

/**
 * Word n-gram model over lower-case word tokens (see the file comment).
 * @example
 * ```ts
 * const lm = WordNgram.fromSentences([['the', 'cat', 'sat'], ['the', 'cat', 'ran']], { minCount: 1 });
 * lm.logProb(['cat'], 'sat')! > lm.logProb(['dog'], 'sat')!; // true
 * ```
 */
export class WordNgram {
  private readonly index: Map<string, number>;

  private constructor(
    readonly order: 2 | 3,
    private readonly words: string[],
    private readonly unigram: Int16Array,
    private readonly backoff: Int16Array,
    private readonly biOffsets: Uint32Array,
    private readonly biWord: Uint32Array,
    private readonly biLogProb: Int16Array,
    private readonly biBackoff: Int16Array,
    private readonly triOffsets: Uint32Array,
    private readonly triWord: Uint32Array,
    private readonly triLogProb: Int16Array,
    /** Where the model came from. */
    readonly source: string,
  ) {
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  /** Words with a probability (sentence start and end included). */
  get size(): number {
    return this.words.length;
  }

  /** Bigrams stored. */
  get bigramCount(): number {
    return this.biWord.length;
  }

  /** Trigrams stored (0 for a bigram model). */
  get trigramCount(): number {
    return this.triWord.length;
  }

  /** Whether the model has the word. */
  has(word: string): boolean {
    return this.index.has(word);
  }

  /**
   * `log p(word | context)` in nats. `context` holds the words before, oldest first; only the
   * last `order - 1` count, and a context word the model lacks cuts the history there. Undefined
   * for a word the model lacks.
   */
  logProb(context: readonly (string | undefined)[], word: string): number | undefined {
    const w = this.index.get(word);
    if (w === undefined) return undefined;
    const n = context.length;
    const v = n > 0 && context[n - 1] !== undefined ? this.index.get(context[n - 1]!) : undefined;
    if (v === undefined) return this.unigram[w] / FIXED;
    const vw = search(this.biWord, this.biOffsets[v], this.biOffsets[v + 1], w);
    const bigram = vw >= 0 ? this.biLogProb[vw] / FIXED : (this.backoff[v] + this.unigram[w]) / FIXED;
    if (this.order < 3 || n < 2 || context[n - 2] === undefined) return bigram;
    const u = this.index.get(context[n - 2]!);
    if (u === undefined) return bigram;
    const uv = search(this.biWord, this.biOffsets[u], this.biOffsets[u + 1], v);
    if (uv < 0) return bigram;
    const uvw = search(this.triWord, this.triOffsets[uv], this.triOffsets[uv + 1], w);
    return uvw >= 0 ? this.triLogProb[uvw] / FIXED : this.biBackoff[uv] / FIXED + bigram;
  }

  /**
   * Wraps tables estimated elsewhere (see {@link WordNgramTables}).
   * @throws {InvalidArgumentError} when the tables disagree in size or order.
   */
  static fromTables(t: WordNgramTables, source = ''): WordNgram {
    const V = t.words.length;
    const nB = t.bigramWord.length;
    if (t.unigram.length !== V || t.backoff.length !== V) throw new InvalidArgumentError(`unigram and backoff need ${V} values (one per word).`);
    if (t.bigramContext.length !== nB || t.bigramLogProb.length !== nB) throw new InvalidArgumentError('bigram tables differ in length.');
    const order = t.trigramWord ? 3 : 2;
    const nT = t.trigramWord?.length ?? 0;
    if (order === 3 && (t.bigramBackoff?.length !== nB || t.trigramBigram?.length !== nT || t.trigramLogProb?.length !== nT)) {
      throw new InvalidArgumentError('trigram tables need bigramBackoff per bigram and trigramBigram / trigramLogProb per trigram.');
    }
    for (let i = 1; i < nB; i++) {
      if (t.bigramContext[i] < t.bigramContext[i - 1] || (t.bigramContext[i] === t.bigramContext[i - 1] && t.bigramWord[i] <= t.bigramWord[i - 1])) {
        throw new InvalidArgumentError('bigrams must be sorted by context, then word, without repeats.');
      }
    }
    if (order === 3) {
      for (let i = 0; i < nT; i++) {
        if (t.trigramBigram![i] >= nB || (i > 0 && t.trigramBigram![i] < t.trigramBigram![i - 1])) throw new InvalidArgumentError('trigrams must be sorted by their bigram index (below the bigram count).');
      }
    }
    const triOffsets = order === 3 ? csrOffsets(t.trigramBigram!, nB) : new Uint32Array(nB + 1);
    const ngram = new WordNgram(
      order,
      t.words,
      Int16Array.from(t.unigram, toFixed),
      Int16Array.from(t.backoff, toFixed),
      csrOffsets(t.bigramContext, V),
      Uint32Array.from(t.bigramWord),
      Int16Array.from(t.bigramLogProb, toFixed),
      order === 3 ? Int16Array.from(t.bigramBackoff!, toFixed) : new Int16Array(nB),
      triOffsets,
      order === 3 ? Uint32Array.from(t.trigramWord!) : new Uint32Array(0),
      order === 3 ? Int16Array.from(t.trigramLogProb!, toFixed) : new Int16Array(0),
      source,
    );
    ngram.check('tables');
    return ngram;
  }

  /**
   * Linear interpolation of two models, `share * p_a + (1 - share) * p_b`, at the bigram level
   * and below, over the union of their words and stored bigrams (every context's backoff
   * recomputed so it sums to one); `a`'s trigrams are kept as they are, with `a`'s backoffs.
   * Mixes a large general model with a small one of the domain's text (static interpolation).
   * @throws {InvalidArgumentError} for a share outside [0, 1].
   */
  static interpolate(a: WordNgram, b: WordNgram, share: number): WordNgram {
    if (!(share >= 0 && share <= 1)) throw new InvalidArgumentError(`share must be in [0, 1], got ${share}.`);
    const words = [...a.words, ...b.words.filter((w) => !a.index.has(w))];
    const V = words.length;
    if (V >= 2 ** 21) throw new InvalidArgumentError(`At most ${2 ** 21} words together, got ${V}.`);
    const id = new Map(words.map((w, i) => [w, i]));
    const p = (m: WordNgram, ctx: string[], w: string) => {
      const lp = m.logProb(ctx, w);
      return lp === undefined ? 0 : Math.exp(lp);
    };
    const uni = words.map((w) => share * p(a, [], w) + (1 - share) * p(b, [], w));
    const keys = new Set<number>();
    for (const m of [a, b]) {
      for (let v = 0; v < m.words.length; v++) {
        for (let k = m.biOffsets[v]; k < m.biOffsets[v + 1]; k++) keys.add(id.get(m.words[v])! * 2 ** 21 + id.get(m.words[m.biWord[k]])!);
      }
    }
    const sorted = [...keys].sort((x, y) => x - y);
    const bigramContext = Uint32Array.from(sorted, (k) => Math.floor(k / 2 ** 21));
    const bigramWord = Uint32Array.from(sorted, (k) => k % 2 ** 21);
    const bigramLogProb = new Float32Array(sorted.length);
    const backoff = new Float32Array(V);
    let start = 0;
    for (let i = 0; i <= sorted.length; i++) {
      if (i < sorted.length && bigramContext[i] === bigramContext[start]) continue;
      // One context's bigrams: sorted[start, i).
      const v = words[bigramContext[start]];
      let kept = 0;
      let keptUni = 0;
      for (let k = start; k < i; k++) {
        const w = words[bigramWord[k]];
        const pw = share * p(a, [v], w) + (1 - share) * p(b, [v], w);
        bigramLogProb[k] = Math.log(Math.max(pw, 1e-30));
        kept += pw;
        keptUni += uni[bigramWord[k]];
      }
      backoff[bigramContext[start]] = Math.log(Math.max(1e-12, 1 - kept) / Math.max(1e-12, 1 - keptUni));
      start = i;
    }
    const tables: WordNgramTables = { words, unigram: Float32Array.from(uni, (x) => Math.log(Math.max(x, 1e-30))), backoff, bigramContext, bigramWord, bigramLogProb };
    if (a.order === 3) {
      const at = a.toTables();
      const newIndex = (u: number, v: number) => findBigram(bigramContext, bigramWord, id.get(at.words[u])!, id.get(at.words[v])!);
      const bigramBackoff = new Float32Array(sorted.length);
      at.bigramBackoff!.forEach((bo, k) => (bigramBackoff[newIndex(at.bigramContext[k], at.bigramWord[k])] = bo));
      const remap = Uint32Array.from(at.bigramContext, (u, k) => newIndex(u, at.bigramWord[k]));
      const trigramBigram = Uint32Array.from(at.trigramBigram!, (k) => remap[k]);
      const trigramWord = Uint32Array.from(at.trigramWord!, (w) => id.get(at.words[w])!);
      Object.assign(tables, { bigramBackoff, trigramBigram, trigramWord, trigramLogProb: at.trigramLogProb });
    }
    return WordNgram.fromTables(tables, `${share} x (${a.source}) + ${1 - share} x (${b.source})`);
  }

  /**
   * Counts bigrams of tokenised sentences (each framed by {@link SENTENCE_START} and
   * {@link SENTENCE_END}): interpolated absolute discounting, `D = n1 / (n1 + 2 n2)` as in
   * Kneser-Ney, down to the usage unigram (a larger sample than the running text, so the better
   * lower order here); bigrams seen fewer than `minCount` times are pruned into the backoff.
   * @param sentences - lower-case word tokens per sentence.
   * @throws {InvalidArgumentError} for a bad option or a corpus with no sentence.
   */
  static fromSentences(sentences: Iterable<readonly string[]>, options: WordNgramOptions = {}): WordNgram {
    const minCount = options.minCount ?? 2;
    if (!Number.isInteger(minCount) || minCount < 1) throw new InvalidArgumentError(`minCount must be a positive integer, got ${minCount}.`);
    const counts = new Map<string, number>(options.usage ?? []);
    const ids = new Map<string, number>();
    const idOf = (w: string) => {
      let i = ids.get(w);
      if (i === undefined) ids.set(w, (i = ids.size));
      return i;
    };
    // Bigram key `v * 2^21 + w`: exact in a double.
    const pairs = new Map<number, number>();
    const add = (w: string) => counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const tokens of sentences) {
      let prev = idOf(SENTENCE_START);
      add(SENTENCE_START);
      for (const t of [...tokens, SENTENCE_END]) {
        const w = idOf(t);
        add(t);
        pairs.set(prev * 2 ** 21 + w, (pairs.get(prev * 2 ** 21 + w) ?? 0) + 1);
        prev = w;
      }
    }
    if (pairs.size === 0) throw new InvalidArgumentError('The corpus has no sentence to count bigrams in.');
    if (ids.size >= 2 ** 21) throw new InvalidArgumentError(`At most ${2 ** 21} distinct corpus words, got ${ids.size}.`);
    let n1 = 0;
    let n2 = 0;
    for (const c of pairs.values()) {
      if (c === 1) n1++;
      else if (c === 2) n2++;
    }
    const discount = n1 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
    // Most frequent first (ties alphabetical), so ids are the same on every run.
    const vocab = [...counts].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const finalId = new Map(vocab.map(([w], i) => [w, i]));
    const corpusWords = [...ids.keys()];
    let total = 0;
    for (const [, c] of vocab) total += c;
    const pUni = (id: number) => vocab[id][1] / total;
    const ctx = new Map<number, { total: number; types: number; kept: [number, number][] }>();
    for (const [key, c] of pairs) {
      const v = finalId.get(corpusWords[Math.floor(key / 2 ** 21)])!;
      const w = finalId.get(corpusWords[key % 2 ** 21])!;
      let e = ctx.get(v);
      if (!e) ctx.set(v, (e = { total: 0, types: 0, kept: [] }));
      e.total += c;
      e.types += 1;
      if (c >= minCount) e.kept.push([w, c]);
    }
    const V = vocab.length;
    const backoff = new Float32Array(V);
    const rows: [number, number, number][] = [];
    for (const [v, e] of [...ctx].sort((a, b) => a[0] - b[0])) {
      e.kept.sort((a, b) => a[0] - b[0]);
      const lambda = (discount * e.types) / e.total;
      let keptMass = 0;
      let keptUni = 0;
      for (const [w, c] of e.kept) {
        const p = (c - discount) / e.total + lambda * pUni(w);
        rows.push([v, w, Math.log(p)]);
        keptMass += p;
        keptUni += pUni(w);
      }
      // What the kept bigrams leave, spread over the other words as the unigram; a context
      // whose bigrams were all pruned is the unigram (backoff weight 1).
      backoff[v] = e.kept.length > 0 ? Math.log(Math.max(1e-12, 1 - keptMass) / Math.max(1e-12, 1 - keptUni)) : 0;
    }
    return WordNgram.fromTables(
      {
        words: vocab.map(([w]) => w),
        unigram: Float32Array.from(vocab, ([, c]) => Math.log(c / total)),
        backoff,
        bigramContext: Uint32Array.from(rows, (r) => r[0]),
        bigramWord: Uint32Array.from(rows, (r) => r[1]),
        bigramLogProb: Float32Array.from(rows, (r) => r[2]),
      },
      `bigrams of ${sentences instanceof Array ? sentences.length : 'a stream of'} sentences, discount ${discount.toFixed(3)}, min count ${minCount}`,
    );
  }

  /** The model's tables (natural-log values, as stored: rounded to 1/1024 nat); see {@link WordNgram.fromTables}. */
  toTables(): WordNgramTables {
    const V = this.words.length;
    const bigramContext = new Uint32Array(this.biWord.length);
    for (let v = 0; v < V; v++) bigramContext.fill(v, this.biOffsets[v], this.biOffsets[v + 1]);
    const f = (a: Int16Array) => Float32Array.from(a, (x) => x / FIXED);
    const t: WordNgramTables = { words: [...this.words], unigram: f(this.unigram), backoff: f(this.backoff), bigramContext, bigramWord: this.biWord.slice(), bigramLogProb: f(this.biLogProb) };
    if (this.order === 3) {
      const trigramBigram = new Uint32Array(this.triWord.length);
      for (let b = 0; b < this.biWord.length; b++) trigramBigram.fill(b, this.triOffsets[b], this.triOffsets[b + 1]);
      Object.assign(t, { bigramBackoff: f(this.biBackoff), trigramBigram, trigramWord: this.triWord.slice(), trigramLogProb: f(this.triLogProb) });
    }
    return t;
  }

  /** Structural checks shared by the constructors (ids in range, rows ascending). */
  private check(file: string): void {
    const V = this.words.length;
    const fail = (what: string) => {
      throw new ModelFormatError(`${file}: ${what}.`, { file });
    };
    const rows = (offsets: Uint32Array, ids: Uint32Array, limit: number, name: string) => {
      if (offsets[0] !== 0 || offsets[offsets.length - 1] !== ids.length) fail(`${name} offsets do not span the table`);
      for (let r = 0; r + 1 < offsets.length; r++) {
        if (offsets[r + 1] < offsets[r]) fail(`${name} offsets must not decrease`);
        for (let k = offsets[r]; k < offsets[r + 1]; k++) if (ids[k] >= limit || (k > offsets[r] && ids[k] <= ids[k - 1])) fail(`${name} word ids must be ascending ids below ${limit}`);
      }
    };
    rows(this.biOffsets, this.biWord, V, 'bigram');
    if (this.order === 3) rows(this.triOffsets, this.triWord, V, 'trigram');
  }

  /** The two files the model saves as: `json` (header and words) and `bin` (the tables). */
  toFiles(): { json: string; bin: Uint8Array } {
    const V = this.words.length;
    const nB = this.biWord.length;
    const nT = this.triWord.length;
    const header: WordNgramJson = { format: 'latentkit-word-ngram', version: 1, order: this.order, words: this.words, bigrams: nB, trigrams: nT, source: this.source };
    const parts: ArrayBufferView[] = [this.biOffsets, this.biWord, this.triOffsets, this.triWord, this.unigram, this.backoff, this.biLogProb, this.biBackoff, this.triLogProb];
    const bin = new Uint8Array(binSize(V, nB, nT));
    const view = new DataView(bin.buffer);
    let o = 0;
    // Little-endian: 32-bit tables first, then the 16-bit ones (so every value is aligned).
    for (const p of parts) {
      if (p instanceof Uint32Array) for (const x of p) (view.setUint32(o, x, true), (o += 4));
      else for (const x of p as Int16Array) (view.setInt16(o, x, true), (o += 2));
    }
    return { json: JSON.stringify(header), bin };
  }

  /**
   * Reads the files written by {@link WordNgram.toFiles}, checking every table against the header.
   * @throws {ModelFormatError} naming `file` when either file is malformed.
   */
  static fromFiles(json: Uint8Array | string, bin: Uint8Array, file = 'word-ngram.json'): WordNgram {
    let h: Partial<WordNgramJson>;
    try {
      h = JSON.parse(typeof json === 'string' ? json : new TextDecoder().decode(json)) as Partial<WordNgramJson>;
    } catch (e) {
      throw new ModelFormatError(`${file} is not valid JSON (${(e as Error).message}).`, { file, cause: e });
    }
    if (h?.format !== 'latentkit-word-ngram' || h.version !== 1) throw new ModelFormatError(`${file}: expected format "latentkit-word-ngram" version 1.`, { file });
    if (h.order !== 2 && h.order !== 3) throw new ModelFormatError(`${file}: order must be 2 or 3.`, { file });
    const words = h.words;
    if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === 'string') || new Set(words).size !== words.length) {
      throw new ModelFormatError(`${file}: words must be a non-empty list of distinct strings.`, { file });
    }
    const V = words.length;
    const nB = h.bigrams;
    const nT = h.trigrams;
    if (!Number.isInteger(nB) || nB! < 0 || !Number.isInteger(nT) || nT! < 0 || (h.order === 2 && nT !== 0) || bin.byteLength !== binSize(V, nB!, nT!)) {
      throw new ModelFormatError(`${file}: the .bin holds ${bin.byteLength} bytes, not the ${V} words, ${String(nB)} bigrams and ${String(nT)} trigrams the header describes.`, { file });
    }
    const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
    let o = 0;
    const u32 = (n: number) => {
      const a = new Uint32Array(n);
      for (let i = 0; i < n; i++, o += 4) a[i] = view.getUint32(o, true);
      return a;
    };
    const i16 = (n: number) => {
      const a = new Int16Array(n);
      for (let i = 0; i < n; i++, o += 2) a[i] = view.getInt16(o, true);
      return a;
    };
    const biOffsets = u32(V + 1);
    const biWord = u32(nB!);
    const triOffsets = u32(nB! + 1);
    const triWord = u32(nT!);
    const ngram = new WordNgram(h.order, words, i16(V), i16(V), biOffsets, biWord, i16(nB!), i16(nB!), triOffsets, triWord, i16(nT!), typeof h.source === 'string' ? h.source : '');
    ngram.check(file);
    return ngram;
  }
}

/** Index of bigram (v, w) in tables sorted by context then word (it must be there). */
function findBigram(context: Uint32Array, word: Uint32Array, v: number, w: number): number {
  let lo = 0;
  let hi = context.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (context[mid] < v || (context[mid] === v && word[mid] < w)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bytes of the .bin: 32-bit offsets and ids, then 16-bit log values. */
function binSize(V: number, nB: number, nT: number): number {
  return 4 * (V + 1 + nB + nB + 1 + nT) + 2 * (V + V + nB + nB + nT);
}
