/**
 * Model creation before the engine is chosen (each test file runs in a fresh process, so the
 * engine starts uninitialised here).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { VectorAutoencoder } from '../model/vector-autoencoder.js';
// fit trains through the model host; Node's entry installs this one (this test imports no entry).
import '../model/node-host.js';
import { engineInfo } from './engine.js';

describe('ensureEngineSync', () => {
  it('lets create() run before initEngine: weights start on cpu and fit moves them to the chosen backend', async () => {
    expect(engineInfo()).toBeUndefined();
    const ae = VectorAutoencoder.create({ inputDim: 4, latentDim: 2, hidden: [8] });
    expect(tf.getBackend()).toBe('cpu');
    const data = Array.from({ length: 32 }, (_, i) => Float32Array.from([i % 2, (i % 3) / 2, 0.5, (i % 5) / 4]));
    const h = await ae.fit(data, { epochs: 3, batchSize: 8, learningRate: 1e-2 });
    expect(engineInfo()).toBeDefined();
    expect(tf.getBackend()).toBe(engineInfo()!.tfBackend);
    expect(h.loss[2]).toBeLessThan(h.loss[0]);
    const [code] = await ae.encode([data[0]]);
    expect(code.data.every(Number.isFinite)).toBe(true);
    ae.dispose();
  });
});
