/**
 * The compiled engine inside `fit`: optimizers and clipping against tfjs, checkpoints that
 * resume on either engine, write-back on abort, early stopping, NaN guard, schedules, tensor
 * hygiene, and the fallback to tfjs (with its reason) for what cannot be compiled.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  InvalidArgumentError,
  NonFiniteLossError,
  VectorAutoencoder,
  describeEngine,
  evaluateLoss,
  initEngine,
  tf,
  train,
  type FitOptions,
  type ProgressEvent,
} from '@latentkit/core';
import { drift, manifoldData, weightsOf } from '../testing/manifold.js';
import { sessionOptions } from './runtime.js';
import { MAX_COMPILED_SHAPES } from './step.js';
import { sessionThreads } from './threads.js';


async function trainOn(backend: 'ort' | 'wasm', options: FitOptions<Float32Array>, data = manifoldData(96)) {
  await initEngine({ backend });
  const m = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [16], seed: 7 });
  const initial = weightsOf(m);
  const h = await m.fit(data, { epochs: 3, batchSize: 16, seed: 2, ...options });
  const w = weightsOf(m);
  m.dispose();
  return { h, w, initial };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('fit on the onnxruntime engine', () => {
  it('says so in describeEngine and in the history', async () => {
    const info = await initEngine({ backend: 'ort' });
    expect(info.training).toBe('onnxruntime');
    expect(describeEngine(info)).toMatch(/training on onnxruntime-node 1\.\d+/);
    const { h } = await trainOn('ort', { epochs: 1 });
    expect(h.engine).toBe('onnxruntime');
    expect(h.engineReason).toBeUndefined();
  });

  it('a short last batch compiles too: the whole fit stays on onnxruntime and matches tfjs', async () => {
    // 90 rows in batches of 16: five full batches, then one of 10 after the weights moved.
    const ort = await trainOn('ort', { learningRate: 0.01, epochs: 6 }, manifoldData(90));
    const wasm = await trainOn('wasm', { learningRate: 0.01, epochs: 6 }, manifoldData(90));
    expect(ort.h.engine).toBe('onnxruntime');
    expect(ort.h.engineReason).toBeUndefined();
    expect(ort.h.engineNote).toBeUndefined();
    ort.h.loss.forEach((l, i) => expect(Math.abs(l - wasm.h.loss[i]) / wasm.h.loss[i]).toBeLessThan(1e-4));
    expect(drift(ort.w, wasm.w, wasm.initial)).toBeLessThan(1e-3);
  });

  it('batches of shapes beyond MAX_COMPILED_SHAPES step on tfjs between compiled ones, with Adam state exact', async () => {
    // Variable-length rows padded to the longest of their batch: 6 batch shapes per epoch.
    const lengths = [6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1];
    const rows = lengths.map((n, i) => Array.from({ length: n }, (_, j) => Math.sin(i + j * 0.7)));
    const run = async (backend: 'ort' | 'wasm') => {
      await initEngine({ backend });
      const w = tf.variable(tf.tensor1d([0.5]), true, `shapes_case_w_${backend}`);
      const b0 = tf.variable(tf.tensor1d([-0.25]), true, `shapes_case_b_${backend}`);
      const events: ProgressEvent[] = [];
      const problem = {
        variables: () => [w, b0],
        collate: (s: number[][]) => {
          const L = Math.max(...s.map((r) => r.length));
          return { x: tf.tensor2d(s.map((r) => [...r, ...Array(L - r.length).fill(0)])) };
        },
        loss: (b: Record<string, tf.Tensor>) => ({ loss: tf.mean(tf.square(tf.sub(tf.add(tf.mul(b.x, w), b0), 0.3))) as tf.Scalar }),
        saveCheckpoint: async () => {},
        loadCheckpoint: async () => () => undefined,
      };
      const h = await train(problem, rows, { epochs: 4, batchSize: 2, shuffle: false, learningRate: 0.05, onProgress: (e) => events.push(e) });
      const values = [w.dataSync()[0], b0.dataSync()[0]];
      tf.dispose([w, b0]);
      return { h, values, events };
    };
    const ort = await run('ort');
    expect(describeEngine((await initEngine())!)).toMatch(/\(last fit: 2 of 6 batches per epoch on tfjs \(shape /);
    const wasm = await run('wasm');
    expect(MAX_COMPILED_SHAPES).toBe(4);
    expect(ort.h.engineReason).toBeUndefined();
    expect(ort.h.engine).toBe('onnxruntime');
    expect(ort.h.engineNote).toMatch(/^2 of 6 batches per epoch on tfjs \(shape x:float32\[2,2\] and 1 more: more than 4 batch shapes in one fit\)$/);
    expect(ort.events.filter((e) => e.type === 'engine' && e.note)).toHaveLength(1);
    ort.h.loss.forEach((l, i) => expect(Math.abs(l - wasm.h.loss[i]) / wasm.h.loss[i]).toBeLessThan(1e-4));
    // 24 Adam steps, 8 of them on tfjs: a lost step or a stale moment would show here.
    ort.values.forEach((v, i) => expect(Math.abs(v - wasm.values[i])).toBeLessThan(1e-5));
    expect(Math.abs(ort.values[0] - 0.5)).toBeGreaterThan(0.05);
  });

  for (const [name, optimizer, clipNorm, tol] of [
    ['sgd', 'sgd', undefined, 1e-4],
    ['momentum', 'momentum', undefined, 1e-3],
    ['rmsprop', 'rmsprop', undefined, 1e-2],
    ['adam with clipNorm', 'adam', 0.05, 1e-2],
  ] as const) {
    it(`${name} matches tfjs`, async () => {
      const opts = { optimizer, learningRate: 0.01, ...(clipNorm ? { clipNorm } : {}) };
      const ort = await trainOn('ort', opts);
      const wasm = await trainOn('wasm', opts);
      expect(ort.h.engine).toBe('onnxruntime');
      ort.h.loss.forEach((l, i) => expect(Math.abs(l - wasm.h.loss[i]) / wasm.h.loss[i]).toBeLessThan(1e-4));
      expect(drift(ort.w, wasm.w, wasm.initial)).toBeLessThan(tol);
    });
  }

  it('a zero learning rate leaves the weights exactly as they were', async () => {
    const r = await trainOn('ort', { learningRateSchedule: () => 0 });
    r.w.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(r.initial[i])));
  });

  it('checkpoints resume on either engine to the loss of an uninterrupted run', async () => {
    const data = manifoldData(128);
    const opts = { batchSize: 32, seed: 5, learningRate: 5e-3 };
    const full = await trainOn('ort', { ...opts, epochs: 6 }, data);
    for (const [first, second] of [
      ['ort', 'wasm'],
      ['wasm', 'ort'],
    ] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'lk-ort-ckpt-'));
      dirs.push(dir);
      await trainOn(first, { ...opts, epochs: 3, checkpoint: { dir } }, data);
      const resumed = await trainOn(second, { ...opts, epochs: 6, checkpoint: { dir }, resume: true }, data);
      expect(resumed.h.epochs).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Math.abs(resumed.h.loss[5] - full.h.loss[5]) / full.h.loss[5]).toBeLessThan(1e-3);
    }
  });

  it('writes the weights back to tfjs when a run is aborted mid-epoch', async () => {
    await initEngine({ backend: 'ort' });
    const m = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 3 });
    const ac = new AbortController();
    let atEpoch1: Float32Array[] = [];
    const run = m.fit(manifoldData(160), {
      epochs: 5,
      batchSize: 16,
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (e: ProgressEvent) => {
        if (e.type === 'epoch' && e.epoch === 1) atEpoch1 = weightsOf(m); // synced at epoch end
        if (e.type === 'batch' && e.epoch === 2 && e.batch === 4) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    const after = weightsOf(m);
    expect(after.some((w, i) => w.some((v, j) => v !== atEpoch1[i][j]))).toBe(true);
    m.dispose();
  });

  it('early stopping restores the best epoch, whose weights give the best validation loss', async () => {
    await initEngine({ backend: 'ort' });
    const m = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 3 });
    const val = manifoldData(40, 11);
    const h = await m.fit(manifoldData(200), { epochs: 60, batchSize: 20, learningRate: 5e-2, validationData: val, earlyStopping: { patience: 2, minDelta: 1e-2 } });
    expect(h.stoppedEarly).toBe(true);
    expect(h.engine).toBe('onnxruntime');
    expect(await evaluateLoss(m, val)).toBeCloseTo(h.valLoss[h.bestEpoch - 1]!, 5);
    m.dispose();
  });

  it('stops on a NaN loss naming epoch and batch, with a flat tensor count otherwise', async () => {
    await initEngine({ backend: 'ort' });
    const counts: number[] = [];
    const ok = VectorAutoencoder.create({ inputDim: 8, latentDim: 2 });
    await ok.fit(manifoldData(64), { epochs: 4, batchSize: 16, onProgress: (e) => e.type === 'epoch' && counts.push(e.numTensors) });
    expect(new Set(counts).size).toBe(1);
    ok.dispose();
    const data = manifoldData(64);
    data[40][3] = NaN;
    const bad = VectorAutoencoder.create({ inputDim: 8, latentDim: 2 });
    const err = await bad.fit(data, { epochs: 2, batchSize: 16, shuffle: false }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect([err.epoch, err.batch]).toEqual([1, 3]);
    bad.dispose();
  });

  it('falls back to tfjs with a one-line reason for an optimizer it does not compile', async () => {
    const events: ProgressEvent[] = [];
    const opt = tf.train.adamax(0.01);
    const r = await trainOn('ort', { optimizer: opt, onProgress: (e) => events.push(e) });
    opt.dispose();
    expect(r.h.engine).toBe('tfjs');
    expect(r.h.engineReason).toMatch(/Adamax/);
    expect(events.find((e) => e.type === 'engine')).toMatchObject({ engine: 'tfjs', reason: expect.stringMatching(/Adamax/) });
    expect(describeEngine((await initEngine())!)).toMatch(/last fit trained on tfjs: optimizer Adamax/);
    expect(r.h.loss.at(-1)!).toBeLessThan(r.h.loss[0]);
  });

  it('a variable the loss reads but does not train is a constant, unless the loss changes it', async () => {
    await initEngine({ backend: 'ort' });
    const frozen = tf.variable(tf.tensor1d([2, -1, 0.5]), false, 'frozen_case_f');
    const stat = tf.variable(tf.scalar(0), false, 'frozen_case_stat');
    const w = tf.variable(tf.tensor1d([0.5, -0.25, 1]), true, 'frozen_case_w');
    const data = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, 1]];
    const problem = (changes: boolean) => ({
      variables: () => [w],
      collate: (s: number[][]) => ({ x: tf.tensor2d(s) }),
      loss: (b: Record<string, tf.Tensor>) => {
        // Like batch-norm statistics: a running value the loss itself updates.
        if (changes) stat.assign(tf.add(tf.mul(stat, 0.9), tf.mul(tf.mean(b.x), 0.1)));
        return { loss: tf.mean(tf.square(tf.sub(tf.mul(b.x, w), tf.add(frozen, changes ? stat : 0)))) as tf.Scalar };
      },
      saveCheckpoint: async () => {},
      loadCheckpoint: async () => () => undefined,
    });
    const opts = { epochs: 3, batchSize: 2, optimizer: 'sgd' as const, learningRate: 0.01, shuffle: false };
    const reads = await train(problem(false), data, opts);
    expect(reads.engine).toBe('onnxruntime');
    const compiled = Array.from(w.dataSync());
    w.assign(tf.tensor1d([0.5, -0.25, 1]));
    await initEngine({ backend: 'wasm' });
    await train(problem(false), data, opts);
    Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(compiled[i], 5));
    await initEngine({ backend: 'ort' });
    const changes = await train(problem(true), data, opts);
    expect(changes.engine).toBe('tfjs');
    expect(changes.engineReason).toMatch(/changes variable 'frozen_case_stat'/);
    tf.dispose([frozen, stat, w]);
  });

  it('a second fit reuses the compiled graph only while the loss bakes the same constants', async () => {
    await initEngine({ backend: 'ort' });
    const w = tf.variable(tf.tensor1d([0.5, -0.25, 1]), true, 'cache_case_w');
    const problem = {
      scale: 2,
      variables: () => [w],
      collate: (s: number[][]) => ({ x: tf.tensor2d(s) }),
      // `scale` becomes a constant of the graph: changing it must recompile.
      loss: (b: Record<string, tf.Tensor>) => ({ loss: tf.mean(tf.square(tf.sub(tf.mul(b.x, w), problem.scale))) as tf.Scalar }),
      saveCheckpoint: async () => {},
      loadCheckpoint: async () => () => undefined,
    };
    const data = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, 1]];
    const first = await train(problem, data, { epochs: 1, batchSize: 4, optimizer: 'sgd', learningRate: 1, learningRateSchedule: () => 0 });
    problem.scale = 3;
    const second = await train(problem, data, { epochs: 1, batchSize: 4, optimizer: 'sgd', learningRate: 1, learningRateSchedule: () => 0 });
    const expected = (s: number) => tf.tidy(() => tf.mean(tf.square(tf.sub(tf.mul(tf.tensor2d(data), w), s))).dataSync()[0]);
    expect(first.engine).toBe('onnxruntime');
    expect(second.engine).toBe('onnxruntime');
    expect(first.loss[0]).toBeCloseTo(expected(2), 4);
    expect(second.loss[0]).toBeCloseTo(expected(3), 4);
    w.dispose();
  });

  it('validates threads', async () => {
    await initEngine({ backend: 'ort' });
    const m = VectorAutoencoder.create({ inputDim: 8 });
    await expect(m.fit(manifoldData(16), { threads: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    const h = await m.fit(manifoldData(32), { epochs: 1, threads: 2 });
    expect(h.engine).toBe('onnxruntime');
    m.dispose();
  });

  it("threads: 'spin' trains on 2 spinning intra-op threads as 1 thread does", async () => {
    const spin = await trainOn('ort', { threads: 'spin', learningRate: 0.01 });
    const one = await trainOn('ort', { threads: 1, learningRate: 0.01 });
    expect(spin.h.engine).toBe('onnxruntime');
    expect(spin.h.engineCores).toBe('2 spinning threads');
    spin.h.loss.forEach((l, i) => expect(Math.abs(l - one.h.loss[i]) / one.h.loss[i]).toBeLessThan(1e-5));
    expect(drift(spin.w, one.w, one.initial)).toBeLessThan(1e-4);
    // Its sessions spin between ops during a run and stop spinning at the run's end.
    expect(sessionOptions(sessionThreads('spin'))).toMatchObject({ intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '1' }, force_spinning_stop: '1' } } });
    expect(sessionOptions(sessionThreads(2))).toMatchObject({ intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '0' } } } });
  });
});
