/**
 * Split steps (`threads: 'split'`): two half batches' gradients computed at once on two threads
 * must train as the whole batch does, random draws included; a loss that is not a mean over
 * the batch's rows must never be split. (The thread choice: threads.test.ts.)
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NonFiniteLossError, VectorAutoencoder, initEngine, tf, train, type FitOptions } from '@latentkit/core';
import { drift, manifoldData, weightsOf } from '../testing/manifold.js';
import { probingShortFits } from '../testing/probe-gate.js';


async function fitDense(options: FitOptions<Float32Array>, data = manifoldData(96)) {
  await initEngine({ backend: 'ort' });
  const m = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [16], seed: 7 });
  const initial = weightsOf(m);
  const h = await m.fit(data, { epochs: 3, batchSize: 16, seed: 2, learningRate: 0.01, ...options });
  const w = weightsOf(m);
  m.dispose();
  return { h, w, initial };
}

/** A one-layer model whose loss is `reduce` over rows of a noisy reconstruction error. */
function noisyProblem(name: string, reduce: 'mean' | 'sum') {
  const w = tf.variable(tf.randomNormal([4, 4], 0, 0.3, 'float32', 11), true, `split_case_${name}`);
  return {
    w,
    problem: {
      variables: () => [w],
      collate: (s: number[][]) => ({ x: tf.tensor2d(s) }),
      loss: (b: Record<string, tf.Tensor>, ctx: { seed: number }) => {
        // A per-step draw, as denoising and VAE losses make: the halves must get its rows.
        const noisy = tf.add(b.x, tf.mul(tf.randomNormal(b.x.shape, 0, 1, 'float32', ctx.seed), 0.1));
        const err = tf.sum(tf.square(tf.sub(tf.matMul(noisy, w), b.x)), 1);
        return { loss: (reduce === 'mean' ? tf.mean(err) : tf.sum(err)) as tf.Scalar, metrics: { err0: tf.mean(err) as tf.Scalar } };
      },
      saveCheckpoint: async () => {},
      loadCheckpoint: async () => () => undefined,
    },
  };
}
const rows = Array.from({ length: 48 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), Math.sin(i * 0.3) * 0.5, ((i % 5) - 2) * 0.3]);

async function fitNoisy(name: string, reduce: 'mean' | 'sum', threads: FitOptions<number[]>['threads']) {
  await initEngine({ backend: 'ort' });
  const { w, problem } = noisyProblem(name, reduce);
  const h = await train(problem, rows, { epochs: 4, batchSize: 8, seed: 5, learningRate: 0.01, threads });
  const values = Float32Array.from(w.dataSync() as Float32Array);
  w.dispose();
  return { h, values };
}

