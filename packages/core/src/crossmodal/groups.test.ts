import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { classMedoids, concatColumns, concatRows, knnClassifier, standardizeByGroup } from './groups.js';

const m = (rows: number[][]) => ({ data: Float32Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

describe('standardizeByGroup', () => {
  it('gives each group zero mean and unit spread per column, with no labels', () => {
    const out = standardizeByGroup(m([[1, 10], [3, 30], [100, 5], [104, 5]]), ['a', 'a', 'b', 'b']);
    expect(Array.from(out.data)).toEqual([-1, -1, 1, 1, -1, 0, 1, 0]);
    expect(() => standardizeByGroup(m([[1]]), ['a', 'b'])).toThrow(ShapeMismatchError);
  });
});

describe('concatRows / concatColumns', () => {
  it('stacks rows and sets columns side by side, refusing mismatched shapes', () => {
    expect(Array.from(concatRows([m([[1, 2]]), m([[3, 4], [5, 6]])]).data)).toEqual([1, 2, 3, 4, 5, 6]);
    const side = concatColumns([m([[1], [2]]), m([[3, 4], [5, 6]])]);
    expect([side.rows, side.cols, ...side.data]).toEqual([2, 3, 1, 3, 4, 2, 5, 6]);
    expect(() => concatRows([m([[1]]), m([[1, 2]])])).toThrow(ShapeMismatchError);
    expect(() => concatColumns([m([[1]]), m([[1], [2]])])).toThrow(ShapeMismatchError);
  });
});

describe('classMedoids', () => {
  it('picks the row nearest its class mean', () => {
    const codes = m([[0, 0], [1, 0], [10, 0], [5, 5], [6, 5], [9, 9]]);
    const med = classMedoids(codes, [0, 0, 0, 1, 1, 1]);
    expect(med.get(0)).toBe(1); // mean (3.67, 0): row 1 is nearest
    expect(med.get(1)).toBe(4); // mean (6.67, 6.33): row 4 is nearest
  });
});

describe('knnClassifier', () => {
  it('votes among the k nearest rows', async () => {
    const train = m([[1, 0], [0.9, 0.1], [0.8, 0.3], [0, 1], [0.1, 0.9]]);
    const judge = knnClassifier(train, [0, 0, 0, 1, 1], 3);
    expect(await judge.predict(m([[1, 0.05], [0.05, 1]]))).toEqual([0, 1]);
    expect(await judge.accuracy(m([[1, 0.05], [0.05, 1]]), [0, 0])).toBe(0.5);
    expect(() => knnClassifier(train, [0, 1])).toThrow(InvalidArgumentError);
  });
});
