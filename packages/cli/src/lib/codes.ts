/**
 * @file Code files: `[n, d]` float32 `.npy` read as a matrix, within a size limit.
 */
import { npyToMatrix, readNpy, type Matrix } from '@latentkit/core';

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
