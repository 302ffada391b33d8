/**
 * @file The measurements the sentence autoencoder is judged by, shared by the training script
 * and the text benchmark so both report the same numbers: exact match and character error
 * rate of reconstructions, fill-in accuracy on gapped characters, and retrieval recall@k of
 * codes against a tf-idf bag-of-words baseline.
 */
import { InvalidArgumentError, createRng } from '@latentkit/core';
import { gapCharacters } from './noise.js';
import { GAP_MARKER, normalizeSentence } from './vocabulary.js';

/**
 * Levenshtein distance between two strings, over code points.
 * @returns the number of insertions, deletions and substitutions.
 */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/** Exact match and character error rate of a set of reconstructions. */
export interface ReconstructionScores {
  /** Fraction of outputs identical to their reference. */
  exactMatch: number;
  /** Total edit distance over total reference length (code points). */
  charErrorRate: number;
  count: number;
}

/**
 * Scores outputs against references.
 * @throws {InvalidArgumentError} when the lists differ in length or are empty.
 * @example
 * ```ts
 * scoreReconstructions(['a cat'], ['a cut']); // { exactMatch: 0, charErrorRate: 0.2, count: 1 }
 * ```
 */
export function scoreReconstructions(references: readonly string[], outputs: readonly string[]): ReconstructionScores {
  if (references.length !== outputs.length || references.length === 0) {
    throw new InvalidArgumentError(`Need as many outputs as references (at least one); got ${outputs.length} and ${references.length}.`);
  }
  let exact = 0;
  let edits = 0;
  let chars = 0;
  references.forEach((r, i) => {
    if (r === outputs[i]) exact++;
    edits += editDistance(r, outputs[i]);
    chars += [...r].length;
  });
  return { exactMatch: exact / references.length, charErrorRate: edits / Math.max(chars, 1), count: references.length };
}

/** Something that reconstructs and fills in sentences (the sentence autoencoder). */
export interface SentenceModelLike {
  readonly config: { maxLength: number };
  reconstruct(texts: string[]): Promise<string[]>;
  fillIn(texts: readonly string[]): Promise<string[]>;
}

/**
 * Reconstructs sentences and scores them against their normalised form.
 * @param model the autoencoder.
 * @param sentences non-blank sentences.
 * @returns scores and the outputs.
 */
export async function evaluateReconstruction(model: SentenceModelLike, sentences: readonly string[]): Promise<ReconstructionScores & { outputs: string[] }> {
  const refs = sentences.map((s, i) => normalizeSentence(s, Number.MAX_SAFE_INTEGER, i).text);
  const outputs = await model.reconstruct([...sentences]);
  return { ...scoreReconstructions(refs, outputs), outputs };
}

/** Result of {@link evaluateFillIn}. */
export interface FillInScores {
  /** Fraction of gapped characters restored exactly. */
  accuracy: number;
  gaps: number;
  /** Fraction of sentences whose every gap was restored. */
  sentenceAccuracy: number;
}

/**
 * Gaps about `rate` of the non-space characters of each sentence (seeded, at least one per
 * sentence), asks the model to fill them in and counts the characters restored exactly.
 * @param model the autoencoder.
 * @param sentences non-blank sentences (normalised first).
 * @param rate fraction of characters gapped. @default 0.1
 * @param seed seed of the gap positions. @default 7
 */
export async function evaluateFillIn(model: SentenceModelLike, sentences: readonly string[], rate = 0.1, seed = 7): Promise<FillInScores> {
  const rng = createRng(seed);
  const clean = sentences.map((s, i) => normalizeSentence(s, model.config.maxLength, i).text);
  const gapped = clean.map((s) => gapCharacters(s, rate, rng, true));
  const filled = await model.fillIn(gapped);
  let gaps = 0;
  let right = 0;
  let whole = 0;
  gapped.forEach((g, i) => {
    const gc = [...g];
    const cc = [...clean[i]];
    const fc = [...filled[i]];
    let all = true;
    gc.forEach((ch, j) => {
      if (ch !== GAP_MARKER) return;
      gaps++;
      if (fc[j] === cc[j]) right++;
      else all = false;
    });
    if (all) whole++;
  });
  return { accuracy: right / Math.max(gaps, 1), gaps, sentenceAccuracy: whole / Math.max(gapped.length, 1) };
}

