/**
 * Every gradient rule of grad-rules.ts against tfjs autodiff, on several shapes (including
 * broadcasting): outputs and input gradients must agree within 1e-4 relative.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@latentkit/core';
import { Graph } from './graph.js';
import { GRADIENT_RULES } from './grad.js';
import { checkRule, type RuleCase } from '../testing/ort-harness.js';

const TOL = 1e-4;
const f = (shape: number[], range?: [number, number]) => ({ shape, ...(range ? { range } : {}) });
const bin = (op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min', fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, ra?: [number, number], rb?: [number, number]): RuleCase[] =>
  [
    [[3, 4], [3, 4]],
    [[2, 3, 4], [4]],
    [[2, 1, 4], [3, 1]],
    [[], [5]],
  ].map(([a, b]) => ({ name: `${op} [${a}] [${b}]`, inputs: [f(a, ra), f(b, rb)], onnx: (g: Graph, [x, y]: string[]) => g.binary(op, x, y), tfjs: fn }));
const un = (op: string, fn: (x: tf.Tensor) => tf.Tensor, range?: [number, number], attrs = {}): RuleCase[] =>
  [[7], [2, 3, 5]].map((s) => ({ name: `${op} [${s}]`, inputs: [f(s, range)], onnx: (g: Graph, [x]: string[]) => g.unary(op, x, attrs), tfjs: fn }));

function broadcastBoth(a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const s = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  return [tf.broadcastTo(a, s), tf.broadcastTo(b, s)];
}

export const BASE_CASES: RuleCase[] = [
  ...bin('Add', tf.add),
  ...bin('Sub', tf.sub),
  ...bin('Mul', tf.mul),
  ...bin('Div', tf.div, [-1, 1], [0.5, 1.5]),
  ...bin('Pow', tf.pow, [0.5, 2], [-1, 2]),
  // tfjs cannot differentiate a broadcasting maximum/minimum itself: broadcast first.
  ...bin('Max', (a, b) => tf.maximum(...broadcastBoth(a, b))),
  ...bin('Min', (a, b) => tf.minimum(...broadcastBoth(a, b))),
  ...[[[3, 4], [3, 4], [3, 4]], [[2, 3], [3], [2, 1]]].map(([c, a, b]) => ({
    name: `Where [${c}] [${a}] [${b}]`,
    inputs: [{ shape: c, dtype: 'bool' as const }, f(a), f(b)],
    onnx: (g: Graph, [cc, x, y]: string[]) => g.where(cc, x, y),
    tfjs: (cc: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => {
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(cc.shape, tf.broadcast_util.assertAndGetBroadcastShape(x.shape, y.shape));
      return tf.where(tf.broadcastTo(cc, shape), tf.broadcastTo(x, shape), tf.broadcastTo(y, shape));
    },
  })),
  {
    name: 'Sum of 3 with broadcasting',
    inputs: [f([2, 3]), f([3]), f([2, 1])],
    onnx: (g, xs) => g.node('Sum', xs, { shape: [2, 3], dtype: 'float32' }),
    tfjs: (a, b, c) => tf.add(tf.add(a, b), c),
  },
  ...un('Neg', tf.neg),
  ...un('Abs', tf.abs),
  ...un('Exp', tf.exp),
  ...un('Log', tf.log, [0.2, 3]),
  ...un('Sqrt', tf.sqrt, [0.2, 3]),
  ...un('Reciprocal', tf.reciprocal, [0.5, 2]),
  ...un('Relu', tf.relu),
  ...un('LeakyRelu', (x) => tf.leakyRelu(x, 0.2), undefined, { alpha: { f: 0.2 } }),
  ...un('Sigmoid', tf.sigmoid, [-4, 4]),
  ...un('Tanh', tf.tanh, [-3, 3]),
  ...un('Softplus', tf.softplus, [-3, 3]),
  ...un('Erf', tf.erf, [-2, 2]),
  ...un('Sin', tf.sin, [-3, 3]),
  ...un('Cos', tf.cos, [-3, 3]),
  ...un('Identity', (x) => tf.clone(x)),
  ...[[6], [2, 5]].map((s) => ({
    name: `Clip [${s}]`,
    inputs: [f(s, [-2, 2])],
    onnx: (g: Graph, [x]: string[]) => g.node('Clip', [x, g.scalar(-0.5), g.scalar(0.7)], g.info(x)),
    tfjs: (x: tf.Tensor) => tf.clipByValue(x, -0.5, 0.7),
  })),
  {
    name: 'Cast float32 from int32 input and back',
    inputs: [f([4, 3])],
    onnx: (g, [x]) => g.cast(g.cast(g.mul(x, g.scalar(3)), 'int32'), 'float32'),
    tfjs: (x) => tf.cast(tf.cast(tf.mul(x, 3), 'int32'), 'float32'),
  },
  ...[
    [[2, 6], [3, 4]],
    [[2, 3, 4], [24]],
  ].map(([a, b]) => ({ name: `Reshape [${a}] -> [${b}]`, inputs: [f(a)], onnx: (g: Graph, [x]: string[]) => g.reshape(x, b), tfjs: (x: tf.Tensor) => tf.reshape(x, b) })),
  ...[
    [[2, 3], [1, 0]],
    [[2, 3, 4], [2, 0, 1]],
  ].map(([s, p]) => ({ name: `Transpose [${s}] perm [${p}]`, inputs: [f(s)], onnx: (g: Graph, [x]: string[]) => g.transpose(x, p), tfjs: (x: tf.Tensor) => tf.transpose(x, p) })),
  ...[
    [[3, 1], [3, 4]],
    [[4], [2, 3, 4]],
  ].map(([s, t]) => ({ name: `Expand [${s}] -> [${t}]`, inputs: [f(s)], onnx: (g: Graph, [x]: string[]) => g.expand(x, t), tfjs: (x: tf.Tensor) => tf.broadcastTo(x, t) })),
  ...[
    [[2, 3], [2, 1]],
    [[2, 2, 3], [1, 3, 2]],
  ].map(([s, r]) => ({
    name: `Tile [${s}] x [${r}]`,
    inputs: [f(s)],
    onnx: (g: Graph, [x]: string[]) => g.node('Tile', [x, g.ints(r)], { shape: s.map((d, i) => d * r[i]), dtype: 'float32' }),
    tfjs: (x: tf.Tensor) => tf.tile(x, r),
  })),
  {
    name: 'Slice [5, 6] rows 1..4',
    inputs: [f([5, 6])],
    onnx: (g, [x]) => g.slice(x, [1, 2], [4, 6], [0, 1]),
    tfjs: (x) => tf.slice(x, [1, 2], [3, 4]),
  },
  {
    name: 'Slice with steps [2, 7, 9, 3]',
    inputs: [f([2, 7, 9, 3])],
    onnx: (g, [x]) => g.slice(x, [1, 0], [7, 8], [1, 2], [2, 3]),
    // tfjs has no StridedSlice gradient: the same selection as two gathers.
    tfjs: (x) => tf.gather(tf.gather(x, [1, 3, 5], 1), [0, 3, 6], 2),
  },
  ...[0, 1].map((axis) => ({
    name: `Concat axis ${axis}`,
    inputs: [f([2, 3]), f([2, 3]), f([2, 3])],
    onnx: (g: Graph, xs: string[]) => g.concat(xs, axis),
    tfjs: (...xs: tf.Tensor[]) => tf.concat(xs, axis),
  })),
  {
    name: 'Split [4, 6] into 1 + 2 + 3 columns',
    inputs: [f([4, 6])],
    onnx: (g, [x]) => g.nodeN('Split', [x, g.ints([1, 2, 3])], [1, 2, 3].map((c) => ({ shape: [4, c], dtype: 'float32' as const })), { axis: { i: 1 } }),
    tfjs: (x) => tf.split(x, [1, 2, 3], 1),
  },
  {
    name: 'Pad reflect [3, 5]',
    inputs: [f([3, 5])],
    onnx: (g, [x]) => g.node('Pad', [x, g.ints([1, 2, 1, 0])], { shape: [5, 7], dtype: 'float32' }, { mode: { s: 'reflect' } }),
    // tfjs's own MirrorPad gradient drops the borders (it only slices the centre), so the
    // reference builds the same padding from gathers, which tfjs differentiates correctly.
    tfjs: (x) => {
      const rows = tf.gather(x, [1, 0, 1, 2, 1], 0);
      return tf.gather(rows, [2, 1, 0, 1, 2, 3, 4], 1);
    },
  },
  {
    name: 'Pad [2, 3, 4]',
    inputs: [f([2, 3, 4])],
    onnx: (g, [x]) => g.pad(x, [0, 1, 2], [1, 0, 3]),
    tfjs: (x) => tf.pad(x, [[0, 1], [1, 0], [2, 3]]),
  },
];

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('gradient rules (elementwise and shape ops) agree with tfjs', () => {
  for (const c of BASE_CASES) {
    it(c.name, async () => {
      const r = await checkRule(c);
      expect(r.output).toBeLessThanOrEqual(TOL);
      for (const e of r.gradients) expect(e).toBeLessThanOrEqual(TOL);
    });
  }

  it('a stop-gradient Identity passes no gradient', async () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const y = g.unary('Identity', x);
    g.nodes[g.nodes.length - 1].stopGradient = true;
    const { addGradients } = await import('./grad.js');
    expect(addGradients(g, g.reduce('ReduceSum', g.mul(y, x), [0], false), [x])[0]).toBeDefined();
    const g2 = new Graph();
    const x2 = g2.input('x', [3]);
    const y2 = g2.unary('Identity', x2);
    g2.nodes[g2.nodes.length - 1].stopGradient = true;
    expect(addGradients(g2, g2.reduce('ReduceSum', y2, [0], false), [x2])[0]).toBeUndefined();
  });

  it('every rule in this file has a case', () => {
    const covered = new Set(BASE_CASES.map((c) => c.name.split(' ')[0]));
    const base = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Where', 'Sum', 'Neg', 'Identity', 'Abs', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softplus', 'Erf', 'Sin', 'Cos', 'Clip', 'Cast', 'Reshape', 'Transpose', 'Expand', 'Tile', 'Slice', 'Concat', 'Split', 'Pad'];
    for (const op of base) {
      expect(GRADIENT_RULES[op], op).toBeDefined();
      expect(covered.has(op), op).toBe(true);
    }
  });
});
