/**
 * Library `encode` of many inputs reports progress with fit's event shapes and stops on an
 * AbortSignal between batches, for every batch encode path: core's TfAutoencoder (vector and
 * image models), the sentence autoencoder and the speech autoencoder (its own batching).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { AbortError, VectorAutoencoder, initEngine, tf, type Latent, type ProgressEvent } from '@latentkit/core';
import { SpeechAutoencoder, syntheticSpeechCorpus, type AudioClip } from '@latentkit/audio';
import { SentenceAutoencoder } from '@latentkit/text';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

interface Encodes<I> {
  encode(inputs: I[], options?: { batchSize?: number; onProgress?: (e: ProgressEvent) => void; progressIntervalMs?: number; signal?: AbortSignal }): Promise<Latent[]>;
  dispose(): void;
}

/** Encodes with progress; then again, aborting after `abortAfter` batches. */
async function check<I>(model: Encodes<I>, inputs: I[], batchSize: number, abortAfter: number): Promise<void> {
  const events: ProgressEvent[] = [];
  const all = await model.encode(inputs, { batchSize, onProgress: (e) => events.push(e), progressIntervalMs: 0 });
  expect(all).toHaveLength(inputs.length);
  const batches = Math.ceil(inputs.length / batchSize);
  expect(events[0]).toEqual({ type: 'start', epochs: 1, batchesPerEpoch: batches, startEpoch: 0 });
  const steps = events.filter((e): e is Extract<ProgressEvent, { type: 'batch' }> => e.type === 'batch');
  expect(steps.map((e) => e.batch)).toEqual(Array.from({ length: batches }, (_, i) => i + 1));
  expect(steps.every((e) => e.batches === batches && e.samplesPerSecond > 0 && Number.isNaN(e.loss))).toBe(true);
  expect(steps[steps.length - 1].etaSeconds).toBe(0);
  expect(events[events.length - 1].type).toBe('end');

  const ac = new AbortController();
  const before = tf.memory().numTensors;
  let seen = 0;
  const aborted = await model
    .encode(inputs, { batchSize, progressIntervalMs: 0, signal: ac.signal, onProgress: (e) => e.type === 'batch' && ++seen === abortAfter && ac.abort() })
    .catch((e: unknown) => e);
  expect(aborted).toBeInstanceOf(AbortError);
  expect((aborted as AbortError).message).toContain(`after ${abortAfter * batchSize} of ${inputs.length}`);
  expect(seen).toBe(abortAfter);
  expect(tf.memory().numTensors).toBe(before);
  // An already aborted signal stops before any work.
  await expect(model.encode(inputs, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
}

describe('encode progress and cancellation', () => {
  it('core TfAutoencoder (vector model)', async () => {
    const m = VectorAutoencoder.create({ inputDim: 4, latentDim: 2, hidden: [8] });
    await check(m, Array.from({ length: 1000 }, (_, i) => Float32Array.from([i, 1, 2, 3])), 100, 3);
    m.dispose();
  });

  it('sentence autoencoder', async () => {
    const m = SentenceAutoencoder.create({ maxLength: 16, embedDim: 4, channels: [8], depths: [1], globalDim: 4, localDim: 16, globalFeatures: 8, contextHashes: [] });
    await check(m, Array.from({ length: 200 }, (_, i) => `sentence number ${i}`), 32, 2);
    m.dispose();
  });

  it('speech autoencoder (its own batching)', async () => {
    const m = SpeechAutoencoder.create({ sampleRate: 16000, channels: 4, speakerDim: 4, contentDim: 2, normalization: { mean: new Array(64).fill(-5), std: new Array(64).fill(2) } });
    const clips: AudioClip[] = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 6, seed: 1 }).map((u) => u.clip);
    await check(m, clips, 4, 1);
    m.dispose();
  });
});
