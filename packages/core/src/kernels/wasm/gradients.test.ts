/**
 * Gradients that training on wasm depends on, checked against the cpu backend: they route
 * through latentkit's Conv2DBackpropFilter, Conv2DBackpropInput, BatchMatMul and
 * UnsortedSegmentSum kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomHost, type HostTensor } from './compare-backends.js';

const TOL = 1e-4;

describe('gradients on wasm agree with cpu', () => {
  it.each([
    ['conv-AE encoder 1', [4, 28, 28, 1], [3, 3, 1, 16], 2, 'same'],
    ['conv-AE encoder 2', [4, 14, 14, 16], [3, 3, 16, 32], 2, 'same'],
    ['stride 1 valid', [2, 9, 8, 5], [3, 3, 5, 6], 1, 'valid'],
    ['stride 3 same', [2, 10, 11, 4], [5, 5, 4, 3], 3, 'same'],
  ] as const)('conv2d, %s: d/dx and d/dfilter', async (_name, xShape, fShape, stride, pad) => {
    const { error } = await compareWithCpu([randomHost([...xShape], 1), randomHost([...fShape], 2)], ([x, w]) =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad).square().sum(),
      )([x, w]),
    );
    expect(error).toBeLessThanOrEqual(TOL);
  });

  it.each([
    ['conv-AE decoder 1', [4, 7, 7, 32], [3, 3, 16, 32], [4, 14, 14, 16], 2],
    ['conv-AE decoder 2', [4, 14, 14, 16], [3, 3, 1, 16], [4, 28, 28, 1], 2],
    ['stride 1', [2, 6, 6, 3], [3, 3, 5, 3], [2, 6, 6, 5], 1],
  ] as const)('conv2dTranspose, %s: d/dinput and d/dfilter', async (_name, hShape, fShape, outShape, stride) => {
    const { error } = await compareWithCpu([randomHost([...hShape], 3), randomHost([...fShape], 4)], ([h, w]) =>
      tf.grads((h: tf.Tensor, w: tf.Tensor) =>
        tf
          .conv2dTranspose(h as tf.Tensor4D, w as tf.Tensor4D, [...outShape] as [number, number, number, number], stride, 'same')
          .square()
          .sum(),
      )([h, w]),
    );
    expect(error).toBeLessThanOrEqual(TOL);
  });

  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`matMul(transposeA=${transposeA}, transposeB=${transposeB}): d/da and d/db`, async () => {
        const a = randomHost(transposeA ? [12, 9] : [9, 12], 5);
        const b = randomHost(transposeB ? [7, 12] : [12, 7], 6);
        const { error } = await compareWithCpu([a, b], ([a, b]) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, transposeA, transposeB).square().sum())([a, b]),
        );
        expect(error).toBeLessThanOrEqual(TOL);
      });
    }
  }

  it('dense layer (fused matMul + bias + relu): d/dx, d/dW, d/db', async () => {
    const { error } = await compareWithCpu(
      [randomHost([16, 10], 7), randomHost([10, 8], 8), randomHost([8], 9)],
      ([x, w, b]) =>
        tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }).square().sum(),
        )([x, w, b]),
    );
    expect(error).toBeLessThanOrEqual(TOL);
  });

  it('tf.gather (embedding lookup): d/dtable', async () => {
    const idx: HostTensor = { values: Int32Array.from([4, 1, 4, 0, 9, 4, 2, 2]), shape: [2, 4], dtype: 'int32' };
    const { error } = await compareWithCpu([randomHost([12, 6], 10), idx], ([table, ids]) =>
      tf.grad((t: tf.Tensor) => tf.gather(t, ids).square().sum())(table),
    );
    expect(error).toBeLessThanOrEqual(TOL);
  });
});
