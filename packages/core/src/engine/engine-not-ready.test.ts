/** A model created while initEngine() is still running gets a typed error (fresh process). */
import { describe, expect, it } from 'vitest';
import { EngineNotReadyError } from '../errors/errors.js';
import { VectorAutoencoder } from '../model/vector-autoencoder.js';
import { initEngine } from './engine.js';

describe('ensureEngineSync while initEngine is pending', () => {
  it('throws EngineNotReadyError naming what to await, then works once the engine is ready', async () => {
    const pending = initEngine({ backend: 'wasm' });
    let caught: unknown;
    try {
      VectorAutoencoder.create({ inputDim: 4, latentDim: 2 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EngineNotReadyError);
    expect((caught as EngineNotReadyError).code).toBe('LK_ENGINE_NOT_READY');
    expect((caught as EngineNotReadyError).hint).toMatch(/await initEngine\(\)/);
    await pending;
    VectorAutoencoder.create({ inputDim: 4, latentDim: 2 }).dispose();
  });
});
