import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/engine.js';
import { InputTooLargeError, InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import type { Matrix } from './matrix.js';
import { createNormalRng } from './random.js';
import { cosineSimilarityMatrix, euclideanDistanceMatrix, knn } from './similarity.js';

function randomMatrix(n: number, d: number, seed: number, offset = 0): Matrix {
  const rng = createNormalRng(seed);
  return { data: Float32Array.from({ length: n * d }, () => rng() + offset), rows: n, cols: d };
}

function bruteDistance(a: Matrix, i: number, b: Matrix, j: number, metric: 'cosine' | 'euclidean'): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let t = 0; t < a.cols; t++) {
    const x = a.data[i * a.cols + t];
    const y = b.data[j * b.cols + t];
    dot += x * y;
    na += x * x;
    nb += y * y;
    sq += (x - y) ** 2;
  }
  return metric === 'cosine' ? 1 - dot / Math.sqrt(na * nb) : Math.sqrt(sq);
}

beforeAll(async () => {
  await initEngine();
});

describe('cosineSimilarityMatrix / euclideanDistanceMatrix', () => {
  it('computes the documented examples', async () => {
    const s = await cosineSimilarityMatrix([[1, 0], [0, 1]], [[1, 1]]);
    expect(s.rows).toBe(2);
    expect(s.cols).toBe(1);
    expect(s.data[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(s.data[1]).toBeCloseTo(Math.SQRT1_2, 6);
    const d = await euclideanDistanceMatrix([[0, 0], [3, 4]]);
    expect(Array.from(d.data)).toEqual([0, 5, 5, 0]);
  });

  it('matches brute force on random data, including a large offset', async () => {
    const a = randomMatrix(37, 9, 1, 100);
    const b = randomMatrix(23, 9, 2, 100);
    const cos = await cosineSimilarityMatrix(a, b);
    const euc = await euclideanDistanceMatrix(a, b);
    for (let i = 0; i < 37; i++) {
      for (let j = 0; j < 23; j++) {
        expect(cos.data[i * 23 + j]).toBeCloseTo(1 - bruteDistance(a, i, b, j, 'cosine'), 5);
        // Centring on b's mean keeps distances of ~4 accurate despite norms of ~300.
        expect(Math.abs(euc.data[i * 23 + j] - bruteDistance(a, i, b, j, 'euclidean'))).toBeLessThan(1e-3);
      }
    }
    const self = await cosineSimilarityMatrix(a);
    for (let i = 0; i < 37; i++) expect(self.data[i * 37 + i]).toBeCloseTo(1, 6);
  });

  it('gives zero rows a cosine of 0 and rejects bad shapes', async () => {
    const s = await cosineSimilarityMatrix([[0, 0], [1, 0]]);
    expect(Array.from(s.data)).toEqual([0, 0, 0, 1]);
    await expect(cosineSimilarityMatrix([[1, 2]], [[1, 2, 3]])).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(euclideanDistanceMatrix([[1, NaN]])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(cosineSimilarityMatrix([])).rejects.toBeInstanceOf(InvalidArgumentError);
    const big = { data: new Float32Array(9000), rows: 9000, cols: 1 };
    await expect(cosineSimilarityMatrix(big)).rejects.toBeInstanceOf(InputTooLargeError);
  });
});

describe('knn', () => {
  for (const metric of ['cosine', 'euclidean'] as const) {
    it(`agrees with a brute-force ${metric} search`, async () => {
      const ref = randomMatrix(300, 12, 3, 2);
      const query = randomMatrix(40, 12, 4, 2);
      const k = 7;
      const res = await knn(query, ref, k, { metric });
      expect(res.indices).toHaveLength(40);
      for (let i = 0; i < 40; i++) {
        const all = Array.from({ length: 300 }, (_, j) => ({ j, d: bruteDistance(query, i, ref, j, metric) }));
        all.sort((x, y) => x.d - y.d);
        expect(Array.from(res.indices[i])).toEqual(all.slice(0, k).map((e) => e.j));
        for (let t = 0; t < k; t++) expect(res.distances[i][t]).toBeCloseTo(all[t].d, 5);
      }
    });
  }

  it('excludes self matches and finds planted duplicates', async () => {
    const x = randomMatrix(200, 6, 5);
    // Row 2j+1 is a near copy of row 2j, so each even row's nearest other row is its twin.
    for (let j = 0; j < 100; j++) {
      for (let t = 0; t < 6; t++) x.data[(2 * j + 1) * 6 + t] = x.data[2 * j * 6 + t] + 1e-3 * ((t % 2) - 0.5);
    }
    const withSelf = await knn(x, x, 1, { metric: 'euclidean' });
    const withoutSelf = await knn(x, x, 1, { metric: 'euclidean', excludeSelf: true });
    for (let j = 0; j < 100; j++) {
      expect(withSelf.indices[2 * j][0]).toBe(2 * j);
      expect(withSelf.distances[2 * j][0]).toBe(0);
      expect(withoutSelf.indices[2 * j][0]).toBe(2 * j + 1);
      expect(withoutSelf.indices[2 * j + 1][0]).toBe(2 * j);
      expect(withoutSelf.distances[2 * j][0]).toBeCloseTo(Math.sqrt(6) * 5e-4, 6);
    }
  });

  it('streams blocks: tiny score blocks give the same neighbours as one block', async () => {
    const x = randomMatrix(1500, 16, 6);
    const res = await knn(x, x, 10, { excludeSelf: true, blockElements: 2000 });
    const oneBlock = await knn(x, x, 10, { excludeSelf: true });
    expect(res.indices.map((r) => Array.from(r))).toEqual(oneBlock.indices.map((r) => Array.from(r)));
    for (const i of [0, 777, 1499]) {
      const all = Array.from({ length: 1500 }, (_, j) => ({ j, d: bruteDistance(x, i, x, j, 'cosine') }))
        .filter((e) => e.j !== i)
        .sort((p, q) => p.d - q.d);
      expect(Array.from(res.indices[i])).toEqual(all.slice(0, 10).map((e) => e.j));
    }
  });

  it('rejects bad arguments', async () => {
    const x = randomMatrix(5, 3, 7);
    await expect(knn(x, x, 5, { excludeSelf: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(knn(x, x, 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(knn(x, randomMatrix(4, 3, 8), 2, { excludeSelf: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(knn(x, randomMatrix(5, 2, 8), 2)).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(knn(x, x, 2, { metric: 'manhattan' as 'cosine' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