describe("threads: 'split'", () => {
  it('trains as the whole batch does, on two threads', async () => {
    // 90 rows in batches of 16: the short last batch (10 rows) runs whole, on one thread.
    const split = await fitDense({ threads: 'split' }, manifoldData(90));
    const one = await fitDense({ threads: 1 }, manifoldData(90));
    expect(split.h.engine).toBe('onnxruntime');
    expect(split.h.engineCores).toBe('split halves on 2 threads');
    expect(one.h.engineCores).toBe('1 thread');
    split.h.loss.forEach((l, i) => expect(Math.abs(l - one.h.loss[i]) / one.h.loss[i]).toBeLessThan(1e-5));
    expect(drift(split.w, one.w, one.initial)).toBeLessThan(1e-4);
    expect(drift(one.w, one.initial, one.initial.map((w) => w.map(() => 0)))).toBeGreaterThan(1e-3);
  });

  it("keeps the worker's share of Adam's moments: the optimizer state after a split fit is the 1-thread fit's", async () => {
    const state = async (threads: FitOptions<Float32Array>['threads']) => {
      const optimizer = tf.train.adam(0.01);
      const { w } = await fitDense({ threads, optimizer });
      const slots = await Promise.all((await optimizer.getWeights()).map(async (x) => Float32Array.from((await x.tensor.data()) as Float32Array)));
      optimizer.dispose();
      return { w, slots };
    };
    const split = await state('split');
    const one = await state(1);
    // Iterations, then m and v of each of the dense AE's weights, every one of them moved.
    expect(split.slots.length).toBe(one.slots.length);
    expect(one.slots.length).toBeGreaterThan(8);
    one.slots.forEach((s, k) => {
      const scale = Math.max(...s.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      s.forEach((v, j) => expect(Math.abs(v - split.slots[k][j])).toBeLessThan(1e-4 * scale + 1e-9));
    });
  });

  it('clips by the global norm of both shares of the weights', async () => {
    const split = await fitDense({ threads: 'split', clipNorm: 0.05 });
    const one = await fitDense({ threads: 1, clipNorm: 0.05 });
    const unclipped = await fitDense({ threads: 1 });
    expect(split.h.engineCores).toBe('split halves on 2 threads');
    split.h.loss.forEach((l, i) => expect(Math.abs(l - one.h.loss[i]) / one.h.loss[i]).toBeLessThan(1e-5));
    expect(drift(split.w, one.w, one.initial)).toBeLessThan(1e-4);
    // The clip is active: without it the weights go elsewhere.
    expect(drift(unclipped.w, one.w, one.initial)).toBeGreaterThan(0.05);
  });

  it.skipIf(availableParallelism() < 2)("trains as 1 thread does while 'auto' switches modes block by block", async () => {
    const data = manifoldData(1600);
    const auto = await probingShortFits(() => fitDense({ threads: 'auto', epochs: 5 }, data));
    const one = await fitDense({ threads: 1, epochs: 5 }, data);
    expect(auto.h.engineCores).toMatch(/split halves on 2 threads [\d.]+/);
    expect(drift(auto.w, one.w, one.initial)).toBeLessThan(1e-3);
    auto.h.loss.forEach((l, i) => expect(Math.abs(l - one.h.loss[i]) / one.h.loss[i]).toBeLessThan(1e-4));
  });

  it('gives a later fit its own frozen weights', async () => {
    await initEngine({ backend: 'ort' });
    const run = async (threads: FitOptions<number[]>['threads']) => {
      const w = tf.variable(tf.randomNormal([4, 4], 0, 0.3, 'float32', 11), true, `split_case_frozen_w_${threads}`);
      const f = tf.variable(tf.randomNormal([4, 4], 0, 0.3, 'float32', 12), false, `split_case_frozen_f_${threads}`);
      const problem = {
        variables: () => [w, f],
        collate: (s: number[][]) => ({ x: tf.tensor2d(s) }),
        loss: (b: Record<string, tf.Tensor>) => ({ loss: tf.mean(tf.square(tf.sub(tf.matMul(tf.matMul(b.x, f), w), b.x))) as tf.Scalar }),
        saveCheckpoint: async () => {},
        loadCheckpoint: async () => () => undefined,
      };
      const first = await train(problem, rows, { epochs: 2, batchSize: 8, learningRate: 0.01, threads });
      f.assign(tf.randomNormal([4, 4], 0, 0.3, 'float32', 13));
      const second = await train(problem, rows, { epochs: 2, batchSize: 8, learningRate: 0.01, threads });
      const values = Float32Array.from(w.dataSync() as Float32Array);
      tf.dispose([w, f]);
      return { first, second, values };
    };
    const split = await run('split');
    const one = await run(1);
    expect(split.second.engineCores).toBe('split halves on 2 threads');
    [...split.first.loss, ...split.second.loss].forEach((l, i) => expect(Math.abs(l - [...one.first.loss, ...one.second.loss][i]) / l).toBeLessThan(1e-5));
    split.values.forEach((v, i) => expect(Math.abs(v - one.values[i])).toBeLessThan(1e-5));
  });

  it('takes each step at its own scheduled rate while the next batch is collated', async () => {
    const learningRateSchedule = ({ step }: { step: number }) => (step % 3 === 0 ? 0.02 : 0.002);
    const split = await fitDense({ threads: 'split', learningRateSchedule });
    const one = await fitDense({ threads: 1, learningRateSchedule });
    const constant = await fitDense({ threads: 1, learningRate: 0.02 });
    expect(split.h.engineCores).toBe('split halves on 2 threads');
    split.h.loss.forEach((l, i) => expect(Math.abs(l - one.h.loss[i]) / one.h.loss[i]).toBeLessThan(1e-5));
    expect(drift(split.w, one.w, one.initial)).toBeLessThan(1e-4);
    expect(drift(constant.w, one.w, one.initial)).toBeGreaterThan(0.05);
  });

  it('names the batch of a NaN loss, with the next batch already collated', async () => {
    const data = manifoldData(96);
    data[40][3] = NaN; // batch 3 of epoch 1 without shuffling
    const err = await fitDense({ threads: 'split', shuffle: false }, data).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as NonFiniteLossError).epoch).toBe(1);
    expect((err as NonFiniteLossError).batch).toBe(3);
  });

  it('gives each half its rows of the per-step random draws', async () => {
    const split = await fitNoisy('mean_split', 'mean', 'split');
    const one = await fitNoisy('mean_one', 'mean', 1);
    expect(split.h.engineCores).toBe('split halves on 2 threads');
    split.h.loss.forEach((l, i) => expect(Math.abs(l - one.h.loss[i]) / one.h.loss[i]).toBeLessThan(1e-5));
    split.values.forEach((v, i) => expect(Math.abs(v - one.values[i])).toBeLessThan(1e-5));
  });

  it('never splits a loss that is not a mean over rows (a sum here): it trains on one thread, unchanged', async () => {
    const split = await fitNoisy('sum_split', 'sum', 'split');
    const one = await fitNoisy('sum_one', 'sum', 1);
    expect(split.h.engine).toBe('onnxruntime');
    expect(split.h.engineCores).toMatch(/^1 thread; no split halves: the loss is not a mean over the batch's rows \(halves: loss [\d.]+/);
    // The checked step's result is the whole batch's, so the two runs are the same run.
    expect(Array.from(split.values)).toEqual(Array.from(one.values));
    expect(split.h.loss).toEqual(one.h.loss);
  });

  it('never splits a loss over pairs of rows that cannot run on half of its batch', async () => {
    await initEngine({ backend: 'ort' });
    const w = tf.variable(tf.tensor2d([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2], [0.2, 0.1]]), true, 'split_case_pairs');
    const problem = {
      variables: () => [w],
      // Each row is pulled towards the mean code of its batch: an [n, n] averaging matrix.
      collate: (s: number[][]) => ({ x: tf.tensor2d(s), avg: tf.fill([s.length, s.length], 1 / s.length) }),
      loss: (b: Record<string, tf.Tensor>) => {
        const z = tf.matMul(b.x, w);
        return { loss: tf.mean(tf.square(tf.sub(z, tf.matMul(b.avg, z)))) as tf.Scalar };
      },
      saveCheckpoint: async () => {},
      loadCheckpoint: async () => () => undefined,
    };
    const h = await train(problem, rows, { epochs: 2, batchSize: 8, learningRate: 0.01, threads: 'split' });
    w.dispose();
    expect(h.engine).toBe('onnxruntime');
    expect(h.engineCores).toMatch(/^1 thread; no split halves: the loss does not run on half of the batch \(/);
  });

  it.skipIf(availableParallelism() < 2)("'auto' times split halves beside 1 thread, and keeps 1 thread where split halves cannot run", async () => {
    const { h } = await probingShortFits(() => fitDense({ threads: 'auto', epochs: 5 }, manifoldData(1600)));
    expect(h.engineCores).toMatch(/\(auto; median ms per step: 1 thread [\d.]+, split halves on 2 threads [\d.]+\)$/);
    // A summed loss fails split's check on its first step: 1 thread, and 2 intra-op threads are
    // not timed in split's place.
    await initEngine({ backend: 'ort' });
    const { w, problem } = noisyProblem('sum_auto', 'sum');
    const sum = await probingShortFits(() => train(problem, rows, { epochs: 80, batchSize: 8, seed: 5, learningRate: 0.01, threads: 'auto' }));
    w.dispose();
    expect(sum.engineCores).toMatch(/^1 thread /);
    expect(sum.engineCores).not.toMatch(/2 threads/);
  });

  it("'auto' does not probe a fit too short to repay it: too few steps, or too little time", async () => {
    const few = await probingShortFits(() => fitDense({ threads: 'auto', epochs: 3 }, manifoldData(96)));
    expect(few.h.engineCores).toBe('1 thread (auto; not measured: a fit too short to repay it)');
    // 500 steps (the fit the probe tests above measure) of well under a millisecond each.
    const quick = await fitDense({ threads: 'auto', epochs: 5 }, manifoldData(1600));
    expect(quick.h.engineCores).toBe('1 thread (auto; not measured: a fit too short to repay it)');
  });

  it('rejects other settings', async () => {
    await expect(fitDense({ threads: 'halves' as 'split' })).rejects.toThrow(/threads must be 'auto', 'split', 'spin' or an integer/);
  });
});
