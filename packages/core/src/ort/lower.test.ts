/**
 * tfjs ops through the whole compiler (trace -> lowering -> rules -> onnxruntime-node) against
 * tfjs itself: the loss and the gradient of every variable within 1e-4 relative. One case per
 * op family the models use, with the awkward variants (strides, dilations, 'same' padding,
 * broadcasting, keepDims, integer indices).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@latentkit/core';
import { checkLowering } from '../testing/ort-harness.js';

const TOL = 1e-4;
/** A fixed random projection, so every output element matters to the loss. */
function project(y: tf.Tensor): tf.Scalar {
  const n = y.size;
  const r = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + 1.7) * 0.9);
  return tf.sum(tf.mul(tf.cast(y, 'float32'), tf.tensor(r, y.shape)));
}
type V = tf.Variable[];

const CASES: [string, number[][], (v: V) => tf.Tensor][] = [
  ['conv2d same stride 1', [[2, 5, 6, 3], [3, 3, 3, 4]], ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')],
  ['conv2d same stride 2 odd size', [[2, 7, 7, 2], [3, 3, 2, 3]], ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')],
  ['conv2d valid stride 2, 1x1', [[2, 6, 6, 3], [1, 1, 3, 2]], ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')],
  ['conv1d stride 2 same', [[3, 11, 4], [5, 4, 6]], ([x, w]) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same')],
  ['fused conv2d + bias + relu', [[2, 6, 6, 2], [3, 3, 2, 4], [4]], ([x, w, b]) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' })],
  ['conv2dTranspose same stride 2', [[2, 4, 4, 3], [3, 3, 2, 3]], ([x, w]) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 2], 2, 'same')],
  ['conv2dTranspose same stride 2 to odd', [[1, 4, 4, 2], [3, 3, 1, 2]], ([x, w]) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 7, 7, 1], 2, 'same')],
  ['conv2dTranspose valid stride 1', [[2, 3, 5, 2], [2, 3, 3, 2]], ([x, w]) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 4, 7, 3], 1, 'valid')],
  ['matMul with transposes', [[4, 3], [5, 4]], ([a, b]) => tf.matMul(a, b, true, true)],
  ['batched matMul', [[2, 3, 4], [2, 4, 5]], ([a, b]) => tf.matMul(a, b)],
  ['fused matMul bias sigmoid', [[3, 4], [4, 5], [5]], ([a, b, c]) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'sigmoid' })],
  ['fused matMul leakyrelu', [[3, 4], [4, 5]], ([a, b]) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, activation: 'leakyrelu', leakyreluAlpha: 0.3 })],
  ['elu, selu, relu6, prelu', [[3, 7], [7]], ([x, a]) => tf.addN([tf.elu(x), tf.selu(x), tf.relu6(tf.mul(x, 8)), tf.prelu(x, a)])],
  ['softmax and logSoftmax', [[3, 6]], ([x]) => tf.add(tf.softmax(x), tf.logSoftmax(x))],
  ['softmax cross-entropy', [[4, 5]], ([x]) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5), x)],
  ['sigmoid cross-entropy, log1p, expm1', [[3, 4]], ([x]) => tf.addN([tf.losses.sigmoidCrossEntropy(tf.onesLike(x), x), tf.sum(tf.log1p(tf.abs(x))), tf.sum(tf.expm1(x))])],
  // onnxruntime's own Sigmoid is off in its tails (0 at -18); a cross-entropy takes their log.
  ['sigmoid tails into a log, fused matMul sigmoid', [[4, 6], [6, 3]], ([x, w]) => tf.add(
    tf.sum(tf.log(tf.add(tf.sigmoid(tf.mul(x, 30)), 1e-12))),
    tf.sum(tf.log(tf.add(tf.fused.matMul({ a: tf.mul(x, 10) as tf.Tensor2D, b: w as tf.Tensor2D, activation: 'sigmoid' }), 1e-12))),
  )],
  ['moments, norm, rsqrt', [[5, 3]], ([x]) => {
    const { mean, variance } = tf.moments(x, 0, true);
    return tf.add(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), tf.norm(x, 'euclidean', 1, true));
  }],
  ['max, min, mean, sum over axes', [[2, 3, 4]], ([x]) => tf.addN([tf.max(x, [0, 2]), tf.min(x, [0, 2]), tf.mean(x, [0, 2]), tf.sum(x, [0, 2])])],
  ['maximum, minimum, squaredDifference, pow', [[3, 4], [4]], ([a, b]) => tf.addN([tf.maximum(a, tf.broadcastTo(b, [3, 4])), tf.minimum(a, tf.broadcastTo(b, [3, 4])), tf.squaredDifference(a, tf.broadcastTo(b, [3, 4])), tf.pow(tf.abs(a), 1.5)])],
  // tfjs cannot differentiate through a comparison of a variable: the condition is a constant.
  ['clipByValue, where, step', [[4, 5]], ([x]) => tf.add(tf.clipByValue(x, -0.3, 0.4), tf.where(tf.greater(tf.range(0, 20).reshape([4, 5]), 9), tf.mul(x, 2), tf.neg(x)))],
  ['gather embedding rows', [[7, 3]], ([t]) => tf.gather(t, tf.tensor2d([[1, 6, 1], [0, 2, 6]], [2, 3], 'int32'))],
  ['oneHot, argMax, unsortedSegmentSum', [[6, 4]], ([x]) => tf.add(tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 1, 0, 2], 'int32'), 3), tf.sum(tf.mul(tf.oneHot(tf.argMax(x, 1), 4), x)))],
  // (MirrorPad is left out: tfjs's gradient of it is wrong, see grad-rules.test.ts.)
  ['pad, slice', [[3, 5]], ([x]) => tf.addN([tf.sum(tf.pad(x, [[1, 0], [0, 2]], 0.5)), tf.sum(tf.slice(x, [1, 1], [2, 3]))])],
  ['split, concat, stack, unstack, tile', [[4, 6]], ([x]) => {
    const [a, b] = tf.split(x, [2, 4], 1);
    const s = tf.stack([tf.tile(a, [1, 2]), tf.slice(b, [0, 0], [4, 4])], 1);
    return tf.add(tf.sum(tf.concat(tf.unstack(s, 1), 0)), tf.sum(tf.concat([b, a], 1)));
  }],
  ['expandDims, squeeze, transpose, reshape', [[2, 3, 4]], ([x]) => tf.reshape(tf.transpose(tf.squeeze(tf.expandDims(x, 1), [1]), [2, 0, 1]), [4, 6])],
  ['upSampling (resizeNearestNeighbor x2)', [[2, 3, 4, 2]], ([x]) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 8])],
  ['tanh, softplus, erf, sqrt, exp, log', [[3, 4]], ([x]) => tf.addN([tf.tanh(x), tf.softplus(x), tf.erf(x), tf.sqrt(tf.add(tf.square(x), 1)), tf.exp(x), tf.log(tf.add(tf.abs(x), 0.5))])],
  ['integer mod and cast', [[5]], ([x]) => tf.mul(x, tf.cast(tf.mod(tf.tensor1d([7, -3, 5, 9, 4], 'int32'), tf.scalar(4, 'int32')), 'float32'))],
];

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('tfjs kernels lowered to ONNX agree with tfjs (loss and gradients)', () => {
  for (const [name, shapes, fn] of CASES) {
    it(name, async () => {
      const r = await checkLowering((v) => project(fn(v)), shapes);
      expect(r.loss, `loss (${r.kernels.join(', ')})`).toBeLessThanOrEqual(TOL);
      r.gradients.forEach((e, i) => expect(e, `gradient ${i} (${r.kernels.join(', ')})`).toBeLessThanOrEqual(TOL));
    });
  }
});
