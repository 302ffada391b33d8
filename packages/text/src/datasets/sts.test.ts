import { describe, expect, it } from 'vitest';
import { DatasetError, InvalidArgumentError } from '@latentkit/core';
import { pairCosines, parseSts, spearman } from './sts.js';

describe('STS Benchmark helpers', () => {
  it('parses tab-separated pairs with unbalanced quotes and extra licence columns', () => {
    const text = 'main-captions\tMSRvid\t2012test\t0000\t5.000\tA "man.\tA man!\n\nmain-forums\tx\t2015\t1\t0.5\tOne\tTwo\tlicence\textra\n';
    const pairs = parseSts(text);
    expect(pairs).toEqual([
      { score: 5, sentence1: 'A "man.', sentence2: 'A man!', genre: 'captions' },
      { score: 0.5, sentence1: 'One', sentence2: 'Two', genre: 'forums' },
    ]);
    expect(() => parseSts('a\tb\tc\td\t7\tx\ty')).toThrow(DatasetError);
    expect(() => parseSts('a\tb\tc')).toThrow(DatasetError);
  });

  it('computes Spearman with tied ranks, and pair cosines', () => {
    expect(spearman([1, 2, 3], [10, 30, 20])).toBeCloseTo(0.5, 10);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 10);
    // ties share their mean rank: ranks [1.5, 1.5, 3] against [1, 2, 3]
    expect(spearman([5, 5, 9], [1, 2, 3])).toBeCloseTo(0.8660254, 6);
    expect(() => spearman([1], [1])).toThrow(InvalidArgumentError);
    expect(() => spearman([1, NaN], [1, 2])).toThrow(InvalidArgumentError);
    const c = pairCosines([[1, 0], [0, 0]], [[1, 1], [1, 0]]);
    expect(c[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(c[1]).toBe(0);
  });
});
