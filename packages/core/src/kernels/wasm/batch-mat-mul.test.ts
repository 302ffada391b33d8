import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomHost, runOnBackend } from './compare-backends.js';
import { isOwnKernel, stockKernel } from './stock.js';

// [a shape, b shape] before transposition; the flags transpose the last two axes.
const shapes: [number[], number[]][] = [
  [[7, 5], [5, 3]],
  [[128, 20], [20, 16]],
  [[3, 4, 6], [3, 6, 5]],
  [[2, 1, 4, 6], [3, 6, 2]], // broadcast batch
  [[1, 9], [9, 1]],
];

function t(shape: number[], flag: boolean): number[] {
  if (!flag) return shape;
  const s = [...shape];
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return s;
}

describe('wasm BatchMatMul', () => {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`matches cpu with transposeA=${transposeA}, transposeB=${transposeB}`, async () => {
        for (const [i, [a, b]] of shapes.entries()) {
          const inputs = [randomHost(t(a, transposeA), i), randomHost(t(b, transposeB), 50 + i)];
          const { error, wasmShapes, cpuShapes } = await compareWithCpu(inputs, ([x, y]) =>
            tf.matMul(x, y, transposeA, transposeB),
          );
          expect(wasmShapes).toEqual(cpuShapes);
          expect(error).toBeLessThanOrEqual(1e-4);
        }
      });
    }
  }

  it('computes a known product with both operands transposed', async () => {
    const a = { values: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] }; // a^T = [[1,3,5],[2,4,6]]
    const b = { values: new Float32Array([1, 0, 0, 1, 1, 1]), shape: [2, 3] }; // b^T = [[1,1],[0,1],[0,1]]
    const r = await runOnBackend('wasm', [a, b], ([x, y]) => tf.matMul(x, y, true, true));
    expect(Array.from(r.values[0])).toEqual([1, 9, 2, 12]);
  });

  it('replaces the stock kernel and keeps the stock one to delegate to', async () => {
    await runOnBackend('wasm', [], () => tf.scalar(0));
    expect(isOwnKernel(tf.getKernel(tf.BatchMatMul, 'wasm'))).toBe(true);
    const stock = stockKernel(tf.BatchMatMul);
    expect(isOwnKernel(stock)).toBe(false);
    expect(stock.backendName).toBe('wasm');
  });
});
