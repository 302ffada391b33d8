/**
 * @file Helpers the cross-modal measures and maps share: paired-row checks, an affine map
 * over plain arrays, and strict readers for the maps' JSON forms.
 */
import { ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import { checkMatrix, chunkRows, gemm } from '../math/linalg.js';
import { toMatrix, type Matrix, type MatrixLike } from '../math/matrix.js';

/** Both inputs as matrices with the same number of rows (at least `minRows`). */
export function pairedInputs(x: MatrixLike, y: MatrixLike, what: string, minRows = 2): [Matrix, Matrix] {
  const mx = toMatrix(x);
  const my = toMatrix(y);
  checkMatrix(mx, `${what} x`, minRows);
  checkMatrix(my, `${what} y`, minRows);
  if (mx.rows !== my.rows) {
    throw new ShapeMismatchError(`${what} needs paired rows: x has ${mx.rows} rows but y has ${my.rows}.`);
  }
  return [mx, my];
}

/** `x · w + bias`, row by row, in chunks that keep the temporary small. */
export function applyAffine(x: MatrixLike, w: Matrix, bias: Float32Array, what: string): Matrix {
  const m = toMatrix(x);
  const din = w.rows;
  const dout = w.cols;
  if (m.rows === 0) return { data: new Float32Array(0), rows: 0, cols: dout };
  if (m.cols !== din) throw new ShapeMismatchError(`${what} maps ${din} features; the input has ${m.cols}.`);
  const out = new Float32Array(m.rows * dout);
  const step = chunkRows(Math.max(din, dout), m.rows);
  for (let r0 = 0; r0 < m.rows; r0 += step) {
    const c = Math.min(step, m.rows - r0);
    const z = gemm(m.data.subarray(r0 * din, (r0 + c) * din), c, din, w.data, dout);
    for (let i = 0; i < c; i++) for (let j = 0; j < dout; j++) z[i * dout + j] += bias[j];
    out.set(z, r0 * dout);
  }
  return { data: out, rows: m.rows, cols: dout };
}

export function jsonFail(what: string, file: string | undefined): (msg: string) => never {
  return (msg: string): never => {
    throw new ModelFormatError(`${what} JSON${file ? ` in ${file}` : ''}: ${msg}`, file ? { file } : {});
  };
}

export function jsonMatrix(v: unknown, rows: number, cols: number, name: string, fail: (m: string) => never): Float32Array {
  if (!Array.isArray(v) || v.length !== rows) fail(`field '${name}' should hold ${rows} rows.`);
  const out = new Float32Array(rows * cols);
  (v as unknown[]).forEach((r, i) => out.set(jsonVector(r, cols, `${name}[${i}]`, fail), i * cols));
  return out;
}

export function jsonVector(v: unknown, len: number, name: string, fail: (m: string) => never): Float32Array {
  if (!Array.isArray(v) || v.length !== len || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    fail(`field '${name}' should be an array of ${len} finite numbers.`);
  }
  return Float32Array.from(v as number[]);
}

export function jsonInt(v: unknown, name: string, min: number, fail: (m: string) => never): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(`field '${name}' should be an integer >= ${min}, found ${JSON.stringify(v)}.`);
  return v as number;
}

/** A matrix as nested arrays (the maps' JSON form). */
export function matrixRows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}
