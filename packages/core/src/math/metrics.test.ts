import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { accuracy, confusionMatrix, equalErrorRate, equalErrorRateDetails, mse, rSquared } from './metrics.js';
import { createNormalRng, createRng } from './random.js';

describe('classification metrics', () => {
  it('computes accuracy and the confusion matrix', () => {
    expect(accuracy([0, 1, 2, 2], [0, 1, 1, 2])).toBe(0.75);
    expect(confusionMatrix([0, 1, 1], [0, 1, 0])).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(confusionMatrix(new Int32Array([2]), new Int32Array([0]), 4)[0]).toEqual([0, 0, 1, 0]);
    expect(() => accuracy([1], [1, 2])).toThrow(ShapeMismatchError);
    expect(() => accuracy([], [])).toThrow(InvalidArgumentError);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(InvalidArgumentError);
    expect(() => confusionMatrix([0.5], [0])).toThrow(InvalidArgumentError);
  });
});

describe('regression metrics', () => {
  it('computes mse and R²', () => {
    expect(mse([1, 2, 3], [1, 2, 5])).toBeCloseTo(4 / 3, 12);
    expect(rSquared([1, 2, 3], [1, 2, 3])).toBe(1);
    // Predicting each column's mean gives 0.
    expect(rSquared([2, 10, 2, 10], [1, 0, 3, 20], 2)).toBeCloseTo(0, 12);
    expect(() => mse([1], [])).toThrow(ShapeMismatchError);
    expect(() => rSquared([1, 1], [2, 2])).toThrow(InvalidArgumentError);
    expect(() => rSquared([1, 2, 3], [1, 2, 3], 2)).toThrow(ShapeMismatchError);
  });
});

describe('equalErrorRate', () => {
  it('is 0 for perfectly separated scores', () => {
    const r = equalErrorRateDetails([0.9, 0.8, 0.3, 0.1], [true, true, false, false]);
    expect(r.eer).toBe(0);
    expect(r.threshold).toBeGreaterThan(0.3);
    expect(r.threshold).toBeLessThanOrEqual(0.8);
    expect(equalErrorRate([5, 6, 7, 1, 2], [1, 1, 1, 0, 0])).toBe(0);
  });

  it('is 1 for perfectly inverted scores and 0.5 for the documented example', () => {
    expect(equalErrorRate([0.1, 0.2, 0.8, 0.9], [true, true, false, false])).toBe(1);
    expect(equalErrorRate([0.9, 0.4, 0.6, 0.1], [true, true, false, false])).toBe(0.5);
  });

  it('is about 0.5 when targets and non-targets come from one distribution', () => {
    const rng = createRng(1);
    const n = 20000;
    const scores = Float64Array.from({ length: n }, () => rng());
    const isTarget = Array.from({ length: n }, (_, i) => i % 3 === 0);
    expect(Math.abs(equalErrorRate(scores, isTarget) - 0.5)).toBeLessThan(0.02);
    // All scores tied: one operating point jump, interpolated to exactly 0.5.
    expect(equalErrorRate([1, 1, 1, 1], [true, false, true, false])).toBe(0.5);
  });

  it('matches the gaussian theory for separated distributions', () => {
    // Targets ~ N(2, 1), non-targets ~ N(0, 1): EER = Φ(-1) ≈ 0.1587.
    const rng = createNormalRng(2);
    const n = 40000;
    const scores = Float64Array.from({ length: n }, (_, i) => rng() + (i % 2 === 0 ? 2 : 0));
    const isTarget = Array.from({ length: n }, (_, i) => i % 2 === 0);
    const { eer, threshold } = equalErrorRateDetails(scores, isTarget);
    expect(eer).toBeCloseTo(0.1587, 2);
    expect(threshold).toBeCloseTo(1, 1);
  });

  it('rejects one-sided or malformed trials', () => {
    expect(() => equalErrorRate([1, 2], [true, true])).toThrow(InvalidArgumentError);
    expect(() => equalErrorRate([1, NaN], [true, false])).toThrow(InvalidArgumentError);
    expect(() => equalErrorRate([1], [true, false])).toThrow(ShapeMismatchError);
  });
});
