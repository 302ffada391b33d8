import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import type { Matrix } from './matrix.js';
import { PCA } from './pca.js';
import { createNormalRng } from './random.js';

/** n rows in d dims lying near a rank-r subspace, with per-direction scales. */
function lowRank(n: number, d: number, scales: number[], noise: number, seed: number): Matrix {
  const rng = createNormalRng(seed);
  const r = scales.length;
  const basis = Array.from({ length: r }, () => Array.from({ length: d }, () => rng()));
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = scales.map((s) => s * rng());
    for (let j = 0; j < d; j++) {
      let v = 5 + noise * rng(); // an offset, so centring matters
      for (let t = 0; t < r; t++) v += z[t] * basis[t][j];
      data[i * d + j] = v;
    }
  }
  return { data, rows: n, cols: d };
}

/** Brute-force reference: float64 covariance and cyclic Jacobi eigenvalues (slow, exact). */
function referenceEigenvalues(x: Matrix): number[] {
  const { rows: n, cols: d, data } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  const a = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const u = data[i * d + j] - mean[j];
      for (let k = 0; k < d; k++) a[j][k] += (u * (data[i * d + k] - mean[k])) / (n - 1);
    }
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((r, i) => r[i]).sort((u, v) => v - u);
}

function gramOfRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    out.push([]);
    for (let j = 0; j < m.rows; j++) {
      let s = 0;
      for (let t = 0; t < m.cols; t++) s += m.data[i * m.cols + t] * m.data[j * m.cols + t];
      out[i].push(s);
    }
  }
  return out;
}

beforeAll(async () => {
  await initEngine();
});

describe('PCA', () => {
  const x = lowRank(400, 50, [10, 6, 3], 0.05, 1);
  const reference = referenceEigenvalues(x);

  it('explains > 99% of rank-3 data with 3 components, matching a brute-force reference', async () => {
    for (const solver of ['subspace', 'full'] as const) {
      const pca = await PCA.fit(x, 3, { solver });
      const explained = pca.explainedVarianceRatio.reduce((a, b) => a + b, 0);
      expect(explained).toBeGreaterThan(0.99);
      expect(explained).toBeLessThan(1);
      for (let i = 0; i < 3; i++) {
        expect(Math.abs(pca.explainedVariance[i] - reference[i]) / reference[0]).toBeLessThan(1e-5);
      }
      const total = reference.reduce((a, b) => a + b, 0);
      expect(Math.abs(pca.totalVariance - total) / total).toBeLessThan(1e-5);
      expect(pca.fitInfo?.solver).toBe(solver);
      expect(pca.fitInfo!.residual).toBeLessThan(1e-6);
    }
  });

  it('returns orthonormal components sorted by variance, agreeing between solvers', async () => {
    const a = await PCA.fit(x, 8, { solver: 'subspace' });
    const b = await PCA.fit(x, 8, { solver: 'full' });
    const g = gramOfRows(a.components);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(g[i][j]).toBeCloseTo(i === j ? 1 : 0, 5);
    for (let i = 1; i < 8; i++) expect(a.explainedVariance[i]).toBeLessThanOrEqual(a.explainedVariance[i - 1]);
    // Well-separated leading components agree up to the fixed sign convention.
    for (let c = 0; c < 3; c++) {
      let dot = 0;
      for (let j = 0; j < 50; j++) dot += a.components.data[c * 50 + j] * b.components.data[c * 50 + j];
      expect(dot).toBeCloseTo(1, 5);
    }
  });

  it('runs the subspace iteration at d = 200 and matches the dense solver', async () => {
    const y = lowRank(600, 200, [9, 7, 5, 4, 3, 2, 1.5, 1], 0.3, 2);
    const sub = await PCA.fit(y, 6, { solver: 'auto' });
    const full = await PCA.fit(y, 6, { solver: 'full' });
    expect(sub.fitInfo!.solver).toBe('subspace');
    expect(sub.fitInfo!.iterations).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) {
      expect(Math.abs(sub.explainedVariance[i] - full.explainedVariance[i]) / full.explainedVariance[0]).toBeLessThan(1e-6);
    }
  });

  it('is exact at full rank: inverseTransform(transform(x)) == x', async () => {
    const rng = createNormalRng(5);
    const data = Float32Array.from({ length: 300 * 20 }, (_, i) => rng() * (1 + (i % 20)) + 3);
    const m = { data, rows: 300, cols: 20 };
    const pca = await PCA.fit(m, 20);
    const back = pca.inverseTransform(pca.transform(m));
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(back.data[i] - data[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(pca.explainedVarianceRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('transforms to centred codes whose variances are the eigenvalues', async () => {
    const pca = await PCA.fit(x, 3);
    const codes = pca.transform(x);
    expect(codes.rows).toBe(400);
    expect(codes.cols).toBe(3);
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < 400; i++) {
        s += codes.data[i * 3 + c];
        s2 += codes.data[i * 3 + c] ** 2;
      }
      expect(Math.abs(s / 400)).toBeLessThan(1e-3);
      expect(s2 / 399 / pca.explainedVariance[c]).toBeCloseTo(1, 4);
    }
  });

  it('round-trips through JSON', async () => {
    const pca = await PCA.fit(x, 3);
    const again = PCA.fromJSON(JSON.parse(JSON.stringify(pca)));
    expect(again.nComponents).toBe(3);
    expect(again.nFeatures).toBe(50);
    expect(Array.from(again.explainedVarianceRatio)).toEqual(Array.from(pca.explainedVarianceRatio));
    expect(Array.from(again.transform(x).data)).toEqual(Array.from(pca.transform(x).data));
  });

  it('rejects bad input with typed errors', async () => {
    await expect(PCA.fit(x, 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(PCA.fit(x, 51)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(PCA.fit([[1, 2]], 1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(PCA.fit([[1, 2], [3, NaN]], 1)).rejects.toBeInstanceOf(InvalidArgumentError);
    const pca = await PCA.fit(x, 2);
    expect(() => pca.transform([[1, 2, 3]])).toThrow(ShapeMismatchError);
    expect(() => pca.inverseTransform([[1, 2, 3]])).toThrow(ShapeMismatchError);
    const json = pca.toJSON();
    expect(() => PCA.fromJSON({ ...json, mean: [1, 2] }, 'pca.json')).toThrow(ModelFormatError);
    expect(() => PCA.fromJSON({ ...json, kind: 'other' })).toThrow(ModelFormatError);
    expect(() => PCA.fromJSON(null)).toThrow(ModelFormatError);
    const err = (() => {
      try {
        PCA.fromJSON({ ...json, components: [[1]] }, 'pca.json');
      } catch (e) {
        return e as ModelFormatError;
      }
    })();
    expect(err?.file).toBe('pca.json');
    expect(err?.code).toBe('LK_MODEL_FORMAT');
  });
});
