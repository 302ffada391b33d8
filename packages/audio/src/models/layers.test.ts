import { beforeAll, describe, expect, it } from 'vitest';
import { createNormalRng, initEngine, tf } from '@latentkit/core';
import { LkAdaIN, LkInstanceNorm, LkMaskedMeanPool, registerAudioLayers } from './layers.js';

/** `[b, t, c]` with a different offset and scale per sample and channel. */
function randomInput(b: number, t: number, c: number, seed = 1): tf.Tensor3D {
  const r = createNormalRng(seed);
  const data = new Float32Array(b * t * c);
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < c; k++) {
      const offset = 5 * r();
      const scale = 0.5 + 3 * Math.abs(r());
      for (let f = 0; f < t; f++) data[(i * t + f) * c + k] = offset + scale * r();
    }
  }
  return tf.tensor3d(data, [b, t, c]);
}

/** Per-(sample, channel) mean and std over the first `len[i]` frames. */
function momentsOver(x: Float32Array, b: number, t: number, c: number, len: number[]): { mean: number[][]; std: number[][] } {
  const mean: number[][] = [];
  const std: number[][] = [];
  for (let i = 0; i < b; i++) {
    mean.push([]);
    std.push([]);
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let f = 0; f < len[i]; f++) s += x[(i * t + f) * c + k];
      const m = s / len[i];
      let v = 0;
      for (let f = 0; f < len[i]; f++) v += (x[(i * t + f) * c + k] - m) ** 2;
      mean[i].push(m);
      std[i].push(Math.sqrt(v / len[i]));
    }
  }
  return { mean, std };
}

function maskFor(lengths: number[], t: number): tf.Tensor3D {
  const m = new Float32Array(lengths.length * t);
  lengths.forEach((l, i) => m.fill(1, i * t, i * t + l));
  return tf.tensor3d(m, [lengths.length, t, 1]);
}

beforeAll(async () => {
  await initEngine();
  registerAudioLayers();
});

describe('LkInstanceNorm', () => {
  it('gives every channel zero mean and unit variance over time', async () => {
    const x = randomInput(3, 40, 5);
    const y = new LkInstanceNorm().apply(x) as tf.Tensor;
    const { mean, std } = momentsOver((await y.data()) as Float32Array, 3, 40, 5, [40, 40, 40]);
    for (const row of mean) for (const v of row) expect(Math.abs(v)).toBeLessThan(1e-4);
    for (const row of std) for (const v of row) expect(v).toBeCloseTo(1, 3);
    tf.dispose([x, y]);
  });

  it('uses only valid frames with a mask and leaves zeros on padding', async () => {
    const lengths = [40, 17, 3];
    const x = randomInput(3, 40, 4, 7);
    const mask = maskFor(lengths, 40);
    const y = new LkInstanceNorm().apply([x, mask]) as tf.Tensor;
    const data = (await y.data()) as Float32Array;
    const { mean, std } = momentsOver(data, 3, 40, 4, lengths);
    for (const row of mean) for (const v of row) expect(Math.abs(v)).toBeLessThan(1e-4);
    for (const row of std) for (const v of row) expect(v).toBeCloseTo(1, 3);
    for (let f = 17; f < 40; f++) for (let k = 0; k < 4; k++) expect(Math.abs(data[(40 + f) * 4 + k])).toBe(0);
    // The valid part equals normalising the unpadded clip alone.
    const alone = new LkInstanceNorm().apply(tf.slice(x, [1, 0, 0], [1, 17, 4])) as tf.Tensor;
    const a = (await alone.data()) as Float32Array;
    for (let i = 0; i < a.length; i++) expect(data[40 * 4 + i]).toBeCloseTo(a[i], 4);
    tf.dispose([x, mask, y, alone]);
  });
});

describe('LkAdaIN', () => {
  it('gives each channel the mean beta and standard deviation gamma it is handed', async () => {
    const x = randomInput(2, 30, 3, 3);
    const gamma = tf.tensor2d([[0.5, 2, 3], [1, 0.25, 4]]);
    const beta = tf.tensor2d([[-1, 0, 7], [2, -3, 0.5]]);
    const lengths = [30, 12];
    const mask = maskFor(lengths, 30);
    const y = new LkAdaIN().apply([x, gamma, beta, mask]) as tf.Tensor;
    const data = (await y.data()) as Float32Array;
    const { mean, std } = momentsOver(data, 2, 30, 3, lengths);
    const g = (await gamma.array()) as number[][];
    const b = (await beta.array()) as number[][];
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 3; k++) {
        expect(mean[i][k]).toBeCloseTo(b[i][k], 3);
        expect(std[i][k]).toBeCloseTo(g[i][k], 2);
      }
    }
    for (let f = 12; f < 30; f++) expect(Math.abs(data[(30 + f) * 3])).toBe(0);
    tf.dispose([x, gamma, beta, mask, y]);
  });
});

describe('LkMaskedMeanPool', () => {
  it('averages only the valid frames', async () => {
    const x = tf.tensor3d([[[1, 10], [3, 20], [100, 100]], [[4, -4], [0, 0], [0, 0]]]);
    const mask = maskFor([2, 1], 3);
    const y = new LkMaskedMeanPool().apply([x, mask]) as tf.Tensor;
    expect(await y.array()).toEqual([[2, 15], [4, -4]]);
    tf.dispose([x, mask, y]);
  });
});

describe('serialisation', () => {
  it('a network using the custom layers saves and loads with identical outputs', async () => {
    const inp = tf.input({ shape: [null, 3] });
    const mask = tf.input({ shape: [null, 1] });
    const spk = tf.input({ shape: [2] });
    const h = tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(inp) as tf.SymbolicTensor;
    const n = new LkInstanceNorm({ name: 'in', epsilon: 1e-3 }).apply([h, mask]) as tf.SymbolicTensor;
    const g = tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(spk) as tf.SymbolicTensor;
    const a = new LkAdaIN({ name: 'adain' }).apply([n, g, g, mask]) as tf.SymbolicTensor;
    const p = new LkMaskedMeanPool({ name: 'pool' }).apply([a, mask]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [inp, mask, spk], outputs: p });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (art) => {
      artifacts = art;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('LkInstanceNorm');
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('"epsilon":0.001');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const xs = [randomInput(2, 9, 3, 5), maskFor([9, 6], 9), tf.tensor2d([[0.3, -1], [2, 0.1]])];
    const y1 = model.predict(xs) as tf.Tensor;
    const y2 = loaded.predict(xs) as tf.Tensor;
    expect(Array.from(await y2.data())).toEqual(Array.from(await y1.data()));
    tf.dispose([...xs, y1, y2]);
    model.dispose();
    loaded.dispose();
  });
});
