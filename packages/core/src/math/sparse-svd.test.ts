import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError } from '../errors/errors.js';
import { symmetricEigen } from './linalg.js';
import { createNormalRng, createRng } from './random.js';
import { csrFromRows, csrMultiply, csrTransposeMultiply, truncatedSvd, type CsrMatrix } from './sparse-svd.js';

/** A sparse m x n matrix with a few strong latent directions (like topics) plus sparse noise. */
function topicMatrix(m: number, n: number, topics: number, seed: number): CsrMatrix {
  const u = createRng(seed);
  const g = createNormalRng(seed + 1);
  const words = Array.from({ length: topics }, () => Array.from({ length: 12 }, () => Math.floor(u() * n)));
  const rows = Array.from({ length: m }, (_, i) => {
    const r = new Map<number, number>();
    const t = i % topics;
    for (const w of words[t]) if (u() < 0.6) r.set(w, (r.get(w) ?? 0) + (1 + t) * (1 + 0.1 * g()));
    for (let e = 0; e < 3; e++) r.set(Math.floor(u() * n), 0.3 * g());
    return r;
  });
  return csrFromRows(rows, n);
}

function dense(a: CsrMatrix): Float64Array {
  const d = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let t = a.rowStart[i]; t < a.rowStart[i + 1]; t++) d[i * a.cols + a.colIndex[t]] += a.values[t];
  return d;
}

/** Exact singular values from the eigenvalues of AᵀA (float64). */
function exactSingularValues(a: CsrMatrix): number[] {
  const d = dense(a);
  const n = a.cols;
  const g = new Float64Array(n * n);
  for (let i = 0; i < a.rows; i++) for (let p = 0; p < n; p++) { const x = d[i * n + p]; if (x) for (let q = 0; q < n; q++) g[p * n + q] += x * d[i * n + q]; }
  return Array.from(symmetricEigen(g, n).values, (v) => Math.sqrt(Math.max(v, 0)));
}

describe('sparse matrices', () => {
  it('multiply like their dense form', () => {
    const a = csrFromRows([new Map([[0, 1], [2, 2]]), new Map(), new Map([[1, -3]])], 3);
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 x 2
    expect(Array.from(csrMultiply(a, x, 2))).toEqual([1 + 10, 2 + 12, 0, 0, -9, -12]);
    const y = Float32Array.from([1, 1, 0, 0, 2, 3]); // 3 x 2
    expect(Array.from(csrTransposeMultiply(a, y, 2))).toEqual([1, 1, -6, -9, 2, 2]);
  });

  it('refuse columns out of range and non-finite values', () => {
    expect(() => csrFromRows([new Map([[3, 1]])], 3)).toThrow(/column 3, outside \[0, 3\)/);
    expect(() => csrFromRows([new Map([[0, Number.NaN]])], 3)).toThrow(InvalidArgumentError);
  });
});

describe('truncatedSvd', () => {
  beforeAll(async () => {
    await initEngine();
  });

  it('finds the top singular values of a sparse matrix to float32 precision', () => {
    const a = topicMatrix(400, 120, 6, 3);
    const exact = exactSingularValues(a);
    const { values, right, k } = truncatedSvd(a, 10, { seed: 5 });
    expect(k).toBe(10);
    // The 6 topic directions stand well apart; the noise directions after them have small gaps,
    // which limit what any subspace iteration resolves in a few steps.
    for (let i = 0; i < 10; i++) expect(Math.abs(values[i] - exact[i]) / exact[0]).toBeLessThan(i < 6 ? 1e-5 : 2e-3);
    // Right singular vectors: orthonormal, and ||A v_i|| = σ_i.
    for (const [i, j] of [[0, 0], [0, 9], [3, 7], [9, 9]]) {
      let dot = 0;
      for (let r = 0; r < a.cols; r++) dot += right[r * k + i] * right[r * k + j];
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 4);
    }
    const v0 = Float32Array.from({ length: a.cols }, (_, r) => right[r * k]);
    const av = csrMultiply(a, v0, 1);
    expect(Math.hypot(...av)).toBeCloseTo(values[0], 2);
  });

  it('returns left vectors with A v = σ u, and is deterministic for a seed', () => {
    const a = topicMatrix(200, 80, 4, 9);
    const r1 = truncatedSvd(a, 4, { left: true, seed: 2 });
    const r2 = truncatedSvd(a, 4, { left: true, seed: 2 });
    expect(Array.from(r1.right)).toEqual(Array.from(r2.right));
    const v = Float32Array.from({ length: a.cols }, (_, r) => r1.right[r * 4 + 1]);
    const av = csrMultiply(a, v, 1);
    for (let i = 0; i < a.rows; i += 17) expect(av[i]).toBeCloseTo(r1.values[1] * r1.left![i * 4 + 1], 3);
  });

  it('stops at the rank of a low-rank matrix and refuses a bad k', () => {
    const rows = Array.from({ length: 30 }, (_, i) => new Map([[i % 3, 1 + (i % 3)]]));
    const a = csrFromRows(rows, 20);
    const r = truncatedSvd(a, 8);
    expect(r.k).toBe(3);
    expect(() => truncatedSvd(a, 0)).toThrow(InvalidArgumentError);
    expect(() => truncatedSvd(a, 21)).toThrow(/k must be an integer in \[1, 20\]/);
  });
});