/**
 * Recall@k of a retrieval: query `i`'s correct candidate is candidate `i`; it counts as found
 * when fewer than `k` other candidates score at least as high (ties count against it).
 * @param similarity `similarity(i, j)` between query `i` and candidate `j`.
 * @param n number of queries (and candidates).
 * @param k cut-off. @default 10
 * @returns the fraction of queries whose candidate is in the top `k`.
 */
export function recallAtK(similarity: (i: number, j: number) => number, n: number, k = 10): number {
  if (n === 0) return NaN;
  let found = 0;
  for (let i = 0; i < n; i++) {
    const mine = similarity(i, i);
    let above = 0;
    for (let j = 0; j < n && above < k; j++) if (j !== i && similarity(i, j) >= mine) above++;
    if (above < k) found++;
  }
  return found / n;
}

/**
 * Cosine similarity matrix `[queries, candidates]` of two lists of vectors of one length.
 * @returns row-major similarities.
 */
export function cosineMatrix(queries: readonly Float32Array[], candidates: readonly Float32Array[]): Float32Array {
  const unit = (v: Float32Array) => {
    let s = 0;
    for (const x of v) s += x * x;
    const n = Math.sqrt(s) || 1;
    return v.map((x) => x / n);
  };
  const q = queries.map(unit);
  const c = candidates.map(unit);
  const out = new Float32Array(q.length * c.length);
  q.forEach((a, i) =>
    c.forEach((b, j) => {
      let s = 0;
      for (let t = 0; t < a.length; t++) s += a[t] * b[t];
      out[i * c.length + j] = s;
    }),
  );
  return out;
}

/** Lower-case word tokens (letters, digits, apostrophes) of a text: what tf-idf counts. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/**
 * Tf-idf cosine similarity matrix between queries and candidates, with document frequencies
 * from both lists together (the bag-of-words baseline of the retrieval benchmark).
 * @returns row-major `[queries, candidates]` similarities.
 */
export function tfidfCosineMatrix(queries: readonly string[], candidates: readonly string[]): Float32Array {
  const docs = [...queries, ...candidates].map(wordTokens);
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const vec = (tokens: string[]) => {
    const tf = new Map<string, number>();
    for (const w of tokens) tf.set(w, (tf.get(w) ?? 0) + 1);
    const v = new Map<string, number>();
    let norm = 0;
    for (const [w, c] of tf) {
      const x = c * Math.log((docs.length + 1) / ((df.get(w) ?? 0) + 1));
      v.set(w, x);
      norm += x * x;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [w, x] of v) v.set(w, x / norm);
    return v;
  };
  const q = docs.slice(0, queries.length).map(vec);
  const c = docs.slice(queries.length).map(vec);
  const out = new Float32Array(q.length * c.length);
  q.forEach((a, i) =>
    c.forEach((b, j) => {
      let s = 0;
      for (const [w, x] of a) s += x * (b.get(w) ?? 0);
      out[i * c.length + j] = s;
    }),
  );
  return out;
}

/**
 * Tf-idf cosine of each pair (`a[i]` with `b[i]`), idf `log((D + 1) / (df + 1))` from
 * `documents`: training text, never the pairs judged (the STS baseline of the text benchmark).
 * @returns one cosine per pair.
 * @throws {InvalidArgumentError} when the lists differ in length.
 */
export function tfidfPairCosines(a: readonly string[], b: readonly string[], documents: readonly string[]): Float64Array {
  if (a.length !== b.length) throw new InvalidArgumentError(`Need as many second sentences as first ones; got ${b.length} and ${a.length}.`);
  const df = new Map<string, number>();
  for (const d of documents) for (const w of new Set(wordTokens(d))) df.set(w, (df.get(w) ?? 0) + 1);
  const idf = (w: string) => Math.log((documents.length + 1) / ((df.get(w) ?? 0) + 1));
  const vec = (text: string) => {
    const v = new Map<string, number>();
    for (const w of wordTokens(text)) v.set(w, (v.get(w) ?? 0) + idf(w));
    return v;
  };
  return Float64Array.from(a, (x, i) => {
    const va = vec(x);
    const vb = vec(b[i]);
    let d = 0;
    let na = 0;
    let nb = 0;
    for (const [w, v] of va) {
      d += v * (vb.get(w) ?? 0);
      na += v * v;
    }
    for (const v of vb.values()) nb += v * v;
    return na > 0 && nb > 0 ? d / Math.sqrt(na * nb) : 0;
  });
}
