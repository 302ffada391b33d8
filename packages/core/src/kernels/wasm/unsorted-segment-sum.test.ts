import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InputTooLargeError, ShapeMismatchError } from '../../errors/errors.js';
import { compareWithCpu, randomHost, runOnBackend, type HostTensor } from './compare-backends.js';

function ids(values: number[]): HostTensor {
  return { values: Int32Array.from(values), shape: [values.length], dtype: 'int32' };
}

describe('wasm UnsortedSegmentSum', () => {
  it('matches cpu on embedding-gradient shapes', async () => {
    const n = 64;
    const segs = Array.from({ length: n }, (_, i) => (i * 37) % 50); // repeats and gaps
    const { error, wasmShapes } = await compareWithCpu([randomHost([n, 16], 1), ids(segs)], ([x, s]) =>
      tf.unsortedSegmentSum(x, s as tf.Tensor1D, 50),
    );
    expect(wasmShapes[0]).toEqual([50, 16]);
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('matches cpu on rank-1 and rank-3 x, and drops ids outside [0, numSegments)', async () => {
    const segs = ids([2, 0, 2, -1, 5, 1]);
    for (const shape of [[6], [6, 3, 2]]) {
      const { error, wasmShapes } = await compareWithCpu([randomHost(shape, 2), segs], ([x, s]) =>
        tf.unsortedSegmentSum(x, s as tf.Tensor1D, 4),
      );
      expect(wasmShapes[0]).toEqual([4, ...shape.slice(1)]);
      expect(error).toBeLessThanOrEqual(1e-4);
    }
  });

  it('sums known values, int32 included', async () => {
    const x = { values: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2], dtype: 'int32' as const };
    const r = await runOnBackend('wasm', [x, ids([1, 0, 1])], ([x, s]) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 3));
    expect(Array.from(r.values[0])).toEqual([3, 4, 6, 8, 0, 0]);
  });

  it('serves the gradient of tf.gather', async () => {
    const table = randomHost([10, 4], 3);
    const { error } = await compareWithCpu([table, ids([3, 3, 9, 0, 3])], ([t, s]) =>
      tf.grad((t: tf.Tensor) => tf.gather(t, s).square().sum())(t),
    );
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('refuses an output beyond the size limit before allocating it', async () => {
    await expect(
      runOnBackend('wasm', [randomHost([2, 4096], 4), ids([0, 1])], ([x, s]) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 2 ** 20)),
    ).rejects.toBeInstanceOf(InputTooLargeError);
  });

  it('rejects segment ids that do not cover a prefix of x', async () => {
    await expect(
      runOnBackend('wasm', [randomHost([4, 3], 5), ids([0, 1, 2])], ([x, s]) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 3)),
    ).rejects.toBeInstanceOf(ShapeMismatchError);
  });
});
