import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomHost } from './compare-backends.js';
import { isOwnKernel } from './stock.js';

describe('wasm _FusedMatMul', () => {
  const activations: tf.fused.Activation[] = ['linear', 'relu', 'elu', 'sigmoid'];
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`matches cpu with bias and activations, transposeA=${transposeA}, transposeB=${transposeB}`, async () => {
        // a: [m, k] = [6, 5], b: [k, n] = [5, 4], before the flags.
        const a = randomHost(transposeA ? [5, 6] : [6, 5], 1);
        const b = randomHost(transposeB ? [4, 5] : [5, 4], 2);
        for (const activation of activations) {
          const { error, wasmShapes } = await compareWithCpu([a, b, randomHost([4], 3)], ([x, y, bias]) =>
            tf.fused.matMul({ a: x, b: y, transposeA, transposeB, bias, activation }),
          );
          expect(wasmShapes[0]).toEqual([6, 4]);
          expect(error).toBeLessThanOrEqual(1e-4);
        }
      });
    }
  }

  it('matches cpu on a batched product without bias', async () => {
    const { error } = await compareWithCpu([randomHost([3, 8, 4], 4), randomHost([3, 7, 8], 5)], ([x, y]) =>
      tf.fused.matMul({ a: x, b: y, transposeA: true, transposeB: true, activation: 'relu' }),
    );
    expect(error).toBeLessThanOrEqual(1e-4);
    expect(isOwnKernel(tf.getKernel(tf._FusedMatMul, 'wasm'))).toBe(true);
  });
});
