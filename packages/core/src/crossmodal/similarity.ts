/**
 * @file Similarity between latent spaces of different models and modalities: linear CKA and
 * mutual-kNN over rows that stand for the same thing. Rows are the same inputs when two
 * models saw the same data, otherwise samples of the same class (a 7, "seven", the word
 * seven); class-paired scores come with a control where the classes are deliberately
 * mismatched, so shared cluster structure is not mistaken for shared meaning.
 */
import type { Matrix } from '../math/matrix.js';
import { compareCodes } from './alignment.js';
import { pairByClass, rotatedControl, selectRows } from './pairing.js';

/** One set of codes of one representation. */
export interface CodeSet {
  /** Codes, one row per sample. */
  codes: Matrix;
  /** Class of each row (negative = unlabelled). */
  labels: readonly number[];
  /** What the classes are; sets with the same concept can be paired by class. */
  concept: string;
  /** Which inputs the rows are; sets with the same `items` are paired row by row. */
  items: string;
}

/** A representation (a model's codes), possibly over several sets of inputs. */
export interface Representation {
  name: string;
  sets: CodeSet[];
}

/** The comparison of two representations. */
export interface PairComparison {
  a: string;
  b: string;
  /** `same inputs` (row i = the same input) or `class` (row i = samples of the same class). */
  pairing: 'same inputs' | 'class';
  /** What was paired, e.g. `digit` or `held-out images`. */
  what: string;
  rows: number;
  cka: number;
  mutualKnn: number;
  /** Class pairing with classes rotated by one: the score expected from class structure alone. */
  control?: { cka: number; mutualKnn: number };
}

/** Options of {@link compareRepresentations} and {@link similarityMatrix}. */
export interface SimilarityOptions {
  /** Rows per class for class pairing. @default 20 */
  perClass?: number;
  /** Neighbours of the mutual-kNN score (clamped to rows - 1). @default 10 */
  k?: number;
  /** @default 0 */
  seed?: number;
}

/**
 * Compares two representations on the best pairing they allow: the same inputs if a set of
 * each covers the same items, else class pairing on a shared concept, else nothing.
 * @param a first representation.
 * @param b second representation.
 * @param options rows per class, k, seed.
 * @returns the comparison, or undefined when nothing can be paired.
 */
export async function compareRepresentations(a: Representation, b: Representation, options: SimilarityOptions = {}): Promise<PairComparison | undefined> {
  const k = options.k ?? 10;
  for (const x of a.sets) {
    const y = b.sets.find((s) => s.items === x.items);
    if (y && y.codes.rows === x.codes.rows) {
      const r = await compareCodes(x.codes, y.codes, k);
      return { a: a.name, b: b.name, pairing: 'same inputs', what: x.items, rows: x.codes.rows, cka: r.cka, mutualKnn: r.mutualKnn };
    }
  }
  for (const x of a.sets) {
    const y = b.sets.find((s) => s.concept === x.concept);
    if (!y) continue;
    const p = pairByClass(x.labels, y.labels, { perClass: options.perClass ?? 20, seed: options.seed ?? 0 });
    const xa = selectRows(x.codes, p.a);
    const r = await compareCodes(xa, selectRows(y.codes, p.b), k);
    const out: PairComparison = { a: a.name, b: b.name, pairing: 'class', what: `${x.concept} (${p.classes.length} classes)`, rows: p.a.length, cka: r.cka, mutualKnn: r.mutualKnn };
    if (p.classes.length > 1) {
      const c = await compareCodes(xa, selectRows(y.codes, rotatedControl(p, y.labels, (options.seed ?? 0) + 1).b), k);
      out.control = { cka: c.cka, mutualKnn: c.mutualKnn };
    }
    return out;
  }
  return undefined;
}

/** Every pairwise comparison of a list of representations. */
export interface SimilarityMatrix {
  names: string[];
  /** `cka[i][j]`, undefined where the two cannot be paired; 1 on the diagonal. */
  cka: (number | undefined)[][];
  mutualKnn: (number | undefined)[][];
  /** The comparisons behind the off-diagonal cells (i < j). */
  pairs: PairComparison[];
}

/**
 * Compares every pair of representations (see {@link compareRepresentations}).
 * @param reps the representations.
 * @param options rows per class, k, seed.
 * @returns symmetric CKA and mutual-kNN matrices and the comparison of each pair.
 * @example
 * ```ts
 * const m = similarityMatrix([images, speech, words], { perClass: 20, k: 10 });
 * m.cka[0][2]; // CKA of image codes vs word codes, paired by digit
 * ```
 */
export async function similarityMatrix(reps: readonly Representation[], options: SimilarityOptions = {}): Promise<SimilarityMatrix> {
  const n = reps.length;
  const cka: (number | undefined)[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : undefined)));
  const mutualKnn = cka.map((r) => [...r]);
  const pairs: PairComparison[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const r = await compareRepresentations(reps[i], reps[j], options);
      if (!r) continue;
      pairs.push(r);
      cka[i][j] = cka[j][i] = r.cka;
      mutualKnn[i][j] = mutualKnn[j][i] = r.mutualKnn;
    }
  }
  return { names: reps.map((r) => r.name), cka, mutualKnn, pairs };
}
