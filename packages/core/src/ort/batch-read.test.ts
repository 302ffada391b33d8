/**
 * Batch tensors read for the compiled step: the same values as `tensor.data()`, for every dtype
 * a batch carries, on the backends training runs beside onnxruntime, into the kept buffer.
 */
import { describe, expect, it } from 'vitest';
import { initEngine, tf } from '@latentkit/core';
import { readBatchTensor } from './batch-read.js';

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`readBatchTensor on ${backend}`, () => {
    it('copies float32, int32 and bool values as data() gives them, into the kept buffer', async () => {
      await initEngine({ backend });
      const cases = [
        tf.tensor2d([[1.5, -2, 3.25], [4, 5e-8, -6e6]]),
        tf.tensor1d([7, -3, 2147483647, 0], 'int32'),
        tf.tensor1d([true, false, true], 'bool'),
        // A tensor made by a kernel, not from JS values.
        tf.tidy(() => tf.mul(tf.range(0, 6, 1, 'float32'), 0.5)),
      ];
      for (const t of cases) {
        const want = await t.data();
        const kept = await readBatchTensor(t, undefined);
        expect(Array.from(kept)).toEqual(Array.from(want));
        expect(kept.constructor).toBe(t.dtype === 'bool' ? Uint8Array : t.dtype === 'int32' ? Int32Array : Float32Array);
        // The next batch of the same size lands in the same buffer.
        const next = tf.tidy(() => tf.neg(t.dtype === 'bool' ? tf.cast(t, 'int32') : t));
        const again = await readBatchTensor(t.dtype === 'bool' ? t : next, kept);
        expect(again).toBe(kept);
        expect(Array.from(again)).toEqual(Array.from(await (t.dtype === 'bool' ? t : next).data()));
        // A buffer of another size or type is not reused.
        expect(await readBatchTensor(t, new Float64Array(1) as unknown as Float32Array)).not.toBe(kept);
        tf.dispose([t, next]);
      }
    });
  });
}
