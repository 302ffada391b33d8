import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/errors.js';
import { pairByClass, rotatedControl, selectRows } from './pairing.js';

describe('pairByClass', () => {
  const A = [0, 0, 1, 1, 1, 2, -1];
  const B = [1, 0, 1, 0, 0, 3];

  it('pairs only shared classes, perClass rows each, with matching classes', () => {
    const p = pairByClass(A, B, { perClass: 3, seed: 5 });
    expect(p.classes).toEqual([0, 1]);
    expect(p.labels).toEqual([0, 0, 0, 1, 1, 1]);
    p.a.forEach((i, r) => expect(A[i]).toBe(p.labels[r]));
    p.b.forEach((i, r) => expect(B[i]).toBe(p.labels[r]));
    // Side A of class 0 has two samples: both appear before either repeats.
    expect(new Set(p.a.slice(0, 2)).size).toBe(2);
  });

  it('defaults perClass to the smaller class size and is deterministic per seed', () => {
    const p = pairByClass(A, B);
    expect(p.labels).toEqual([0, 0, 1, 1]);
    expect(pairByClass(A, B, { seed: 3 })).toEqual(pairByClass(A, B, { seed: 3 }));
  });

  it('throws when nothing is shared', () => {
    expect(() => pairByClass([0, 0], [1, 1])).toThrow(InvalidArgumentError);
  });

  it('rotatedControl keeps side A and moves side B to the next class', () => {
    const p = pairByClass(A, B, { perClass: 2 });
    const c = rotatedControl(p, B);
    expect(c.a).toEqual(p.a);
    c.b.forEach((i, r) => expect(B[i]).toBe(p.labels[r] === 0 ? 1 : 0));
  });
});

describe('selectRows', () => {
  it('copies rows in order and checks the range', () => {
    const m = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), rows: 3, cols: 2 };
    expect(Array.from(selectRows(m, [2, 0, 2]).data)).toEqual([5, 6, 1, 2, 5, 6]);
    expect(() => selectRows(m, [3])).toThrow(InvalidArgumentError);
  });
});
