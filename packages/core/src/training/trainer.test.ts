import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  InvalidArgumentError,
  NonFiniteLossError,
  VectorAutoencoder,
  fromBatches,
  initEngine,
  tf,
  type ProgressEvent,
} from '@latentkit/core';
import { manifoldData } from '../testing/manifold.js';
import { TinyConvAutoencoder, blobImages } from '../testing/tiny-conv-ae.js';


const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lk-train-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

for (const backend of ['ort', 'wasm', 'cpu'] as const) {
  describe(`training on ${backend}`, () => {
    it('a dense AE drives its loss well below the start, with a flat tensor count', async () => {
      await initEngine({ backend });
      const data = manifoldData(512);
      const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [32] });
      const counts: number[] = [];
      const h = await ae.fit(data, {
        epochs: 12,
        batchSize: 32,
        learningRate: 5e-3,
        onProgress: (e) => e.type === 'epoch' && counts.push(e.numTensors),
      });
      expect(h.loss.at(-1)!).toBeLessThan(h.loss[0] * 0.3);
      expect(new Set(counts).size).toBe(1);
      ae.dispose();
    });

    it('a conv + conv-transpose AE trains (needs conv weight gradients)', async () => {
      await initEngine({ backend });
      const images = blobImages(256, 8, 5);
      const ae = TinyConvAutoencoder.create();
      const h = await ae.fit(images, { epochs: 8, batchSize: 32, learningRate: 1e-2 });
      expect(h.loss.at(-1)!).toBeLessThan(h.loss[0] * 0.5);
      ae.dispose();
    });
  });
}

