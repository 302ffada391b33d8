/**
 * @file Pairing rows of two labelled sets by class, the way cross-modal comparisons need them:
 * an image of a 7 and a recording of "seven" have no instance in common, only the concept,
 * so row `r` of both sides is a sample of the same class.
 */
import { InvalidArgumentError } from '../errors/errors.js';
import type { Matrix } from '../math/matrix.js';
import { createRng } from '../math/random.js';

/** Row indices into two sets, paired by class. */
export interface ClassPairing {
  /** Row `r` of side A is `a[r]`. */
  a: number[];
  /** Row `r` of side B is `b[r]`, a sample of the same class as `a[r]`. */
  b: number[];
  /** The class of each row. */
  labels: number[];
  /** Classes present on both sides, ascending. */
  classes: number[];
}

/** Options of {@link pairByClass}. */
export interface PairByClassOptions {
  /** Pairs per class. @default the smaller class size of the two sides */
  perClass?: number;
  /** Only these classes. @default every class present on both sides */
  classes?: readonly number[];
  /** Seed of the sample order within each class. @default 0 */
  seed?: number;
}

function byClass(labels: ArrayLike<number>): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0) continue; // unlabelled
    if (!m.has(c)) m.set(c, []);
    m.get(c)!.push(i);
  }
  return m;
}

function shuffle<T>(xs: T[], rng: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * Pairs samples of two labelled sets class by class: for each shared class, `perClass` rows
 * whose A and B samples are drawn in a seeded random order (cycling when a side has fewer).
 * @param labelsA class of each sample of side A (negative = unlabelled, never paired).
 * @param labelsB class of each sample of side B.
 * @param options samples per class, classes, seed.
 * @returns the paired indices and the class of each row.
 * @throws {InvalidArgumentError} when the sides share no class or `perClass` is not positive.
 * @example
 * ```ts
 * const p = pairByClass(imageLabels, wordLabels, { perClass: 20 });
 * const cka = linearCka(selectRows(imageCodes, p.a), selectRows(wordCodes, p.b));
 * ```
 */
export function pairByClass(labelsA: ArrayLike<number>, labelsB: ArrayLike<number>, options: PairByClassOptions = {}): ClassPairing {
  const A = byClass(labelsA);
  const B = byClass(labelsB);
  const classes = (options.classes ? [...options.classes] : [...A.keys()].filter((c) => B.has(c))).filter((c) => A.has(c) && B.has(c)).sort((x, y) => x - y);
  if (classes.length === 0) throw new InvalidArgumentError('The two sets share no class; nothing can be paired.');
  const rng = createRng(options.seed ?? 0);
  const out: ClassPairing = { a: [], b: [], labels: [], classes };
  for (const c of classes) {
    const ia = shuffle([...A.get(c)!], rng);
    const ib = shuffle([...B.get(c)!], rng);
    const n = options.perClass ?? Math.min(ia.length, ib.length);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`perClass must be a positive integer, got ${n}.`);
    for (let r = 0; r < n; r++) {
      out.a.push(ia[r % ia.length]);
      out.b.push(ib[r % ib.length]);
      out.labels.push(c);
    }
  }
  return out;
}

/**
 * A control for {@link pairByClass}: the same rows with side B's classes rotated (class `c` of
 * A meets class `c+1` of B), so class structure is kept but the concepts no longer match.
 * @param pairing a class pairing.
 * @param labelsB class of each sample of side B.
 * @param seed order within each class.
 * @returns a pairing of the same size with mismatched concepts.
 */
export function rotatedControl(pairing: ClassPairing, labelsB: ArrayLike<number>, seed = 1): ClassPairing {
  const B = byClass(labelsB);
  const rng = createRng(seed);
  const { classes } = pairing;
  const pools = new Map(classes.map((c) => [c, shuffle([...B.get(c)!], rng)]));
  const used = new Map<number, number>();
  const b = pairing.labels.map((c) => {
    const other = classes[(classes.indexOf(c) + 1) % classes.length];
    const pool = pools.get(other)!;
    const k = used.get(other) ?? 0;
    used.set(other, k + 1);
    return pool[k % pool.length];
  });
  return { ...pairing, b };
}

/**
 * Rows of a matrix, in the given order (a copy).
 * @param m the matrix.
 * @param rows row indices (may repeat).
 * @returns `rows.length x m.cols`.
 * @throws {InvalidArgumentError} for an index out of range.
 */
export function selectRows(m: Matrix, rows: readonly number[]): Matrix {
  const data = new Float32Array(rows.length * m.cols);
  rows.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 0 || r >= m.rows) throw new InvalidArgumentError(`Row ${r} is out of range [0, ${m.rows}).`);
    data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  });
  return { data, rows: rows.length, cols: m.cols };
}
