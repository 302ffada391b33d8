import { describe, expect, it } from 'vitest';
import { float32ArrayJson, stringifyWithFloat32 } from './json.js';

describe('float32 JSON', () => {
  it('writes every float32 so that it reads back to the same float32', () => {
    // Random bit patterns cover every exponent, subnormals included; NaN/Infinity patterns are skipped.
    const bits = new Uint32Array(200_000);
    let a = 12345;
    for (let i = 0; i < bits.length; i++) {
      a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
      bits[i] = a;
    }
    const all = new Float32Array(bits.buffer).filter(Number.isFinite);
    const edge = Float32Array.from([0, -0, 1, -1, 0.1, 1e-45, -1e-45, 1.1754942e-38, 1.17549435e-38, 3.4028235e38, -3.4028235e38, 16777216, 16777217, 0.33333334]);
    for (const xs of [all, edge]) {
      const back = Float32Array.from(JSON.parse(float32ArrayJson(xs)) as number[]);
      expect(back.length).toBe(xs.length);
      for (let i = 0; i < xs.length; i++) if (back[i] !== xs[i]) expect.fail(`value ${xs[i]} came back as ${back[i]}`);
    }
  });

  it('is shorter than the float64 text of the same values, and writes non-finite values as null', () => {
    const xs = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.01);
    expect(float32ArrayJson(xs).length).toBeLessThan(JSON.stringify(Array.from(xs)).length * 0.75);
    expect(JSON.parse(float32ArrayJson(Float32Array.from([1, Number.NaN, Number.POSITIVE_INFINITY])))).toEqual([1, null, null]);
    expect(float32ArrayJson(new Float32Array(0))).toBe('[]');
  });

  it('writes the rest of a value as JSON.stringify does', () => {
    const value = { model: 'text "quoted"\n', part: 'meaning', skip: undefined, shape: [2, 3], codes: [Float32Array.from([1.5, -2, 0]), Float32Array.from([0.25, 0, 8])], nested: { a: [null, true, 'x', undefined], n: 3.5 } };
    const text = stringifyWithFloat32(value);
    expect(JSON.parse(text)).toEqual({ model: 'text "quoted"\n', part: 'meaning', shape: [2, 3], codes: [[1.5, -2, 0], [0.25, 0, 8]], nested: { a: [null, true, 'x', null], n: 3.5 } });
    expect(stringifyWithFloat32({ a: [1, 'b'], c: null })).toBe(JSON.stringify({ a: [1, 'b'], c: null }));
  });
});
