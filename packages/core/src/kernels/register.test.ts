import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../engine/engine.js';
import { registerWasmKernels, unregisterWasmKernels } from './register.js';
import { randomHost } from './wasm/compare-backends.js';
import { wasmKernels } from './wasm/index.js';
import { isOwnKernel, stockKernel } from './wasm/stock.js';

/** One call of every kernel latentkit registers, on conv-AE-like shapes. */
function exerciseAll(): tf.Tensor[] {
  const t = (shape: number[], seed: number) => tf.tensor(randomHost(shape, seed).values, shape);
  const x = t([2, 14, 14, 16], 1) as tf.Tensor4D;
  const w = t([3, 3, 16, 32], 2) as tf.Tensor4D;
  const w1 = t([3, 3, 1, 16], 3) as tf.Tensor4D;
  const a = t([8, 6], 4);
  const b = t([5, 6], 5);
  const conv = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same').sum();
  return [
    tf.matMul(a, b, false, true),
    tf.matMul(a, a, true, false),
    tf.fused.matMul({ a, b, transposeB: true, bias: t([5], 6), activation: 'relu' }),
    ...tf.grads(conv)([x, w]), // Conv2DBackpropFilter and the composed Conv2DBackpropInput
    tf.conv2dTranspose(t([2, 14, 14, 16], 7) as tf.Tensor4D, w1, [2, 28, 28, 1], 2, 'same'), // stock path
    tf.unsortedSegmentSum(t([6, 3], 8), tf.tensor1d([0, 2, 2, 1, 0, 5], 'int32'), 4),
  ];
}

describe('registerWasmKernels', () => {
  it('registers every latentkit kernel on wasm, idempotently, without losing the stock ones', async () => {
    await initEngine({ backend: 'wasm' });
    registerWasmKernels();
    registerWasmKernels();
    for (const config of wasmKernels) {
      expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
      expect(isOwnKernel(config)).toBe(true);
    }
    expect(isOwnKernel(stockKernel(tf.BatchMatMul))).toBe(false);
    expect(isOwnKernel(stockKernel(tf.Conv2DBackpropInput))).toBe(false);
  });

  it('still computes after the backend is set up again (setup forwarded to the stock kernels)', async () => {
    await tf.setBackend('cpu');
    await tf.setBackend('wasm');
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 4]]), false, true).dataSync()[0]);
    expect(y).toBe(11);
  });

  it('leaves no tensors and no backend data behind when run under tf.tidy', async () => {
    await initEngine({ backend: 'wasm' });
    tf.tidy(() => void exerciseAll()); // first run: lazy one-time allocations, if any
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) tf.tidy(() => void exerciseAll());
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  });

  it('adds exactly one tensor per call outside tf.tidy: no intermediate outlives a kernel', async () => {
    await initEngine({ backend: 'wasm' });
    const t = (shape: number[], seed: number) => tf.tensor(randomHost(shape, seed).values, shape);
    const x = t([2, 14, 14, 16], 1) as tf.Tensor4D;
    const w = t([3, 3, 16, 32], 2) as tf.Tensor4D;
    const w1 = t([3, 3, 1, 16], 3) as tf.Tensor4D;
    const dy = t([2, 7, 7, 32], 4) as tf.Tensor4D;
    const a = t([8, 6], 5);
    const b = t([5, 6], 6);
    const bias = t([5], 7);
    const a3 = a.reshape([1, 8, 6]);
    const b3 = b.reshape([1, 5, 6]);
    const seg = tf.tensor1d([0, 2, 2, 1, 0, 5], 'int32');
    const v = t([6, 3], 8);
    // engine.runKernel directly: ops wrap kernels in a scope that would tidy up after them.
    const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
      tf.engine().runKernel<tf.Tensor>(name, inputs, attrs as tf.NamedAttrMap);
    const convAttrs = { strides: 2, pad: 'same', dataFormat: 'NHWC' };
    const calls: [string, () => tf.Tensor][] = [
      ['BatchMatMul tB', () => run(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: true })],
      ['BatchMatMul tA', () => run(tf.BatchMatMul, { a, b: a }, { transposeA: true, transposeB: false })],
      [
        '_FusedMatMul tA tB',
        () =>
          run(
            tf._FusedMatMul,
            { a: a3, b: b3, bias },
            { transposeA: false, transposeB: true, activation: 'relu' },
          ),
      ],
      ['Conv2DBackpropFilter', () => run(tf.Conv2DBackpropFilter, { x, dy }, { ...convAttrs, filterShape: w.shape })],
      [
        'Conv2DBackpropInput composed',
        () => run(tf.Conv2DBackpropInput, { dy, filter: w }, { ...convAttrs, inputShape: x.shape }),
      ],
      [
        'Conv2DBackpropInput stock',
        () => run(tf.Conv2DBackpropInput, { dy: x, filter: w1 }, { ...convAttrs, inputShape: [2, 28, 28, 1] }),
      ],
      ['UnsortedSegmentSum', () => run(tf.UnsortedSegmentSum, { x: v, segmentIds: seg }, { numSegments: 4 })],
    ];
    for (const [name, call] of calls) {
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const out = call();
      expect({ name, added: tf.memory().numTensors - tensors }).toEqual({ name, added: 1 });
      out.dispose();
      expect({ name, left: tf.engine().backend.numDataIds() - dataIds }).toEqual({ name, left: 0 });
    }
    tf.dispose([x, w, w1, dy, a, b, a3, b3, bias, seg, v]);
  });
});

describe('unregisterWasmKernels', () => {
  it('restores stock kernels and registerWasmKernels brings latentkit back', async () => {
    await initEngine({ backend: 'wasm' });
    unregisterWasmKernels();
    try {
      expect(isOwnKernel(tf.getKernel('BatchMatMul', 'wasm'))).toBe(false);
      expect(tf.getKernel('BatchMatMul', 'wasm')).toBeDefined();
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    } finally {
      registerWasmKernels();
    }
    expect(isOwnKernel(tf.getKernel('BatchMatMul', 'wasm'))).toBe(true);
    expect(isOwnKernel(tf.getKernel('Conv2DBackpropFilter', 'wasm'))).toBe(true);
  });
});
