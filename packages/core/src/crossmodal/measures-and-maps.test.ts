import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import { orthonormalizeRows } from '../math/linalg.js';
import type { Matrix } from '../math/matrix.js';
import { createNormalRng } from '../math/random.js';
import { compareCodes, linearCka, mutualKnnAlignment } from './alignment.js';
import { MlpMap } from './mlp-map.js';
import { crossModalNeighbours, pairedRetrievalRecall } from './retrieval.js';
import { RidgeMap } from './ridge-map.js';

function randomMatrix(n: number, d: number, seed: number): Matrix {
  const rng = createNormalRng(seed);
  return { data: Float32Array.from({ length: n * d }, () => rng()), rows: n, cols: d };
}

function matmul(a: Matrix, b: Matrix): Matrix {
  const out = new Float32Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let t = 0; t < a.cols; t++) s += a.data[i * a.cols + t] * b.data[t * b.cols + j];
      out[i * b.cols + j] = s;
    }
  }
  return { data: out, rows: a.rows, cols: b.cols };
}

function randomOrthogonal(d: number, seed: number): Matrix {
  const rng = createNormalRng(seed);
  const q = Float64Array.from({ length: d * d }, () => rng());
  orthonormalizeRows(q, d, d);
  return { data: Float32Array.from(q), rows: d, cols: d };
}

function mse(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
  return s / a.data.length;
}

/** Brute-force CKA from the definition with n x n kernels and the centring matrix H. */
function referenceCka(x: Matrix, y: Matrix): number {
  const n = x.rows;
  const gram = (m: Matrix) => {
    const k = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let t = 0; t < m.cols; t++) s += m.data[i * m.cols + t] * m.data[j * m.cols + t];
        return s;
      }),
    );
    const rowMean = k.map((r) => r.reduce((a, b) => a + b, 0) / n);
    const all = rowMean.reduce((a, b) => a + b, 0) / n;
    return k.map((r, i) => r.map((v, j) => v - rowMean[i] - rowMean[j] + all));
  };
  const k = gram(x);
  const l = gram(y);
  let kl = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      kl += k[i][j] * l[i][j];
      kk += k[i][j] ** 2;
      ll += l[i][j] ** 2;
    }
  }
  return kl / Math.sqrt(kk * ll);
}

beforeAll(async () => {
  await initEngine();
});