describe('train()', () => {
  it('reports progress with samples/s and an ETA', async () => {
    await initEngine({ backend: 'wasm' });
    const events: ProgressEvent[] = [];
    const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2 });
    await ae.fit(manifoldData(256), { epochs: 3, batchSize: 16, progressIntervalMs: 0, onProgress: (e) => events.push(e) });
    const batches = events.filter((e) => e.type === 'batch');
    expect(events[0].type).toBe('start');
    expect(events.at(-1)!.type).toBe('end');
    expect(batches.length).toBe(3 * 16);
    const b = batches[5] as Extract<ProgressEvent, { type: 'batch' }>;
    expect(b.samplesPerSecond).toBeGreaterThan(0);
    expect(b.etaSeconds).toBeGreaterThan(0);
    expect(b.batches).toBe(16);
    ae.dispose();
  });

  it('stops on a NaN loss, naming epoch and batch', async () => {
    await initEngine({ backend: 'wasm' });
    const data = manifoldData(64);
    data[40][3] = NaN; // lands in batch 3 of epoch 1 without shuffling
    const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2 });
    const err = await ae.fit(data, { epochs: 2, batchSize: 16, shuffle: false }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.epoch).toBe(1);
    expect(err.batch).toBe(3);
    expect(err.message).toMatch(/epoch 1, batch 3/);
    ae.dispose();
  });

  it('uses a validation split and stops early when validation stops improving', async () => {
    await initEngine({ backend: 'wasm' });
    const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2 });
    const h = await ae.fit(manifoldData(200), {
      epochs: 200,
      batchSize: 20,
      validationSplit: 0.2,
      learningRate: 5e-2,
      earlyStopping: { patience: 2, minDelta: 1e-2 },
    });
    expect(h.valLoss.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
    expect(h.stoppedEarly).toBe(true);
    expect(h.epochs.length).toBeLessThan(200);
    ae.dispose();
  });

  it('timeLimitMs stops between batches, keeps the weights trained so far and returns normally', async () => {
    await initEngine({ backend: 'wasm' });
    const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [32] });
    const before = await ae.reconstruct(manifoldData(4));
    const events: string[] = [];
    const h = await ae.fit(manifoldData(400), { epochs: 100_000, batchSize: 4, timeLimitMs: 300, onProgress: (e) => events.push(e.type) });
    expect(h.stoppedByTimeLimit).toBe(true);
    expect(h.epochs.length).toBeGreaterThan(0);
    expect(h.epochs.length).toBeLessThan(100_000);
    expect(h.seconds).toBeLessThan(5);
    expect(events.at(-1)).toBe('end');
    const after = await ae.reconstruct(manifoldData(4));
    expect(after[0]).not.toEqual(before[0]);
    const full = await ae.fit(manifoldData(40), { epochs: 2, timeLimitMs: 60_000 });
    expect(full.stoppedByTimeLimit).toBeUndefined();
    await expect(ae.fit(manifoldData(40), { timeLimitMs: 0 })).rejects.toThrow(/timeLimitMs must be > 0/);
    ae.dispose();
  });

  it('trains from an async iterator of batches (data larger than memory)', async () => {
    await initEngine({ backend: 'wasm' });
    const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [32] });
    const stream = fromBatches(async function* ({ epoch }) {
      for (let i = 0; i < 20; i++) yield manifoldData(32, epoch * 100 + i);
    });
    const h = await ae.fit(stream, { epochs: 6, learningRate: 5e-3 });
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0] * 0.5);
    ae.dispose();
  });

  it('resumes from a checkpoint to the same final loss as an uninterrupted run', async () => {
    await initEngine({ backend: 'wasm' });
    const data = manifoldData(256);
    const opts = { batchSize: 32, seed: 7, learningRate: 5e-3 };
    const full = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 11 });
    const hFull = await full.fit(data, { ...opts, epochs: 6 });
    full.dispose();

    const dir = await tempDir();
    const first = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 11 });
    await first.fit(data, { ...opts, epochs: 3, checkpoint: { dir } });
    first.dispose(); // the "killed" run
    const second = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 11 });
    // Same final loss only if weights, optimizer state, shuffles and epoch count all resumed.
    const hResumed = await second.fit(data, { ...opts, epochs: 6, checkpoint: { dir }, resume: true });
    expect(hResumed.epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(hResumed.loss.at(-1)!).toBeCloseTo(hFull.loss.at(-1)!, 5);
    second.dispose();
  });

  it('follows a learning-rate schedule: it sees every step, and a zero rate leaves the weights alone', async () => {
    await initEngine({ backend: 'wasm' });
    const data = manifoldData(64);
    const probe = manifoldData(4, 9);
    for (const optimizer of ['adam', 'sgd', 'momentum'] as const) {
      const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 5 });
      const before = (await ae.encode(probe)).flatMap((l) => Array.from(l.data));
      const seen: { step: number; totalSteps?: number; progress: number }[] = [];
      await ae.fit(data, {
        epochs: 3,
        batchSize: 16,
        optimizer,
        learningRate: 0.1,
        learningRateSchedule: ({ step, totalSteps, progress }) => {
          seen.push({ step, totalSteps, progress });
          return 0;
        },
      });
      expect(seen.map((s) => s.step)).toEqual([...Array(12).keys()]);
      expect(seen.every((s) => s.totalSteps === 12)).toBe(true);
      expect(seen.at(-1)!.progress).toBeCloseTo(11 / 12, 6);
      expect((await ae.encode(probe)).flatMap((l) => Array.from(l.data))).toEqual(before);
      ae.dispose();
    }
  });

  it('a cosine schedule resumes from a checkpoint to the same loss, and differs from a constant rate', async () => {
    await initEngine({ backend: 'wasm' });
    const data = manifoldData(256);
    const opts = { batchSize: 32, seed: 7, learningRate: 5e-3, learningRateSchedule: 'cosine' as const };
    const full = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 11 });
    const hFull = await full.fit(data, { ...opts, epochs: 6 });
    full.dispose();
    const constant = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 11 });
    const hConstant = await constant.fit(data, { ...opts, learningRateSchedule: 'constant', epochs: 6 });
    constant.dispose();
    expect(Math.abs(hConstant.loss.at(-1)! - hFull.loss.at(-1)!)).toBeGreaterThan(1e-4);
    expect(hConstant.loss[0]).toBeCloseTo(hFull.loss[0], 2);

    const dir = await tempDir();
    // A 6-epoch run killed after its third epoch (a 3-epoch run would have its own, shorter schedule).
    const first = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 11 });
    const ac = new AbortController();
    const killed = first.fit(data, { ...opts, epochs: 6, checkpoint: { dir }, signal: ac.signal, onProgress: (e) => e.type === 'epoch' && e.epoch === 3 && ac.abort() });
    await expect(killed).rejects.toBeInstanceOf(AbortError);
    first.dispose();
    const second = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, seed: 11 });
    const hResumed = await second.fit(data, { ...opts, epochs: 6, checkpoint: { dir }, resume: true });
    expect(hResumed.epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(hResumed.loss.at(-1)!).toBeCloseTo(hFull.loss.at(-1)!, 5);
    second.dispose();
  });

  it('aborts through an AbortSignal and validates options', async () => {
    await initEngine({ backend: 'wasm' });
    const ae = VectorAutoencoder.create({ inputDim: 8 });
    const ac = new AbortController();
    ac.abort();
    await expect(ae.fit(manifoldData(64), { signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    await expect(ae.fit(manifoldData(64), { epochs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(ae.fit(manifoldData(64), { batchSize: 2.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(ae.fit([], { epochs: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    // @ts-expect-error an unknown schedule name
    await expect(ae.fit(manifoldData(64), { learningRateSchedule: 'linear' })).rejects.toThrow(/Unknown learningRateSchedule 'linear'/);
    await expect(ae.fit(manifoldData(64), { epochs: 1, learningRateSchedule: () => Number.NaN })).rejects.toThrow(/returned NaN at epoch 1, step 0/);
    ae.dispose();
  });

  it('leaves the tensor count unchanged over 100 encode calls', async () => {
    await initEngine({ backend: 'wasm' });
    const ae = VectorAutoencoder.create({ inputDim: 8, latentDim: 2 });
    const x = manifoldData(10);
    await ae.encode(x);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await ae.encode(x);
    await ae.decode(await ae.encode(x));
    await ae.reconstruct(x);
    expect(tf.memory().numTensors).toBe(before);
    ae.dispose();
  });
});
