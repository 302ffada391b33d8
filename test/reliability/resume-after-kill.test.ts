import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VectorAutoencoder, initEngine } from '@latentkit/core';
import { kill, startChild, waitForLines } from './child-process.js';
import { manifoldData } from './fixtures/data.js';

let root: string | undefined;
afterAll(async () => root && rm(root, { recursive: true, force: true }));

describe('resumable training', () => {
  it('a run killed mid-training resumes from its checkpoint to the same final loss', async () => {
    await initEngine({ backend: 'wasm' });
    root = await mkdtemp(join(tmpdir(), 'lk-resume-'));
    const epochs = 6;
    const opts = { epochs, batchSize: 32, seed: 9, learningRate: 3e-3 };

    const reference = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [32], seed: 5 });
    const full = await reference.fit(manifoldData(2048), opts);
    reference.dispose();

    const dir = join(root, 'ckpt');
    const child = startChild(['train', dir, String(epochs)]);
    await waitForLines(child, /^checkpoint /, 2);
    await kill(child); // somewhere inside epoch 3

    const resumed = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [32], seed: 5 });
    const h = await resumed.fit(manifoldData(2048), { ...opts, checkpoint: { dir }, resume: true });
    resumed.dispose();
    expect(h.epochs[0]).toBe(1);
    expect(h.epochs.at(-1)).toBe(epochs);
    expect(Math.abs(h.loss.at(-1)! - full.loss.at(-1)!)).toBeLessThan(1e-4 * Math.max(1, full.loss.at(-1)!));
  }, 300_000);
});