describe('linearCka', () => {
  const x = randomMatrix(500, 12, 1);

  it('is 1 under rotation and isotropic scaling', async () => {
    expect(await linearCka(x, matmul(x, randomOrthogonal(12, 2)))).toBeCloseTo(1, 4);
    const scaled = { ...x, data: x.data.map((v) => 3 * v + 7) };
    expect(await linearCka(x, scaled)).toBeCloseTo(1, 4);
  });

  it('is small for independent noise and matches the kernel definition', async () => {
    const noise = randomMatrix(500, 20, 3);
    const cka = await linearCka(x, noise);
    expect(cka).toBeLessThan(0.1);
    const small = { data: x.data.subarray(0, 60 * 12), rows: 60, cols: 12 };
    const other = { data: noise.data.subarray(0, 60 * 20), rows: 60, cols: 20 };
    const ref = referenceCka(small, other);
    expect(await linearCka(small, other)).toBeCloseTo(ref, 5);
  });

  it('gives the same value in the sample-space form (n < d)', async () => {
    const a = randomMatrix(30, 50, 4);
    const b = { ...a, data: a.data.map((v, i) => v + 0.5 * Math.sin(i)) };
    expect(await linearCka(a, b)).toBeCloseTo(referenceCka(a, b), 5);
  });

  it('rejects unpaired or constant inputs', async () => {
    await expect(linearCka(x, randomMatrix(10, 3, 5))).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(linearCka(x, { data: new Float32Array(500), rows: 500, cols: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('mutualKnnAlignment', () => {
  it('is 1 for identical sets and near k/n for unrelated ones', async () => {
    const a = randomMatrix(800, 8, 6);
    expect(await mutualKnnAlignment(a, a, 10)).toBe(1);
    // Invariant to rotation (cosine neighbourhoods are unchanged).
    expect(await mutualKnnAlignment(a, matmul(a, randomOrthogonal(8, 7)), 10)).toBeCloseTo(1, 6);
    const b = randomMatrix(800, 8, 8);
    const chance = 10 / 799;
    const unrelated = await mutualKnnAlignment(a, b, 10);
    expect(unrelated).toBeGreaterThan(0);
    expect(unrelated).toBeLessThan(3 * chance);
    // Partly related spaces land in between.
    const noisy = { ...a, data: a.data.map((v, i) => v + 0.5 * b.data[i]) };
    const mid = await mutualKnnAlignment(a, noisy, 10, { metric: 'euclidean' });
    expect(mid).toBeGreaterThan(0.2);
    expect(mid).toBeLessThan(0.9);
  });
});

describe('RidgeMap', () => {
  const n = 400;
  const x = randomMatrix(n, 6, 10);
  const a = randomMatrix(6, 3, 11);
  const bias = [1, -2, 0.5];
  const noise = randomMatrix(n, 3, 12);
  const clean = matmul(x, a);
  const y = { ...clean, data: clean.data.map((v, i) => v + bias[i % 3] + 1e-3 * noise.data[i]) };

  it('recovers a known linear map and bias', async () => {
    const map = await RidgeMap.fit(x, y, { lambda: 1e-6 });
    for (let i = 0; i < 18; i++) expect(map.weights.data[i]).toBeCloseTo(a.data[i], 3);
    for (let j = 0; j < 3; j++) expect(map.bias[j]).toBeCloseTo(bias[j], 3);
    expect(mse(map.apply(x), y)).toBeLessThan(1e-5);
  });

  it('shrinks weights as lambda grows, and round-trips through JSON', async () => {
    const loose = await RidgeMap.fit(x, y, { lambda: 1e-6 });
    const tight = await RidgeMap.fit(x, y, { lambda: 10 });
    const norm = (m: RidgeMap) => m.weights.data.reduce((s, v) => s + v * v, 0);
    expect(norm(tight)).toBeLessThan(0.2 * norm(loose));
    const again = RidgeMap.fromJSON(JSON.parse(JSON.stringify(loose)));
    expect(Array.from(again.apply(x).data)).toEqual(Array.from(loose.apply(x).data));
    expect(() => RidgeMap.fromJSON({ ...loose.toJSON(), bias: [1] }, 'map.json')).toThrow(ModelFormatError);
    expect(() => loose.apply(randomMatrix(2, 5, 1))).toThrow(ShapeMismatchError);
    await expect(RidgeMap.fit(x, y, { lambda: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('maps one space onto another well enough to retrieve partners', async () => {
    // "Modality B" is a rotated, rescaled, noisy copy of "modality A" in another dimension.
    const za = randomMatrix(600, 10, 13);
    const proj = randomMatrix(10, 16, 14);
    const zb0 = matmul(za, proj);
    const jitter = randomMatrix(600, 16, 15);
    const zb = { ...zb0, data: zb0.data.map((v, i) => 2 * v + 0.3 * jitter.data[i]) };
    const train = (m: Matrix) => ({ data: m.data.subarray(0, 400 * m.cols), rows: 400, cols: m.cols });
    const test = (m: Matrix) => ({ data: m.data.subarray(400 * m.cols), rows: 200, cols: m.cols });
    const map = await RidgeMap.fit(train(za), train(zb));
    const recall = await pairedRetrievalRecall(map.apply(test(za)), test(zb), [1, 5]);
    expect(recall[1]).toBeGreaterThan(0.8);
    expect(recall[5]).toBeGreaterThanOrEqual(recall[1]);
    const { indices } = await crossModalNeighbours(map.apply(test(za)), test(zb), 3);
    expect(indices).toHaveLength(200);
    expect(indices[0]).toHaveLength(3);
    // Without the map there is no shared space: dimensions differ.
    await expect(crossModalNeighbours(test(za), test(zb), 3)).rejects.toBeInstanceOf(ShapeMismatchError);
  });
});

/** A well-formed MlpMap JSON with no hidden layer, `din -> k`. */
function MlpMapJsonOf(din: number, k: number) {
  return {
    kind: 'latentkit/mlp-map',
    version: 1,
    activation: 'relu',
    sizes: [din, k],
    weights: [Array.from({ length: din }, () => new Array(k).fill(0))],
    biases: [new Array(k).fill(0)],
    inputMean: new Array(din).fill(0),
    inputStd: new Array(din).fill(1),
    outputMean: [0, 0],
    outputStd: [1, 1],
  };
}

describe('MlpMap', () => {
  const n = 600;
  const x = randomMatrix(n, 2, 20);
  const y = {
    data: Float32Array.from({ length: n * 2 }, (_, i) => {
      const r = Math.floor(i / 2);
      const [u, v] = [x.data[r * 2], x.data[r * 2 + 1]];
      return i % 2 === 0 ? Math.sin(2 * u) : u * v;
    }),
    rows: n,
    cols: 2,
  };
  const part = (m: Matrix, from: number, to: number) => ({ data: m.data.subarray(from * m.cols, to * m.cols), rows: to - from, cols: m.cols });

  it('learns a non-linear map better than ridge, deterministically, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const opts = { hidden: [32], epochs: 60, batchSize: 64, learningRate: 3e-3, seed: 1 };
    const mlp = await MlpMap.fit(part(x, 0, 500), part(y, 0, 500), opts);
    expect(tf.memory().numTensors).toBe(before);
    const ridge = await RidgeMap.fit(part(x, 0, 500), part(y, 0, 500));
    const test = part(x, 500, 600);
    const target = part(y, 500, 600);
    const mlpErr = mse(mlp.apply(test), target);
    const ridgeErr = mse(ridge.apply(test), target);
    expect(mlpErr).toBeLessThan(0.5 * ridgeErr);
    expect(mlp.history[mlp.history.length - 1]).toBeLessThan(mlp.history[0]);
    const again = await MlpMap.fit(part(x, 0, 500), part(y, 0, 500), opts);
    expect(Array.from(again.apply(test).data)).toEqual(Array.from(mlp.apply(test).data));
    const loaded = MlpMap.fromJSON(JSON.parse(JSON.stringify(mlp)));
    expect(Array.from(loaded.apply(test).data)).toEqual(Array.from(mlp.apply(test).data));
    mlp.dispose();
    expect(() => mlp.apply(test)).toThrow(InvalidArgumentError);
  });

  it('with prototypes, keeps inputs from a shifted distribution on the target clusters', async () => {
    // Four classes: blobs in 6-D inputs, each paired with one fixed 3-D target code. The test
    // inputs are the same classes seen through a shift and a stretch (as a new speaker's codes
    // are), where a linear output drifts between and beyond the codes.
    const codes = [
      [3, 0, 0],
      [0, 3, 0],
      [0, 0, 3],
      [-3, -3, -3],
    ];
    const rng = createNormalRng(5);
    const centres = codes.map(() => Array.from({ length: 6 }, () => 2 * rng()));
    const sample = (count: number, shift: number, stretch: number) => {
      const xs = new Float32Array(count * 6);
      const ys = new Float32Array(count * 3);
      const cls: number[] = [];
      for (let i = 0; i < count; i++) {
        const c = i % 4;
        cls.push(c);
        for (let j = 0; j < 6; j++) xs[i * 6 + j] = stretch * (centres[c][j] + 0.8 * rng()) + shift * (j % 2 ? 1 : -1);
        ys.set(codes[c], i * 3);
      }
      return { x: { data: xs, rows: count, cols: 6 }, y: { data: ys, rows: count, cols: 3 }, cls };
    };
    const fitSet = sample(400, 0, 1);
    const shifted = sample(200, 0.8, 1.6);
    const opts = { hidden: [32], epochs: 40, batchSize: 32, learningRate: 3e-3, seed: 2 };
    const before = tf.memory().numTensors;
    const proto = await MlpMap.fit(fitSet.x, fitSet.y, { ...opts, prototypes: 4 });
    expect(tf.memory().numTensors).toBe(before);
    const linear = await MlpMap.fit(fitSet.x, fitSet.y, opts);
    const score = (out: Matrix) => {
      let off = 0;
      let right = 0;
      shifted.cls.forEach((c, i) => {
        const d = codes.map((code) => Math.hypot(...code.map((v, j) => out.data[i * 3 + j] - v)));
        off += Math.min(...d) / shifted.cls.length;
        if (d.indexOf(Math.min(...d)) === c) right++;
      });
      return { off, accuracy: right / shifted.cls.length };
    };
    const p = score(proto.apply(shifted.x));
    const l = score(linear.apply(shifted.x));
    expect(p.off).toBeLessThan(0.5 * l.off);
    expect(p.accuracy).toBeGreaterThanOrEqual(l.accuracy);
    const loaded = MlpMap.fromJSON(JSON.parse(JSON.stringify(proto)));
    expect(Array.from(loaded.apply(shifted.x).data)).toEqual(Array.from(proto.apply(shifted.x).data));
    expect(loaded.outputDim).toBe(3);
    proto.dispose();
    linear.dispose();
  });

  it('rejects bad options and malformed JSON', async () => {
    await expect(MlpMap.fit(x, y, { prototypes: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(MlpMap.fit(part(x, 0, 3), part(y, 0, 3), { prototypes: 4 })).rejects.toThrow(/prototypes \(4\) must not exceed the number of training rows \(3\)/);
    expect(() => MlpMap.fromJSON({ ...MlpMapJsonOf(2, 3), prototypes: [[1, 2]] })).toThrow(ModelFormatError);
    await expect(MlpMap.fit(x, y, { hidden: [0] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(MlpMap.fit(x, y, { epochs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(MlpMap.fit(x, part(y, 0, 10))).rejects.toBeInstanceOf(ShapeMismatchError);
    expect(() => MlpMap.fromJSON({ kind: 'latentkit/mlp-map', version: 1, activation: 'relu', sizes: [2] })).toThrow(ModelFormatError);
  });
});

describe('compareCodes', () => {
  const m = { data: Float32Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.7) * (1 + (i % 3))), rows: 8, cols: 3 };

  it('compares a matrix with itself as CKA 1, and clamps k to n - 1', async () => {
    const r = await compareCodes(m, m, 10);
    expect(r.cka).toBeCloseTo(1, 6);
    expect(r.mutualKnn).toBeCloseTo(1, 6);
    expect(r.k).toBe(7);
  });

  it('refuses row counts that differ, and fewer than 2 rows', async () => {
    await expect(compareCodes(m, { data: new Float32Array(6), rows: 2, cols: 3 })).rejects.toBeInstanceOf(ShapeMismatchError);
    const one = { data: new Float32Array(3), rows: 1, cols: 3 };
    await expect(compareCodes(one, one)).rejects.toThrow(/at least 2 rows/);
  });
});
