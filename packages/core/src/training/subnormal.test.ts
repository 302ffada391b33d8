/**
 * Optimizer slots never decay into subnormal floats, on either engine (training/slot-flush.ts):
 * x86 computes on them through slow microcode, and a dense AE's fits ran 0.67x (onnxruntime) and
 * 0.85x (tfjs-wasm) from the step where Adam's first moments of its dead units got there.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { initEngine, tf, train } from '@latentkit/core';

const STEPS = 820;

/**
 * A linear map whose first input feature is 1 in the first batch only: from the second step on
 * the gradient of W's first row is exactly 0, and Adam's first moments of that row (-0.05 after
 * step 1, in tfjs's terms) shrink by beta1 = 0.9 a step: -0.05 * 0.9^819 = -1.6e-39 after the
 * fit, a subnormal float, were nothing flushed.
 */
function fadingProblem(name: string) {
  const w = tf.variable(tf.zeros([4, 4]), true, `subnormal_${name}`);
  const rows = Array.from({ length: STEPS * 2 }, (_, i) =>
    i < 2 ? [1, 0, 0, 0, 1, 1, 1, 1] : [0, Math.sin(i), Math.cos(i * 0.7), Math.sin(i * 0.3), Math.cos(i), Math.sin(i * 0.5), 0.2, -0.1],
  );
  const problem = {
    variables: () => [w],
    collate: (s: number[][]) => ({ x: tf.tensor2d(s.map((r) => r.slice(0, 4))), t: tf.tensor2d(s.map((r) => r.slice(4))) }),
    loss: (b: Record<string, tf.Tensor>) => ({ loss: tf.mean(tf.square(tf.sub(tf.matMul(b.x, w), b.t))) as tf.Scalar }),
    saveCheckpoint: async () => {},
    loadCheckpoint: async () => () => undefined,
  };
  return { w, rows, problem };
}

async function firstMoments(threads: 1 | 'split', backend: 'ort' | 'wasm' = 'ort') {
  await initEngine({ backend });
  const { w, rows, problem } = fadingProblem(String(threads));
  const optimizer = tf.train.adam(0.01);
  const h = await train(problem, rows, { epochs: 1, batchSize: 2, shuffle: false, seed: 1, optimizer, threads });
  const weights = await optimizer.getWeights();
  const m = weights.find((x) => /m$|first/i.test(x.name) && x.tensor.size === 16)!.tensor;
  const values = Array.from(m.dataSync());
  // getWeights makes a fresh tensor of the iteration count; the moments are the optimizer's variables.
  tf.dispose(weights.map((x) => x.tensor).filter((t) => !(t instanceof tf.Variable)));
  const moved = Array.from(w.dataSync());
  optimizer.dispose();
  w.dispose();
  return { h, firstRow: values.slice(0, 4), all: values, moved };
}

const subnormal = (x: number) => x !== 0 && Math.abs(x) < 1.1754943508222875e-38;

describe('optimizer slots below the subnormal range', () => {
  it('are flushed to 0 by the loop graph (steps on this thread)', async () => {
    const { h, firstRow, all, moved } = await firstMoments(1);
    expect(h.engine).toBe('onnxruntime');
    expect(h.engineCores).toBe('1 thread');
    expect(firstRow).toEqual([0, 0, 0, 0]);
    expect(all.filter(subnormal)).toEqual([]);
    // The other rows trained: their moments are not all 0.
    expect(all.slice(4).some((x) => Math.abs(x) > 1e-6)).toBe(true);
    expect(moved.slice(4).some((x) => Math.abs(x) > 1e-3)).toBe(true);
  });

  it('are flushed to 0 by the tfjs step (the wasm engine)', async () => {
    const { h, firstRow, all, moved } = await firstMoments(1, 'wasm');
    expect(h.engine).toBe('tfjs');
    expect(firstRow).toEqual([0, 0, 0, 0]);
    expect(all.filter(subnormal)).toEqual([]);
    expect(all.slice(4).some((x) => Math.abs(x) > 1e-6)).toBe(true);
    expect(moved.slice(4).some((x) => Math.abs(x) > 1e-3)).toBe(true);
  });

  it.skipIf(availableParallelism() < 2)('are flushed to 0 by the split workers', async () => {
    const { h, firstRow, all } = await firstMoments('split');
    expect(h.engineCores).toBe('split halves on 2 threads');
    expect(firstRow).toEqual([0, 0, 0, 0]);
    expect(all.filter(subnormal)).toEqual([]);
    expect(all.slice(4).some((x) => Math.abs(x) > 1e-6)).toBe(true);
  });
});
