import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError } from '../errors/errors.js';
import {
  centredCrossProduct,
  columnMeans,
  gemm,
  orthonormalizeRows,
  residualOf,
  solveSpd,
  symmetricEigen,
  topEigen,
} from './linalg.js';
import { createNormalRng } from './random.js';

/** C = Qᵀ diag(values) Q for a random orthogonal Q (rows), so the eigenpairs are known. */
function withSpectrum(values: number[], seed: number): { c: Float64Array; q: Float64Array } {
  const d = values.length;
  const rng = createNormalRng(seed);
  const q = Float64Array.from({ length: d * d }, () => rng());
  orthonormalizeRows(q, d, d);
  const c = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    for (let i = 0; i < d; i++) {
      const a = values[k] * q[k * d + i];
      for (let j = 0; j < d; j++) c[i * d + j] += a * q[k * d + j];
    }
  }
  return { c, q };
}

beforeAll(async () => {
  await initEngine();
});

describe('symmetricEigen', () => {
  it('solves a 2x2 by hand and a random matrix to machine precision', () => {
    const small = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(Array.from(small.values)).toEqual([3, 1].map((v) => expect.closeTo(v, 12)));
    const values = Array.from({ length: 40 }, (_, i) => 10 / (i + 1) - 0.5);
    const { c } = withSpectrum(values, 1);
    const eig = symmetricEigen(c, 40);
    values.sort((a, b) => b - a).forEach((v, i) => expect(eig.values[i]).toBeCloseTo(v, 10));
    expect(residualOf(c, 40, eig.values, eig.vectors)).toBeLessThan(1e-12);
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 40; j++) {
        let dot = 0;
        for (let t = 0; t < 40; t++) dot += eig.vectors[i * 40 + t] * eig.vectors[j * 40 + t];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });

  it('handles repeated eigenvalues and an all-zero matrix', () => {
    const { c } = withSpectrum([5, 5, 5, 1, 0], 2);
    const eig = symmetricEigen(c, 5);
    expect(Array.from(eig.values).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([5, 5, 5, 1, 0]);
    expect(Array.from(symmetricEigen(new Float64Array(9), 3).values)).toEqual([0, 0, 0]);
  });
});

describe('topEigen', () => {
  it('finds the top of a decaying spectrum by subspace iteration', () => {
    const values = Array.from({ length: 150 }, (_, i) => 100 * 0.9 ** i);
    const { c, q } = withSpectrum(values, 3);
    const top = topEigen(c, 150, 8, { method: 'subspace' });
    expect(top.method).toBe('subspace');
    expect(top.residual).toBeLessThan(1e-6);
    for (let i = 0; i < 8; i++) {
      expect(top.values[i]).toBeCloseTo(values[i], 4);
      let dot = 0;
      for (let t = 0; t < 150; t++) dot += top.vectors[i * 150 + t] * q[i * 150 + t];
      expect(Math.abs(dot)).toBeCloseTo(1, 5);
    }
  });

  it('falls back to the dense solver on a flat spectrum, still exact', () => {
    const values = Array.from({ length: 120 }, (_, i) => 1 + 1e-4 * Math.sin(i));
    const { c } = withSpectrum(values, 4);
    const top = topEigen(c, 120, 5, { method: 'subspace', maxIterations: 40 });
    expect(top.method).toBe('full');
    expect(top.residual).toBeLessThan(1e-10);
  });
});

describe('products', () => {
  it('gemm gives the same result on tfjs and in JS', () => {
    const rng = createNormalRng(5);
    const a = Float32Array.from({ length: 7 * 5 }, () => rng());
    const b = Float32Array.from({ length: 5 * 3 }, () => rng());
    const viaTf = gemm(a, 7, 5, b, 3, true);
    const viaJs = gemm(a, 7, 5, b, 3, false);
    viaJs.forEach((v, i) => expect(viaTf[i]).toBeCloseTo(v, 5));
    expect(viaJs[0]).toBeCloseTo(a[0] * b[0] + a[1] * b[3] + a[2] * b[6] + a[3] * b[9] + a[4] * b[12], 5);
  });

  it('centredCrossProduct matches a float64 reference, in blocks and without leaking tensors', () => {
    const rng = createNormalRng(6);
    const n = 300;
    const x = { data: Float32Array.from({ length: n * 400 }, () => rng() + 50), rows: n, cols: 400 };
    const y = { data: Float32Array.from({ length: n * 3 }, () => rng()), rows: n, cols: 3 };
    const before = tf.memory().numTensors;
    const mx = columnMeans(x);
    const my = columnMeans(y);
    const sxx = centredCrossProduct(x, x, mx, mx);
    const sxy = centredCrossProduct(x, y, mx, my);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, j] of [[0, 0], [0, 399], [399, 0], [123, 321], [200, 201], [399, 399]]) {
      let s = 0;
      for (let r = 0; r < n; r++) s += (x.data[r * 400 + i] - mx[i]) * (x.data[r * 400 + j] - mx[j]);
      expect(sxx[i * 400 + j]).toBeCloseTo(s, 2);
      expect(sxx[i * 400 + j]).toBe(sxx[j * 400 + i]);
    }
    for (const [i, j] of [[0, 0], [399, 2]]) {
      let s = 0;
      for (let r = 0; r < n; r++) s += (x.data[r * 400 + i] - mx[i]) * (y.data[r * 3 + j] - my[j]);
      expect(sxy[i * 3 + j]).toBeCloseTo(s, 2);
    }
  });

  it('solveSpd solves a system and refuses an indefinite one', () => {
    const a = new Float64Array([4, 1, 1, 3]);
    const x = solveSpd(a, 2, new Float64Array([1, 2]), 1);
    expect(4 * x[0] + x[1]).toBeCloseTo(1, 12);
    expect(x[0] + 3 * x[1]).toBeCloseTo(2, 12);
    expect(() => solveSpd(new Float64Array([1, 2, 2, 1]), 2, new Float64Array([1, 1]), 1)).toThrow(InvalidArgumentError);
  });
});
