import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/errors.js';
import { collapseCheck, describeCollapse, ModelDidNotLearnError, spreadSample } from './collapse.js';

/** 40 random vectors of 50 values in [0, 1], seeded. */
function inputs(seed = 1): Float32Array[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: 40 }, () => Float32Array.from({ length: 50 }, rand));
}

describe('collapseCheck', () => {
  it('flags one output for every input (the mean input) as collapsed, with ratio 1 and no spread', () => {
    const x = inputs();
    const mean = new Float32Array(50);
    for (const v of x) v.forEach((a, j) => (mean[j] += a / x.length));
    const v = collapseCheck(x, x.map(() => mean));
    expect(v.status).toBe('collapsed');
    expect(v.errorRatio).toBeCloseTo(1, 5);
    expect(v.spreadRatio).toBeLessThan(1e-12);
    expect(v.baselineError).toBeCloseTo(v.inputSpread, 12);
    expect(v.baselineError).toBeGreaterThan(0.05); // uniform [0,1]: variance 1/12
  });

  it('passes faithful reconstructions and calls noisy-but-informative ones weak', () => {
    const x = inputs(2);
    const exact = collapseCheck(x, x);
    expect(exact.status).toBe('learned');
    expect(exact.modelError).toBe(0);
    expect(exact.spreadRatio).toBeCloseTo(1, 6);
    // Halfway between each input and the mean: error 0.25x the baseline, spread 0.25x.
    const mean = new Float32Array(50);
    for (const v of x) v.forEach((a, j) => (mean[j] += a / x.length));
    const half = x.map((v) => v.map((a, j) => (a + mean[j]) / 2));
    const h = collapseCheck(x, half);
    expect(h.errorRatio).toBeCloseTo(0.25, 5);
    expect(h.spreadRatio).toBeCloseTo(0.25, 5);
    expect(h.status).toBe('learned');
    // Outputs that vary but are unrelated to their inputs (shuffled): error ~2x the baseline.
    const shuffled = collapseCheck(x, [...x.slice(1), x[0]]);
    expect(shuffled.errorRatio).toBeGreaterThan(1.5);
    expect(shuffled.status).toBe('collapsed');
    // Non-finite outputs never pass.
    expect(collapseCheck(x, x.map((v) => v.map(() => NaN))).status).toBe('collapsed');
  });

  it('says the verdict plainly with its numbers, and refuses input it cannot judge', () => {
    const x = inputs(3);
    const v = collapseCheck(x, x.map(() => x[0]));
    const line = describeCollapse(v);
    expect(line).toMatch(/^collapse check on 40 inputs: DID NOT LEARN/);
    expect(line).toContain(`${v.errorRatio.toFixed(2)}x the mean-input baseline's ${v.baselineError.toPrecision(3)}`);
    expect(new ModelDidNotLearnError(v).code).toBe('LK_MODEL_DID_NOT_LEARN');
    expect(() => collapseCheck([x[0]], [x[0]])).toThrow(InvalidArgumentError);
    expect(() => collapseCheck(x, x.slice(1))).toThrow(/40 inputs but 39 outputs/);
    expect(() => collapseCheck([x[0], x[0]], [x[0], x[0]])).toThrow(/all the same/);
    expect(() => collapseCheck([x[0], x[1].subarray(1)], [x[0], x[1]])).toThrow(/row 1/);
  });

  it('spreadSample takes first, last and evenly spaced rows', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const s = spreadSample(rows, 5);
    expect(s).toEqual([0, 250, 500, 749, 999]);
    expect(spreadSample(rows.slice(0, 3), 5)).toEqual([0, 1, 2]);
  });
});
