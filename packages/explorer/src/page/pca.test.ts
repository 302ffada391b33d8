import { describe, expect, it } from 'vitest';
import { createNormalRng, InvalidArgumentError, PCA } from '@latentkit/core';
import { fitPcaBasis, projectOnto } from './pca.js';

describe('page PCA', () => {
  it('finds the axis of a stretched cloud and agrees with core PCA', async () => {
    const rnd = createNormalRng(3);
    const n = 2000;
    const d = 6;
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const t = 5 * rnd();
      for (let j = 0; j < d; j++) data[i * d + j] = 1 + (j === 0 || j === 1 ? t / Math.SQRT2 : 0) + 0.1 * rnd();
    }
    const basis = fitPcaBasis(data, n, d);
    expect(basis.varianceRatio[0]).toBeGreaterThan(0.95);
    expect(Math.abs(basis.components[0])).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(basis.components[1])).toBeCloseTo(Math.SQRT1_2, 2);
    const ref = await PCA.fit({ data, rows: n, cols: d }, 2);
    expect(basis.variance[0]).toBeCloseTo(ref.explainedVariance[0], 2);
    expect(basis.variance[1]).toBeCloseTo(ref.explainedVariance[1], 3);
    // Projections agree with core's up to the sign of each axis.
    const mine = projectOnto(data, basis, 2);
    const theirs = ref.transform({ data, rows: n, cols: d });
    for (const c of [0, 1]) {
      const sign = Math.sign(mine[c] * theirs.data[c]) || 1;
      for (let i = 0; i < n; i += 97) expect(mine[i * 2 + c]).toBeCloseTo(sign * theirs.data[i * 2 + c], 2);
    }
  });

  it('keeps distances when projecting onto every component', () => {
    const rnd = createNormalRng(5);
    const d = 4;
    const data = Float32Array.from({ length: 40 * d }, () => rnd());
    const basis = fitPcaBasis(data, 40, d);
    const full = projectOnto(data, basis, d);
    const dist = (x: ArrayLike<number>, a: number, b: number) => Math.hypot(...Array.from({ length: d }, (_, j) => x[a * d + j] - x[b * d + j]));
    expect(dist(full, 3, 11)).toBeCloseTo(dist(data, 3, 11), 4);
  });

  it('refuses one row, NaN and a bad component count', () => {
    expect(() => fitPcaBasis(new Float32Array(3), 1, 3)).toThrow(InvalidArgumentError);
    expect(() => fitPcaBasis(Float32Array.from([1, NaN, 2, 3]), 2, 2)).toThrow(InvalidArgumentError);
    const basis = fitPcaBasis(Float32Array.from([1, 2, 3, 5]), 2, 2);
    expect(() => projectOnto(Float32Array.from([1, 2]), basis, 3)).toThrow(InvalidArgumentError);
  });
});
