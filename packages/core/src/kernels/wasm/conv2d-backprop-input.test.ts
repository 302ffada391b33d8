import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ShapeMismatchError } from '../../errors/errors.js';
import { compareWithCpu, randomHost, runOnBackend } from './compare-backends.js';
import { conv2dBackpropInputNHWC, prefersComposedBackpropInput } from './conv2d-backprop-input.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

// inChannels (filter[2]) >= 4 at stride <= 2 runs the composition; 1-2 channels the stock kernel.
const cases: Case[] = [
  { x: [4, 14, 14, 16], filter: [3, 3, 16, 32], strides: 2, pad: 'same' }, // conv-AE encoder 2 / decoder 1
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 16], strides: 2, pad: 'same' }, // conv-AE decoder 2 (stock)
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 3], strides: 1, pad: 'same' },
  { x: [2, 10, 9, 5], filter: [3, 2, 5, 4], strides: 2, pad: 'valid' },
  { x: [2, 11, 8, 9], filter: [5, 5, 9, 3], strides: 3, pad: 'same' },
  { x: [2, 7, 12, 4], filter: [2, 3, 4, 2], strides: [1, 2], pad: 'valid' },
  { x: [2, 8, 8, 4], filter: [3, 3, 4, 3], strides: 2, pad: 1 },
  { x: [2, 9, 8, 4], filter: [3, 3, 4, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 8, 9, 4], filter: [3, 4, 4, 3], strides: 2, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [2, 8, 8, 4], filter: [2, 2, 4, 3], strides: 2, pad: [[0, 0], [4, 0], [0, 0], [0, 0]] }, // pad > filter
  { x: [2, 11, 11, 2], filter: [4, 4, 2, 3], strides: 2, pad: 'same' },
];

function dyShape(c: Case): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode).outShape;
}

function backpropInput(dy: tf.Tensor, filter: tf.Tensor, c: Case): tf.Tensor {
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
  return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs as unknown as tf.NamedAttrMap);
}

describe('wasm Conv2DBackpropInput', () => {
  it.each(cases.map((c, i) => [i, c] as const))('matches cpu, case %i', async (i, c) => {
    const inputs = [randomHost(dyShape(c), 20 + i), randomHost(c.filter, 200 + i)];
    const { error, wasmShapes } = await compareWithCpu(inputs, ([dy, w]) => backpropInput(dy, w, c));
    expect(wasmShapes[0]).toEqual(c.x);
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('matches cpu through the composition itself, also where the stock kernel is chosen', async () => {
    for (const [i, c] of [cases[1], cases[10]].entries()) {
      const inputs = [randomHost(dyShape(c), 40 + i), randomHost(c.filter, 400 + i)];
      const { error } = await compareWithCpu(inputs, ([dy, w]) =>
        tf.getBackend() === 'wasm'
          ? conv2dBackpropInputNHWC(dy as tf.Tensor4D, w as tf.Tensor4D, { ...c, inputShape: c.x })
          : backpropInput(dy, w, c),
      );
      expect(error).toBeLessThanOrEqual(1e-4);
    }
  });

  it('serves tf.conv2dTranspose', async () => {
    // Decoder 7x7x32 -> 14x14x16, stride 2.
    const inputs = [randomHost([3, 7, 7, 32], 5), randomHost([3, 3, 16, 32], 6)];
    const { error, wasmShapes } = await compareWithCpu(inputs, ([h, w]) =>
      tf.conv2dTranspose(h as tf.Tensor4D, w as tf.Tensor4D, [3, 14, 14, 16], 2, 'same'),
    );
    expect(wasmShapes[0]).toEqual([3, 14, 14, 16]);
    expect(error).toBeLessThanOrEqual(1e-4);
  });

  it('prefers the composition only where it measured faster', () => {
    expect(prefersComposedBackpropInput(16, 2, 2)).toBe(true);
    expect(prefersComposedBackpropInput(4, 2, 2)).toBe(true);
    expect(prefersComposedBackpropInput(2, 1, 1)).toBe(true);
    expect(prefersComposedBackpropInput(1, 2, 2)).toBe(false);
    expect(prefersComposedBackpropInput(2, 2, 2)).toBe(false);
    expect(prefersComposedBackpropInput(64, 4, 4)).toBe(false);
  });

  it('rejects a dy whose shape is not the conv output shape', async () => {
    const c = cases[0];
    const bad = [randomHost([4, 6, 7, 32], 1), randomHost(c.filter, 2)];
    await expect(runOnBackend('wasm', bad, ([dy, w]) => backpropInput(dy, w, c))).rejects.toBeInstanceOf(
      ShapeMismatchError,
    );
  });
});
