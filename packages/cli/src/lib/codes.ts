/**
 * @file Code files and their comparison: `[n, d]` float32 `.npy` in and out, and linear CKA /
 * mutual-kNN between two code matrices, all through core's npy reader/writer and latent math.
 */
import { encodeNpy, linearCka, mutualKnnAlignment, npyToMatrix, readNpy, ShapeMismatchError, type Matrix } from '@latentkit/core';

/** Largest `.npy` the CLI reads (bytes). */
export const MAX_NPY_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Reads a `.npy` of codes as an `n x d` matrix (a 1-D array is one column; more axes are
 * flattened per row).
 * @param file the `.npy` file.
 * @returns the matrix.
 * @throws {DecodeError} for a file that is missing or not a valid `.npy`.
 * @throws {InputTooLargeError} for a file over 2 GiB.
 */
export async function readCodes(file: string): Promise<Matrix> {
  return npyToMatrix(await readNpy(file, { maxBytes: MAX_NPY_BYTES }));
}

/**
 * Encodes an `n x d` matrix as a float32 `.npy`.
 * @param m the matrix.
 * @returns the file bytes.
 */
export function codesToNpy(m: Matrix): Uint8Array {
  return encodeNpy(m);
}

/** Result of {@link compareCodes}. */
export interface CodeComparison {
  cka: number;
  mutualKnn: number;
  /** The k used (clamped to rows - 1). */
  k: number;
}

/**
 * Linear CKA and mutual-kNN alignment of two code matrices whose rows correspond.
 * @param a `n x d1`.
 * @param b `n x d2`.
 * @param k neighbours; clamped to `n - 1`.
 * @returns both scores and the k used.
 * @throws {ShapeMismatchError} when the row counts differ or there are fewer than 2 rows.
 */
export async function compareCodes(a: Matrix, b: Matrix, k = 10): Promise<CodeComparison> {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError(`The code files have ${a.rows} and ${b.rows} rows; compare needs the same inputs in the same order (row i = input i).`);
  }
  if (a.rows < 2) throw new ShapeMismatchError(`compare needs at least 2 rows, got ${a.rows}.`);
  const kk = Math.min(k, a.rows - 1);
  return { cka: await linearCka(a, b), mutualKnn: await mutualKnnAlignment(a, b, kk), k: kk };
}
