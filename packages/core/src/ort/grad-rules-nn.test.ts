/**
 * Every gradient rule of grad-rules-nn.ts against tfjs autodiff on several shapes: matrix
 * products (all transpose flags, batch broadcasting), NCHW convolutions and transposed
 * convolutions (strides, asymmetric pads), softmax, reductions, gather and scatter-add.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@latentkit/core';
import type { Graph } from './graph.js';
import { NN_RULES } from './grad-rules-nn.js';
import { checkRule, type RuleCase } from '../testing/ort-harness.js';

const TOL = 1e-4;
const f = (shape: number[], range?: [number, number]) => ({ shape, ...(range ? { range } : {}) });
const ints = (v: number[]) => ({ ints: v });

function gemmCase(ta: boolean, tb: boolean, bias?: number[]): RuleCase {
  const [m, k, n] = [3, 4, 5];
  return {
    name: `Gemm transA=${ta} transB=${tb}${bias ? ` bias [${bias}]` : ''}`,
    inputs: [f(ta ? [k, m] : [m, k]), f(tb ? [n, k] : [k, n]), ...(bias ? [f(bias)] : [])],
    onnx: (g, xs) => g.node('Gemm', xs, { shape: [m, n], dtype: 'float32' }, { transA: { i: ta ? 1 : 0 }, transB: { i: tb ? 1 : 0 } }),
    tfjs: (a, b, c) => {
      const y = tf.matMul(a, b, ta, tb);
      return c ? tf.add(y, c) : y;
    },
  };
}

/** ONNX Conv on NCHW vs tfjs conv2d on NHWC with the same explicit padding. */
function convCase(x: number[], w: number[], strides: number[], pads: number[]): RuleCase {
  const [n, , h, wd] = x;
  const [co, , kh, kw] = w;
  const ho = Math.floor((h + pads[0] + pads[2] - kh) / strides[0]) + 1;
  const wo = Math.floor((wd + pads[1] + pads[3] - kw) / strides[1]) + 1;
  return {
    name: `Conv x[${x}] w[${w}] strides [${strides}] pads [${pads}]`,
    inputs: [f(x), f(w), f([co])],
    onnx: (g, [xx, ww, b]) =>
      g.node('Conv', [xx, ww, b], { shape: [n, co, ho, wo], dtype: 'float32' }, { kernel_shape: ints([kh, kw]), strides: ints(strides), pads: ints(pads) }),
    tfjs: (xx, ww, b) => {
      const y = tf.conv2d(tf.transpose(xx, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(ww, [2, 3, 1, 0]) as tf.Tensor4D, strides as [number, number], [
        [0, 0],
        [pads[0], pads[2]],
        [pads[1], pads[3]],
        [0, 0],
      ]);
      return tf.transpose(tf.add(y, b), [0, 3, 1, 2]);
    },
  };
}

/** ONNX ConvTranspose vs tfjs conv2dTranspose ('valid', or 'same' = pads [0, 0, 1, 1] at stride 2, k 3). */
function convTransposeCase(x: number[], w: number[], stride: number, same: boolean): RuleCase {
  const [n, , h, wd] = x;
  const [, co, k] = w;
  const out = same ? [h * stride, wd * stride] : [(h - 1) * stride + k, (wd - 1) * stride + k];
  const pads = same ? [0, 0, 1, 1] : [0, 0, 0, 0];
  return {
    name: `ConvTranspose x[${x}] w[${w}] stride ${stride} ${same ? 'same' : 'valid'}`,
    inputs: [f(x), f(w)],
    onnx: (g, [xx, ww]) =>
      g.node('ConvTranspose', [xx, ww], { shape: [n, co, out[0], out[1]], dtype: 'float32' }, { kernel_shape: ints([k, k]), strides: ints([stride, stride]), pads: ints(pads) }),
    tfjs: (xx, ww) => {
      const y = tf.conv2dTranspose(tf.transpose(xx, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(ww, [2, 3, 1, 0]) as tf.Tensor4D, [n, out[0], out[1], co], stride, same ? 'same' : 'valid');
      return tf.transpose(y, [0, 3, 1, 2]);
    },
  };
}

function reduceCase(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin', shape: number[], axes: number[], keep: boolean): RuleCase {
  const fn = { ReduceSum: tf.sum, ReduceMean: tf.mean, ReduceMax: tf.max, ReduceMin: tf.min }[op];
  return { name: `${op} [${shape}] axes [${axes}] keepdims ${keep}`, inputs: [f(shape)], onnx: (g, [x]) => g.reduce(op, x, axes, keep), tfjs: (x) => fn(x, axes, keep) };
}

export const NN_CASES: RuleCase[] = [
  { name: 'MatMul [3,4] x [4,5]', inputs: [f([3, 4]), f([4, 5])], onnx: (g, [a, b]) => g.matmul(a, b), tfjs: (a, b) => tf.matMul(a, b) },
  { name: 'MatMul [2,3,4] x [2,4,5]', inputs: [f([2, 3, 4]), f([2, 4, 5])], onnx: (g, [a, b]) => g.matmul(a, b), tfjs: (a, b) => tf.matMul(a, b) },
  {
    name: 'MatMul [2,3,4] x [1,4,5] (batch broadcast)',
    inputs: [f([2, 3, 4]), f([1, 4, 5])],
    onnx: (g, [a, b]) => g.matmul(a, b),
    tfjs: (a, b) => tf.matMul(a, tf.tile(b, [2, 1, 1])),
  },
  gemmCase(false, false),
  gemmCase(true, false),
  gemmCase(false, true),
  gemmCase(true, true, [5]),
  gemmCase(false, false, [3, 5]),
  convCase([2, 3, 7, 6], [4, 3, 3, 3], [1, 1], [1, 1, 1, 1]),
  convCase([2, 2, 8, 8], [3, 2, 3, 3], [2, 2], [0, 0, 1, 1]),
  convCase([3, 4, 1, 9], [5, 4, 1, 5], [1, 2], [0, 2, 0, 2]),
  convTransposeCase([2, 3, 4, 4], [3, 2, 3, 3], 2, true),
  convTransposeCase([2, 2, 3, 5], [2, 3, 3, 3], 1, false),
  convTransposeCase([1, 4, 3, 3], [4, 2, 3, 3], 2, false),
  ...[
    [4, 6],
    [2, 3, 5],
  ].map((s) => ({ name: `Softmax [${s}]`, inputs: [f(s, [-3, 3])], onnx: (g: Graph, [x]: string[]) => g.unary('Softmax', x, { axis: { i: -1 } }), tfjs: (x: tf.Tensor) => tf.softmax(x) })),
  ...[
    [4, 6],
    [2, 3, 5],
  ].map((s) => ({ name: `LogSoftmax [${s}]`, inputs: [f(s, [-3, 3])], onnx: (g: Graph, [x]: string[]) => g.unary('LogSoftmax', x, { axis: { i: -1 } }), tfjs: (x: tf.Tensor) => tf.logSoftmax(x) })),
  reduceCase('ReduceSum', [3, 4], [1], false),
  reduceCase('ReduceSum', [2, 3, 4], [0, 2], true),
  reduceCase('ReduceMean', [3, 4], [0], false),
  reduceCase('ReduceMean', [2, 3, 4], [1, 2], true),
  reduceCase('ReduceMax', [3, 5], [1], false),
  reduceCase('ReduceMax', [2, 3, 4], [0, 2], true),
  reduceCase('ReduceMin', [3, 5], [0], false),
  reduceCase('ReduceMin', [2, 3, 4], [2], true),
  {
    name: 'Gather rows [6, 3] by [7] indices (repeats)',
    inputs: [f([6, 3]), { shape: [7], dtype: 'int32', values: [0, 5, 2, 2, 1, 5, 5] }],
    onnx: (g, [x, i]) => g.node('Gather', [x, i], { shape: [7, 3], dtype: 'float32' }, { axis: { i: 0 } }),
    tfjs: (x, i) => tf.gather(x, i, 0),
  },
  {
    name: 'Gather rows [5, 2, 2] by [2, 3] indices',
    inputs: [f([5, 2, 2]), { shape: [2, 3], dtype: 'int32', values: [4, 0, 4, 1, 3, 3] }],
    onnx: (g, [x, i]) => g.node('Gather', [x, i], { shape: [2, 3, 2, 2], dtype: 'float32' }, { axis: { i: 0 } }),
    tfjs: (x, i) => tf.gather(x, i, 0),
  },
  ...[
    [[5, 3], [6, 1], [0, 4, 4, 1, 0, 4]],
    [[4], [5, 1], [3, 3, 0, 2, 3]],
  ].map(([data, idx, values]) => ({
    name: `ScatterND add into [${data}] at [${idx}]`,
    inputs: [f(data), { shape: idx, dtype: 'int32' as const, values, diff: false }, f([idx[0], ...data.slice(1)])],
    onnx: (g: Graph, [d, i, u]: string[]) => g.node('ScatterND', [d, g.cast(i, 'int64'), u], { shape: data, dtype: 'float32' }, { reduction: { s: 'add' } }),
    tfjs: (d: tf.Tensor, i: tf.Tensor, u: tf.Tensor) => tf.add(d, tf.unsortedSegmentSum(u, tf.reshape(i, [idx[0]]) as tf.Tensor1D, data[0])),
  })),
];

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('gradient rules (nn ops) agree with tfjs', () => {
  for (const c of NN_CASES) {
    it(c.name, async () => {
      const r = await checkRule(c);
      expect(r.output).toBeLessThanOrEqual(TOL);
      for (const e of r.gradients) expect(e).toBeLessThanOrEqual(TOL);
    });
  }

  it('every rule in this file has a case', () => {
    const covered = new Set(NN_CASES.map((c) => c.name.split(' ')[0]));
    for (const op of Object.keys(NN_RULES)) expect(covered.has(op), op).toBe(true);
  });
});
