import { describe, expect, it } from 'vitest';
import { initEngine, tf, BackendUnavailableError, InvalidArgumentError } from '@latentkit/core';

describe('initEngine', () => {
  it('picks a backend that computes, and reports it', async () => {
    const info = await initEngine();
    expect(['node', 'ort', 'wasm', 'cpu']).toContain(info.backend);
    // onnxruntime-node installs from npm alone: where tfjs-node is absent, it trains.
    if (info.backend !== 'node') expect(info.backend).toBe('ort');
    expect(info.training).toBe(info.backend === 'ort' ? 'onnxruntime' : 'tfjs');
    expect(tf.getBackend()).toBe(info.tfBackend);
    // Where tfjs-node cannot install (this CI), the skip reason names it.
    if (info.backend !== 'node') expect(info.skipped[0]?.backend).toBe('node');
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    expect(y).toBe(11);
  });

  it('switches to a forced backend and back', async () => {
    const cpu = await initEngine({ backend: 'cpu' });
    expect(cpu.backend).toBe('cpu');
    expect(cpu.forced).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initEngine({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.backend).toBe('wasm');
  });

  it('fails clearly when a forced backend cannot load', async () => {
    let installed = true;
    try {
      await import(['@tensorflow', 'tfjs-node'].join('/'));
    } catch {
      installed = false;
    }
    if (installed) return; // nothing to prove where native TF is present
    await expect(initEngine({ backend: 'node' })).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it('fails clearly when ort is forced but onnxruntime-node is ruled out', async () => {
    process.env.LATENTKIT_ORT = '0';
    try {
      const err = await initEngine({ backend: 'ort' }).catch((e) => e);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect(err.message).toMatch(/LATENTKIT_ORT=0/);
    } finally {
      delete process.env.LATENTKIT_ORT;
    }
    expect((await initEngine({ backend: 'ort' })).training).toBe('onnxruntime');
  });

  it('rejects an unknown LATENTKIT_BACKEND value', () => {
    const old = process.env.LATENTKIT_BACKEND;
    process.env.LATENTKIT_BACKEND = 'gpu';
    try {
      expect(() => initEngine()).toThrow(InvalidArgumentError);
    } finally {
      if (old === undefined) delete process.env.LATENTKIT_BACKEND;
      else process.env.LATENTKIT_BACKEND = old;
    }
  });
});
