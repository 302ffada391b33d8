/**
 * @file Retrieval across two latent spaces of the same dimension (for example text codes
 * mapped into image space): nearest reference rows, and recall of each query's own partner.
 */
import { InvalidArgumentError } from '../errors/errors.js';
import type { MatrixLike } from '../math/matrix.js';
import { knn, type KnnResult } from '../math/similarity.js';
import type { NeighbourOptions } from './alignment.js';
import { pairedInputs } from './shared.js';

/**
 * Nearest reference rows for each query row across two spaces of the same dimension (for
 * example text codes mapped into image space with a {@link RidgeMap}).
 * @param query - `n x d` rows.
 * @param reference - `m x d` rows.
 * @param k - neighbours per query.
 * @param options - the metric.
 * @returns neighbours nearest first, as {@link knn} returns them.
 * @throws {ShapeMismatchError} when the dimensions differ.
 * @example
 * ```ts
 * const { indices } = await crossModalNeighbours(map.apply(textCodes), imageCodes, 5);
 * ```
 */
export function crossModalNeighbours(
  query: MatrixLike,
  reference: MatrixLike,
  k: number,
  options: NeighbourOptions = {},
): Promise<KnnResult> {
  return knn(query, reference, k, { metric: options.metric ?? 'cosine' });
}

/**
 * Retrieval recall for paired rows: the share of queries whose own partner (reference row
 * `i` for query `i`) is among their `k` nearest reference rows, for each `k` asked.
 * @param query - `n x d` rows.
 * @param reference - `n x d` rows, paired with `query`.
 * @param ks - cut-offs. @default [1, 5, 10]
 * @param options - the metric.
 * @returns recall per cut-off, e.g. `{ 1: 0.31, 5: 0.62, 10: 0.75 }`; chance is `k / n`.
 * @throws {ShapeMismatchError} when the rows are not paired.
 * @throws {InvalidArgumentError} when a cut-off is not in `[1, n]`.
 * @example
 * ```ts
 * const recall = await pairedRetrievalRecall(map.apply(textCodes), imageCodes); // recall[5]
 * ```
 */
export async function pairedRetrievalRecall(
  query: MatrixLike,
  reference: MatrixLike,
  ks: readonly number[] = [1, 5, 10],
  options: NeighbourOptions = {},
): Promise<Record<number, number>> {
  const [q, r] = pairedInputs(query, reference, 'pairedRetrievalRecall', 1);
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > r.rows) {
      throw new InvalidArgumentError(`Recall cut-off ${k} must be an integer in [1, ${r.rows}].`);
    }
  }
  const kMax = Math.max(...ks);
  const res = await knn(q, r, kMax, { metric: options.metric ?? 'cosine' });
  const out: Record<number, number> = {};
  for (const k of ks) {
    let hits = 0;
    for (let i = 0; i < q.rows; i++) if (res.indices[i].subarray(0, k).includes(i)) hits++;
    out[k] = hits / q.rows;
  }
  return out;
}
