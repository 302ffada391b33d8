import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ShapeMismatchError } from '../../errors/errors.js';
import { compareWithCpu, randomHost, runOnBackend } from './compare-backends.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const cases: Case[] = [
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 16], strides: 2, pad: 'same' }, // conv-AE encoder 1
  { x: [4, 14, 14, 16], filter: [3, 3, 16, 32], strides: 2, pad: 'same' }, // conv-AE encoder 2
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 10, 9, 3], filter: [3, 2, 3, 4], strides: 2, pad: 'valid' },
  { x: [2, 11, 8, 2], filter: [5, 5, 2, 3], strides: 3, pad: 'same' },
  { x: [2, 7, 12, 3], filter: [2, 3, 3, 2], strides: [1, 2], pad: 'valid' },
  { x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1 },
  { x: [2, 9, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 8, 9, 2], filter: [3, 4, 2, 3], strides: 2, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [1, 6, 6, 1], filter: [6, 6, 1, 2], strides: 1, pad: 'valid' }, // 1x1 output
];

function dyShape(c: Case): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode).outShape;
}

function backpropFilter(x: tf.Tensor, dy: tf.Tensor, c: Case, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor {
  const attrs = { strides: c.strides, pad: c.pad, dataFormat, dimRoundingMode: c.dimRoundingMode, filterShape: c.filter };
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap);
}

describe('wasm Conv2DBackpropFilter', () => {
  it.each(cases.map((c, i) => [i, c] as const))('matches cpu, case %i', async (i, c) => {
    const inputs = [randomHost(c.x, 10 + i), randomHost(dyShape(c), 100 + i)];
    const { error, wasmShapes } = await compareWithCpu(inputs, ([x, dy]) => backpropFilter(x, dy, c));
    expect(wasmShapes[0]).toEqual(c.filter);
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('matches cpu for NCHW data', async () => {
    const c = cases[4];
    const nchw = (s: number[]) => [s[0], s[3], s[1], s[2]];
    const inputs = [randomHost(nchw(c.x), 7), randomHost(nchw(dyShape(c)), 8)];
    const { error } = await compareWithCpu(inputs, ([x, dy]) => backpropFilter(x, dy, c, 'NCHW'));
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('computes a known value: one pixel, one tap', async () => {
    // x = 1..9 on a 3x3 grid, dy = 1 at output (0,0) of a valid 2x2 conv: dW = x's top-left 2x2.
    const x = { values: Float32Array.from({ length: 9 }, (_, i) => i + 1), shape: [1, 3, 3, 1] };
    const dy = { values: new Float32Array([1, 0, 0, 0]), shape: [1, 2, 2, 1] };
    const c: Case = { x: [1, 3, 3, 1], filter: [2, 2, 1, 1], strides: 1, pad: 'valid' };
    const r = await runOnBackend('wasm', [x, dy], ([x, dy]) => backpropFilter(x, dy, c));
    expect(Array.from(r.values[0])).toEqual([1, 2, 4, 5]);
  });

  it('rejects a dy whose shape is not the conv output shape', async () => {
    const c = cases[2];
    const bad = [randomHost(c.x, 1), randomHost([2, 8, 9, 4], 2)];
    await expect(runOnBackend('wasm', bad, ([x, dy]) => backpropFilter(x, dy, c))).rejects.toBeInstanceOf(
      ShapeMismatchError,
    );
  });
});
