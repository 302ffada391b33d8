/**
 * @file A dense row-major float matrix: the plain shape that latent math works on, so PCA,
 * probes and CKA do not depend on tfjs or on where the rows came from.
 */
import { ShapeMismatchError } from '../errors/errors.js';
import { shapeSize, type Latent, type LatentBatch } from '../latent/latent.js';

/** `rows x cols`, row-major. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Anything latent math accepts as "n samples of d features". */
export type MatrixLike = Matrix | LatentBatch | readonly Latent[] | readonly (Float32Array | number[])[];

/**
 * Normalises the inputs latent math accepts into a {@link Matrix} (no copy for a Matrix or a batch).
 * Multi-axis latents are flattened per sample.
 * @throws {ShapeMismatchError} when rows differ in length.
 */
export function toMatrix(x: MatrixLike): Matrix {
  if (!Array.isArray(x)) {
    const m = x as Matrix | LatentBatch;
    if ('rows' in m) return m;
    const [n, ...rest] = m.shape;
    return { data: m.data, rows: n, cols: shapeSize(rest) };
  }
  const rows = x as readonly (Latent | Float32Array | number[])[];
  if (rows.length === 0) return { data: new Float32Array(0), rows: 0, cols: 0 };
  const vec = (r: Latent | Float32Array | number[]) => ('data' in r && !(r instanceof Float32Array) ? (r as Latent).data : (r as ArrayLike<number>));
  const cols = vec(rows[0]).length;
  const data = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    const v = vec(r);
    if (v.length !== cols) {
      throw new ShapeMismatchError(`Row ${i} has ${v.length} values, expected ${cols} like row 0.`);
    }
    data.set(v, i * cols);
  });
  return { data, rows: rows.length, cols };
}

/** Row `i` as a view (no copy). */
export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
