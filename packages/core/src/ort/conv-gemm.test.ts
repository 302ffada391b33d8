/**
 * Both im2col/col2im lowerings of conv-gemm.ts (strided slices of stride phases, and one
 * Gather with a precomputed index whose gradient is the adjoint Gather) against tfjs: loss and
 * every gradient within 1e-4 relative, on strides 1/2, 'same'/'valid', odd sizes, dilation,
 * 1x1 and non-square kernels, for conv2d, conv1d and conv2dTranspose.
 * (Dilations are left out: tfjs has no gradient of a dilated conv2d to compare against.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@latentkit/core';
import { checkLowering } from '../testing/ort-harness.js';
import { im2colChoice } from './conv-gemm.js';

const TOL = 1e-4;
function project(y: tf.Tensor): tf.Scalar {
  const r = Float32Array.from({ length: y.size }, (_, i) => Math.sin(i * 12.9898 + 1.7) * 0.9);
  return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
}
type V = tf.Variable[];
const x4 = (v: tf.Variable) => v as unknown as tf.Tensor4D;

const CASES: [string, number[][], (v: V) => tf.Tensor][] = [
  ['conv2d same stride 2, 16 channels (the bench AE\'s second layer, smaller)', [[2, 6, 6, 16], [3, 3, 16, 5]], ([x, w]) => tf.conv2d(x4(x), x4(w), 2, 'same')],
  ['conv2d valid stride 1, 9 channels, 2x3 kernel', [[2, 5, 6, 9], [2, 3, 9, 4]], ([x, w]) => tf.conv2d(x4(x), x4(w), 1, 'valid')],
  ['conv2d same stride 2 even 8x8', [[2, 8, 8, 3], [3, 3, 3, 4]], ([x, w]) => tf.conv2d(x4(x), x4(w), 2, 'same')],
  ['conv2d same stride 2 odd 7x9', [[2, 7, 9, 2], [3, 3, 2, 3]], ([x, w]) => tf.conv2d(x4(x), x4(w), 2, 'same')],
  ['conv2d valid stride 2 odd 9x7, 3x3', [[2, 9, 7, 2], [3, 3, 2, 3]], ([x, w]) => tf.conv2d(x4(x), x4(w), 2, 'valid')],
  ['conv2d same stride 1, 5x3 kernel', [[1, 6, 5, 2], [5, 3, 2, 2]], ([x, w]) => tf.conv2d(x4(x), x4(w), 1, 'same')],
  ['conv2d valid stride 2, 1x1', [[2, 6, 6, 3], [1, 1, 3, 2]], ([x, w]) => tf.conv2d(x4(x), x4(w), 2, 'valid')],
  ['conv1d stride 2 same', [[3, 11, 4], [5, 4, 6]], ([x, w]) => tf.conv1d(x as unknown as tf.Tensor3D, w as unknown as tf.Tensor3D, 2, 'same')],
  ['conv2dTranspose same stride 2, 7 -> 14', [[2, 7, 7, 4], [3, 3, 2, 4]], ([x, w]) => tf.conv2dTranspose(x4(x), x4(w), [2, 14, 14, 2], 2, 'same')],
  ['conv2dTranspose same stride 2 to odd', [[1, 4, 4, 2], [3, 3, 1, 2]], ([x, w]) => tf.conv2dTranspose(x4(x), x4(w), [1, 7, 7, 1], 2, 'same')],
  ['conv2dTranspose valid stride 2', [[2, 3, 4, 2], [3, 3, 3, 2]], ([x, w]) => tf.conv2dTranspose(x4(x), x4(w), [2, 7, 9, 3], 2, 'valid')],
  ['conv2dTranspose valid stride 1', [[2, 3, 5, 2], [2, 3, 3, 2]], ([x, w]) => tf.conv2dTranspose(x4(x), x4(w), [2, 4, 7, 3], 1, 'valid')],
];

const byDefault = im2colChoice.gather;
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});
afterAll(() => {
  im2colChoice.gather = byDefault;
});

const FORMS: [string, (c: number) => boolean][] = [['phase slices', () => false], ['one Gather', () => true], ['default choice', byDefault]];
describe.each(FORMS)('conv im2col + GEMM lowering, im2col as %s, agrees with tfjs (loss and gradients)', (_form, choice) => {
  for (const [name, shapes, fn] of CASES) {
    it(name, async () => {
      im2colChoice.gather = choice;
      const r = await checkLowering((v) => project(fn(v)), shapes);
      expect(r.kernels.some((k) => k.startsWith('Conv'))).toBe(true);
      expect(r.loss, `loss (${r.kernels.join(', ')})`).toBeLessThanOrEqual(TOL);
      r.gradients.forEach((e, i) => expect(e, `gradient ${i} (${r.kernels.join(', ')})`).toBeLessThanOrEqual(TOL));
    });
  }
});
