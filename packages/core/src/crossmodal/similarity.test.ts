import { describe, expect, it } from 'vitest';
import type { Matrix } from '../math/matrix.js';
import { createNormalRng } from '../math/random.js';
import { compareRepresentations, similarityMatrix, type Representation } from './similarity.js';

/** `n` rows per class around `k` class centres in `d` dimensions, plus noise. */
function clustered(classes: number, perClass: number, d: number, seed: number, noise = 0.1): { codes: Matrix; labels: number[] } {
  const rng = createNormalRng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => rng()));
  const data = new Float32Array(classes * perClass * d);
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = c * perClass + i;
      for (let j = 0; j < d; j++) data[r * d + j] = centres[c][j] + noise * rng();
      labels.push(c);
    }
  }
  return { codes: { data, rows: classes * perClass, cols: d }, labels };
}

describe('compareRepresentations', () => {
  it('pairs the same inputs row by row: a rotation-free copy scores CKA 1', async () => {
    const a = clustered(4, 10, 6, 1);
    const scaled = { ...a.codes, data: a.codes.data.map((v) => 3 * v) };
    const r = await compareRepresentations(
      { name: 'a', sets: [{ ...a, concept: 'digit', items: 'x' }] },
      { name: 'b', sets: [{ codes: scaled, labels: a.labels, concept: 'digit', items: 'x' }] },
      { k: 5 },
    );
    expect(r?.pairing).toBe('same inputs');
    expect(r?.cka).toBeCloseTo(1, 5);
    expect(r?.mutualKnn).toBeCloseTo(1, 5);
  });

  it('pairs different inputs by class, with a control that mismatches classes', async () => {
    const a = clustered(5, 12, 8, 2);
    const b = clustered(5, 12, 3, 3);
    const r = await compareRepresentations(
      { name: 'images', sets: [{ ...a, concept: 'digit', items: 'imgs' }] },
      { name: 'words', sets: [{ ...b, concept: 'digit', items: 'words' }] },
      { perClass: 8, k: 5 },
    );
    expect(r?.pairing).toBe('class');
    expect(r?.rows).toBe(40);
    expect(r?.what).toBe('digit (5 classes)');
    expect(r!.cka).toBeGreaterThan(0);
    expect(r!.control).toBeDefined();
  });

  it('returns undefined without a shared concept or items, and the matrix marks it', async () => {
    const a = clustered(3, 4, 2, 4);
    const reps: Representation[] = [
      { name: 'a', sets: [{ ...a, concept: 'digit', items: 'x' }] },
      { name: 'b', sets: [{ ...a, concept: 'vowel', items: 'y' }] },
    ];
    expect(await compareRepresentations(reps[0], reps[1])).toBeUndefined();
    const m = await similarityMatrix(reps);
    expect(m.cka).toEqual([[1, undefined], [undefined, 1]]);
    expect(m.pairs).toEqual([]);
  });
});
