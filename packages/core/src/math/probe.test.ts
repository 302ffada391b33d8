import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import type { Matrix } from './matrix.js';
import { LinearProbe, fitLinearProbe, linearProbe } from './probe.js';
import { createNormalRng, createRng } from './random.js';

/** `n` points around `classes` random centres in `d` dims; centres `spread` apart on average. */
function blobs(n: number, d: number, classes: number, spread: number, seed: number, noiseSeed = seed): { x: Matrix; y: Int32Array } {
  const centreRng = createNormalRng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => spread * centreRng()));
  const rng = createNormalRng(noiseSeed + 1000);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const pick = createRng(noiseSeed + 1);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(pick() * classes);
    y[i] = c;
    // Features of very different scales, so standardisation matters.
    for (let j = 0; j < d; j++) x[i * d + j] = (centres[c][j] + rng()) * (j % 3 === 0 ? 100 : 0.01);
  }
  return { x: { data: x, rows: n, cols: d }, y };
}

beforeAll(async () => {
  await initEngine();
});

describe('linear probe', () => {
  it('separates gaussian classes (>= 95% test accuracy)', async () => {
    const train = blobs(2000, 20, 5, 1.2, 1);
    const test = blobs(1000, 20, 5, 1.2, 1, 2); // same centres, fresh noise
    const res = await linearProbe(train.x, train.y, test.x, test.y);
    expect(res.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(res.trainAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(res.probe.numClasses).toBe(5);
  });

  it('scores near chance on random labels', async () => {
    const rng = createNormalRng(3);
    const pick = createRng(4);
    const n = 3000;
    const d = 16;
    const x = { data: Float32Array.from({ length: n * d }, () => rng()), rows: n, cols: d };
    const y = Int32Array.from({ length: n }, () => Math.floor(pick() * 10));
    const trainX = { data: x.data.subarray(0, 2000 * d), rows: 2000, cols: d };
    const testX = { data: x.data.subarray(2000 * d), rows: 1000, cols: d };
    const res = await linearProbe(trainX, y.subarray(0, 2000), testX, y.subarray(2000));
    expect(Math.abs(res.accuracy - 0.1)).toBeLessThan(0.04);
    // It can fit some noise, but not generalise it.
    expect(res.trainAccuracy).toBeGreaterThan(res.accuracy);
  });

  it('reaches the optimum of the penalised objective (float64 gradient check)', async () => {
    const { x, y } = blobs(600, 6, 3, 0.5, 7);
    const l2 = 1e-2;
    const probe = await fitLinearProbe(x, y, { l2, tolerance: 1e-6 });
    const d = 6;
    const c = 3;
    const gw = new Float64Array(d * c);
    const gb = new Float64Array(c);
    for (let i = 0; i < 600; i++) {
      const z = new Float64Array(c);
      const xs = Array.from({ length: d }, (_, j) => (x.data[i * d + j] - probe.mean[j]) / probe.std[j]);
      for (let k = 0; k < c; k++) {
        z[k] = probe.bias[k];
        for (let j = 0; j < d; j++) z[k] += xs[j] * probe.weights.data[j * c + k];
      }
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < c; k++) {
        const r = (e[k] / sum - (y[i] === k ? 1 : 0)) / 600;
        gb[k] += r;
        for (let j = 0; j < d; j++) gw[j * c + k] += r * xs[j];
      }
    }
    for (let t = 0; t < d * c; t++) gw[t] += l2 * probe.weights.data[t];
    const worst = Math.max(...gw.map(Math.abs), ...gb.map(Math.abs));
    expect(worst).toBeLessThan(1e-4);
    expect(probe.fitInfo!.iterations).toBeGreaterThan(3);
  });

  it('is deterministic and round-trips through JSON', async () => {
    const { x, y } = blobs(500, 8, 4, 1, 9);
    const a = await fitLinearProbe(x, y);
    const b = await fitLinearProbe(x, y);
    expect(Array.from(a.weights.data)).toEqual(Array.from(b.weights.data));
    const c = LinearProbe.fromJSON(JSON.parse(JSON.stringify(a)));
    expect(Array.from(c.predict(x))).toEqual(Array.from(a.predict(x)));
    expect(c.accuracy(x, y)).toBe(a.accuracy(x, y));
  });

  it('rejects bad labels and shapes with typed errors', async () => {
    const { x, y } = blobs(50, 4, 2, 1, 11);
    await expect(fitLinearProbe(x, y.subarray(0, 10))).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(fitLinearProbe(x, Array.from(y, () => 0))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fitLinearProbe(x, Array.from(y, (v) => v - 0.5))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fitLinearProbe(x, y, { numClasses: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fitLinearProbe(x, y, { l2: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    const probe = await fitLinearProbe(x, y);
    expect(() => probe.predict([[1, 2]])).toThrow(ShapeMismatchError);
    expect(() => probe.accuracy(x, [1])).toThrow(ShapeMismatchError);
    expect(() => LinearProbe.fromJSON({ ...probe.toJSON(), std: [0, 1, 1, 1] })).toThrow(ModelFormatError);
  });
});
