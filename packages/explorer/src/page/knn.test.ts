import { describe, expect, it } from 'vitest';
import { createNormalRng, InvalidArgumentError } from '@latentkit/core';
import { NeighbourIndex } from './knn.js';
import { fitPcaBasis } from './pca.js';

/** Codes with a falling spectrum, like an autoencoder's: coordinate j has scale 1/(1+j). */
function codes(n: number, d: number, seed: number): Float32Array {
  const rnd = createNormalRng(seed);
  return Float32Array.from({ length: n * d }, (_, i) => rnd() / (1 + (i % d)) + 0.5);
}

function bruteForce(data: Float32Array, d: number, q: ArrayLike<number>, k: number, exclude: number) {
  const n = data.length / d;
  const all: { i: number; dist: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i === exclude) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += (data[i * d + j] - q[j]) ** 2;
    all.push({ i, dist: Math.sqrt(s) });
  }
  all.sort((a, b) => a.dist - b.dist || a.i - b.i);
  return all.slice(0, k);
}

describe('NeighbourIndex', () => {
  const n = 3000;
  const d = 32;
  const data = codes(n, d, 7);
  const basis = fitPcaBasis(data, n, d);

  it('returns exactly the brute-force neighbours, raw and in the PCA basis', () => {
    const raw = NeighbourIndex.raw(data, d);
    const rotated = NeighbourIndex.inBasis(data, basis);
    for (const row of [0, 17, 1234, n - 1]) {
      const q = data.subarray(row * d, (row + 1) * d);
      const want = bruteForce(data, d, q, 10, row);
      for (const index of [raw, rotated]) {
        const got = index.query(q, 10, row);
        expect(Array.from(got.indices)).toEqual(want.map((w) => w.i));
        got.distances.forEach((v, p) => expect(v).toBeCloseTo(want[p].dist, 4));
      }
    }
  });

  it('stays exact on clustered rows with exact duplicates (ties go to the lower row)', () => {
    // 40 distinct rows repeated: every query has many neighbours at distance 0.
    const m = 2000;
    const base = codes(40, d, 11);
    const dup = Float32Array.from({ length: m * d }, (_, i) => base[(Math.floor(i / d) % 40) * d + (i % d)] * (1 + Math.floor(i / d / 400)));
    const index = NeighbourIndex.inBasis(dup, fitPcaBasis(dup, m, d));
    for (const row of [0, 5, 399, 777, 1999]) {
      const q = dup.subarray(row * d, (row + 1) * d);
      const want = bruteForce(dup, d, q, 12, row);
      const got = index.query(q, 12, row);
      expect(Array.from(got.indices)).toEqual(want.map((w) => w.i));
    }
    // A point far outside the data: the walk reaches the far end and still finds the nearest.
    const far = new Float64Array(d).fill(40);
    expect(Array.from(index.query(far, 3).indices)).toEqual(bruteForce(dup, d, far, 3, -1).map((w) => w.i));
  });

  it('answers for a point that is not a row, and caps k at the row count', () => {
    const index = NeighbourIndex.inBasis(data.subarray(0, 5 * d), fitPcaBasis(data.subarray(0, 5 * d), 5, d));
    const q = new Float64Array(d).fill(0.5);
    const want = bruteForce(data.subarray(0, 5 * d), d, q, 5, -1);
    const got = index.query(q, 50);
    expect(Array.from(got.indices)).toEqual(want.map((w) => w.i));
    expect(index.query(q, 50, 2).indices.length).toBe(4);
  });

  it('gives back the raw row from the rotated one', () => {
    const index = NeighbourIndex.inBasis(data, basis);
    const back = index.row(99);
    back.forEach((v, j) => expect(v).toBeCloseTo(data[99 * d + j], 4));
  });

  it('refuses a query of the wrong length, a bad k and a bad row', () => {
    const index = NeighbourIndex.raw(data, d);
    expect(() => index.query(new Float32Array(3), 5)).toThrow(InvalidArgumentError);
    expect(() => index.query(new Float32Array(d), 0)).toThrow(InvalidArgumentError);
    expect(() => index.row(n)).toThrow(InvalidArgumentError);
    expect(() => NeighbourIndex.raw(new Float32Array(10), 3)).toThrow(InvalidArgumentError);
  });
});
