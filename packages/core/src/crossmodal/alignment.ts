/**
 * @file How alike two latent spaces are on paired rows: linear CKA (Kornblith et al., 2019) and
 * mutual k-nearest-neighbour alignment, and compareCodes, which gives both at once.
 */
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { centredCrossProduct, checkSquareDim, columnMeans, gemm } from '../math/linalg.js';
import type { Matrix, MatrixLike } from '../math/matrix.js';
import { knn, type KnnMetric } from '../math/similarity.js';
import { pairedInputs } from './shared.js';

function frobeniusSquared(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** `Xc Xcᵀ` (n x n) of the column-centred rows, for the sample-space form of CKA. */
function centredGram(m: Matrix): Float32Array {
  const mean = columnMeans(m);
  const { rows: n, cols: d } = m;
  const xc = new Float32Array(n * d);
  const xt = new Float32Array(d * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = m.data[i * d + j] - mean[j];
      xc[i * d + j] = v;
      xt[j * n + i] = v;
    }
  }
  return gemm(xc, n, d, xt, n);
}

/**
 * Linear centred kernel alignment (Kornblith et al., 2019) between two representations of
 * the same `n` samples: `‖Yᵀ X‖²_F / (‖Xᵀ X‖_F ‖Yᵀ Y‖_F)` on column-centred data. 1 means
 * identical up to rotation and isotropic scaling; it ignores the dimensions, so spaces of
 * different sizes can be compared.
 * @param x - `n x dx` rows.
 * @param y - `n x dy` rows, paired with `x` row by row.
 * @returns CKA in [0, 1].
 * @throws {ShapeMismatchError} when the row counts differ.
 * @throws {InvalidArgumentError} when fewer than 2 rows, non-finite values, or a constant representation.
 * @throws {InputTooLargeError} when both `n` and a feature count exceed 8192.
 * @example
 * ```ts
 * const cka = await linearCka(imageCodes, textCodes); // e.g. 0.42
 * ```
 */
export async function linearCka(x: MatrixLike, y: MatrixLike): Promise<number> {
  const [mx, my] = pairedInputs(x, y, 'linearCka');
  await initEngine();
  const n = mx.rows;
  let cross: number;
  let selfX: number;
  let selfY: number;
  // Pick the cheaper of the equivalent feature-space (d x d) and sample-space (n x n) forms.
  if (n < Math.max(mx.cols, my.cols) && n <= 8192) {
    const k = centredGram(mx);
    const l = centredGram(my);
    cross = 0;
    for (let i = 0; i < k.length; i++) cross += k[i] * l[i];
    selfX = frobeniusSquared(k);
    selfY = frobeniusSquared(l);
  } else {
    checkSquareDim(mx.cols, 'linearCka x');
    checkSquareDim(my.cols, 'linearCka y');
    const meanX = columnMeans(mx);
    const meanY = columnMeans(my);
    cross = frobeniusSquared(centredCrossProduct(mx, my, meanX, meanY));
    selfX = frobeniusSquared(centredCrossProduct(mx, mx, meanX, meanX));
    selfY = frobeniusSquared(centredCrossProduct(my, my, meanY, meanY));
  }
  if (!(selfX > 0) || !(selfY > 0)) {
    throw new InvalidArgumentError(`linearCka: ${selfX > 0 ? 'y' : 'x'} is constant across samples; CKA is undefined.`);
  }
  return Math.min(1, Math.max(0, cross / Math.sqrt(selfX * selfY)));
}

/** Options of {@link mutualKnnAlignment} and {@link crossModalNeighbours}. */
export interface NeighbourOptions {
  /** Distance used to find neighbours. @default 'cosine' */
  metric?: KnnMetric;
}

/**
 * Mutual k-nearest-neighbour alignment (Huh et al., 2024, "The Platonic Representation
 * Hypothesis"): for each sample, the share of its `k` nearest neighbours in `x` that are
 * also among its `k` nearest neighbours in `y`, averaged over samples (self excluded).
 * 1 means the same neighbourhoods; unrelated spaces score about `k / (n - 1)`.
 * Two exact kNN searches, O(n²·(dx + dy)): use a subset of a few thousand samples for speed.
 * @param x - `n x dx` rows.
 * @param y - `n x dy` rows, paired with `x`.
 * @param k - neighbours per sample, `1 <= k < n`.
 * @param options - the neighbour metric.
 * @returns the alignment in [0, 1].
 * @throws {ShapeMismatchError} when the row counts differ.
 * @throws {InvalidArgumentError} on a bad `k` or non-finite values.
 * @example
 * ```ts
 * const score = await mutualKnnAlignment(imageCodes, textCodes, 10); // chance ≈ 10 / (n - 1)
 * ```
 */
export async function mutualKnnAlignment(
  x: MatrixLike,
  y: MatrixLike,
  k = 10,
  options: NeighbourOptions = {},
): Promise<number> {
  const [mx, my] = pairedInputs(x, y, 'mutualKnnAlignment');
  const metric = options.metric ?? 'cosine';
  const nx = await knn(mx, mx, k, { metric, excludeSelf: true });
  const ny = await knn(my, my, k, { metric, excludeSelf: true });
  let total = 0;
  const seen = new Set<number>();
  for (let i = 0; i < mx.rows; i++) {
    seen.clear();
    for (const j of nx.indices[i]) seen.add(j);
    let shared = 0;
    for (const j of ny.indices[i]) if (seen.has(j)) shared++;
    total += shared / k;
  }
  return total / mx.rows;
}

/** Result of {@link compareCodes}. */
export interface CodeComparison {
  cka: number;
  mutualKnn: number;
  /** The k used (clamped to rows - 1). */
  k: number;
}

/**
 * Linear CKA and mutual-kNN alignment of two code matrices whose rows correspond (what
 * `latentkit compare` prints).
 * @param a `n x d1`.
 * @param b `n x d2`.
 * @param k neighbours; clamped to `n - 1`. @default 10
 * @returns both scores and the k used.
 * @throws {ShapeMismatchError} when the row counts differ or there are fewer than 2 rows.
 * @example
 * ```ts
 * const { cka, mutualKnn } = await compareCodes(imageCodes, wordCodes, 10);
 * ```
 */
export async function compareCodes(a: Matrix, b: Matrix, k = 10): Promise<CodeComparison> {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError(`The code files have ${a.rows} and ${b.rows} rows; compare needs the same inputs in the same order (row i = input i).`);
  }
  if (a.rows < 2) throw new ShapeMismatchError(`compare needs at least 2 rows, got ${a.rows}.`);
  const kk = Math.min(k, a.rows - 1);
  return { cka: await linearCka(a, b), mutualKnn: await mutualKnnAlignment(a, b, kk), k: kk };
}
