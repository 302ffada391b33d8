/**
 * @file The STS Benchmark format (sentence pairs with a human similarity score 0-5) and the
 * figure it is judged by: Spearman's rank correlation of a similarity against the gold scores.
 * Used to validate sentence codes; nothing in this package fits anything to it.
 */
import { readFile } from 'node:fs/promises';
import { DatasetError, InvalidArgumentError } from '@latentkit/core';

/** One scored pair. */
export interface StsPair {
  /** Gold similarity, 0 (unrelated) to 5 (equivalent). */
  score: number;
  sentence1: string;
  sentence2: string;
  /** `captions`, `news` or `forums` for the official files (their first column, `main-` dropped). */
  genre: string;
}

/**
 * Parses the official tab-separated STS Benchmark file (`sts-dev.csv`): genre, file, year, id,
 * score, sentence 1, sentence 2, and on some lines licence columns after them. Fields hold
 * unbalanced quotes, so the text is split on tabs only.
 * @param text the file's contents.
 * @param file its name, for error messages.
 * @throws {DatasetError} for a line with fewer than 7 fields or a score outside [0, 5].
 * @example
 * ```ts
 * parseSts('main-captions\tMSRvid\t2012test\t0000\t5.000\tA man.\tA man!')[0].score; // 5
 * ```
 */
export function parseSts(text: string, file = 'sts.csv'): StsPair[] {
  const out: StsPair[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim().length === 0) return;
    const f = line.split('\t');
    const score = Number(f[4]);
    if (f.length < 7 || !(score >= 0 && score <= 5)) {
      throw new DatasetError(`${file}:${i + 1}: expected 7+ tab-separated fields with a score in [0, 5] in the fifth.`, { file });
    }
    out.push({ score, sentence1: f[5], sentence2: f[6], genre: f[0].replace(/^main-/, '') });
  });
  if (out.length === 0) throw new DatasetError(`${file}: no pairs.`, { file });
  return out;
}

/**
 * Reads an STS Benchmark file (e.g. `<LATENTKIT_DATA>/stsb-dev/sts-dev.csv`).
 * @throws {DatasetError} when the file is missing or malformed.
 */
export async function readSts(file: string): Promise<StsPair[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new DatasetError(`Cannot read ${file}: ${(e as Error).message}`, { file, cause: e });
  }
  return parseSts(text, file);
}

/** Ranks from 1, ties sharing their mean rank. */
function ranks(x: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]] === x[order[i]]) j++;
    for (let k = i; k <= j; k++) r[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/**
 * Spearman's rank correlation (Pearson's of the ranks, ties averaged).
 * @throws {InvalidArgumentError} when the lengths differ, fewer than 2 values are given, or a value is not finite.
 * @example
 * ```ts
 * spearman([1, 2, 3], [10, 30, 20]); // 0.5
 * ```
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length < 2) throw new InvalidArgumentError(`spearman needs two lists of one length >= 2, got ${a.length} and ${b.length}.`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) throw new InvalidArgumentError(`spearman: value ${i} is not finite.`);
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

/**
 * Cosine of each pair of codes (row `i` of `a` with row `i` of `b`); 0 where either is zero.
 * @throws {InvalidArgumentError} when the lists or rows differ in length.
 */
export function pairCosines(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): Float64Array {
  if (a.length !== b.length) throw new InvalidArgumentError(`pairCosines needs as many rows on each side, got ${a.length} and ${b.length}.`);
  return Float64Array.from(a, (x, i) => {
    const y = b[i];
    if (x.length !== y.length) throw new InvalidArgumentError(`pairCosines: row ${i} has lengths ${x.length} and ${y.length}.`);
    let d = 0;
    let nx = 0;
    let ny = 0;
    for (let j = 0; j < x.length; j++) {
      d += x[j] * y[j];
      nx += x[j] * x[j];
      ny += y[j] * y[j];
    }
    return nx > 0 && ny > 0 ? d / Math.sqrt(nx * ny) : 0;
  });
}
