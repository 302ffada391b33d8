/**
 * @file Gradient rules of matrix products, convolutions, reductions, softmax and the
 * gather/scatter pair. Convolution weight gradients use the classic trick of a Conv over the
 * batch axis (input and output gradient with batch and channels swapped, the forward stride
 * as dilation), so every backward op is a standard ONNX op that ORT runs natively.
 */
import type { Graph, GraphNode } from './graph.js';
import type { GradRule } from './grad-rules.js';
import { NotLowerableError } from './trace.js';

const ints = (n: GraphNode, name: string, fallback: number[]): number[] => (n.attrs[name] as { ints: number[] } | undefined)?.ints ?? fallback;
const int = (n: GraphNode, name: string, fallback: number): number => (n.attrs[name] as { i: number } | undefined)?.i ?? fallback;

function swapLast(g: Graph, x: string): string {
  const r = g.shape(x).length;
  return g.transpose(x, [...Array(r - 2).keys(), r - 1, r - 2]);
}

/** Gemm with only transpose flags (alpha = beta = 1). */
function gemm(g: Graph, a: string, b: string, ta: boolean, tb: boolean): string {
  const sa = g.shape(a);
  const sb = g.shape(b);
  return g.node('Gemm', [a, b], { shape: [ta ? sa[1] : sa[0], tb ? sb[0] : sb[1]], dtype: 'float32' }, { transA: { i: ta ? 1 : 0 }, transB: { i: tb ? 1 : 0 } });
}

/**
 * Weight gradient of a 2-D convolution, as a Conv over the batch axis: out[c2, c1, k] =
 * sum_{n, i} a[n, c2, k * d + i * s - pad] * b[n, c1, i], cropped to the kernel size.
 * For Conv, a = x and b = dy (result [ci, co, kh, kw]); for ConvTranspose, a = dy and b = x
 * (result [co, ci, kh, kw]).
 */
function convWeightGrad(g: Graph, a: string, b: string, kernel: number[], strides: number[], dilations: number[], pads: number[]): string {
  const at = g.transpose(a, [1, 0, 2, 3]);
  const bt = g.transpose(b, [1, 0, 2, 3]);
  const sa = g.shape(at);
  const sb = g.shape(bt);
  const out = [0, 1].map((i) => sa[2 + i] + pads[i] + pads[2 + i] - strides[i] * (sb[2 + i] - 1));
  if (out.some((o, i) => o < (kernel[i] - 1) * dilations[i] + 1)) throw new NotLowerableError('conv weight gradient: unexpected output size');
  if (dilations.some((d) => d !== 1)) throw new NotLowerableError('conv weight gradient with dilations');
  const full = g.node('Conv', [at, bt], { shape: [sa[0], sb[0], out[0], out[1]], dtype: 'float32' }, {
    kernel_shape: { ints: [sb[2], sb[3]] },
    strides: { ints: dilations },
    dilations: { ints: strides },
    pads: { ints: pads },
  });
  return g.slice(full, [0, 0], kernel, [2, 3]);
}

function reduceAxes(g: Graph, n: GraphNode): number[] {
  const r = g.shape(n.inputs[0]).length;
  if (n.op === 'ReduceSum') {
    const init = g.initializers.get(n.inputs[1]);
    return init ? Array.from(init.data as BigInt64Array, Number) : [...Array(r).keys()];
  }
  return ints(n, 'axes', [...Array(r).keys()]);
}

/** The reduction's output (or its gradient) reshaped to keepdims form and broadcast back. */
function unreduce(g: Graph, n: GraphNode, y: string): string {
  const s = g.shape(n.inputs[0]);
  const axes = reduceAxes(g, n);
  return g.expand(g.reshape(y, s.map((d, i) => (axes.includes(i) ? 1 : d))), s);
}

export const NN_RULES: Record<string, GradRule> = {
  MatMul: (g, n, [dy]) => {
    const [a, b] = n.inputs;
    return [g.sumTo(g.matmul(dy!, swapLast(g, b)), g.shape(a)), g.sumTo(g.matmul(swapLast(g, a), dy!), g.shape(b))];
  },
  Gemm: (g, n, [dy]) => {
    const [a, b, c] = n.inputs;
    const ta = int(n, 'transA', 0) === 1;
    const tb = int(n, 'transB', 0) === 1;
    if ((n.attrs.alpha as { f: number } | undefined)?.f !== undefined || (n.attrs.beta as { f: number } | undefined)?.f !== undefined) {
      throw new NotLowerableError('Gemm with alpha/beta');
    }
    const da = ta ? gemm(g, b, dy!, tb, true) : gemm(g, dy!, b, false, !tb);
    const db = tb ? gemm(g, dy!, a, true, ta) : gemm(g, a, dy!, !ta, false);
    return [da, db, c === undefined ? undefined : g.sumTo(dy!, g.shape(c))];
  },
  Conv: (g, n, [dy]) => {
    const [x, w, bias] = n.inputs;
    if (int(n, 'group', 1) !== 1) throw new NotLowerableError('grouped Conv');
    const sx = g.shape(x);
    const sw = g.shape(w);
    const kernel = [sw[2], sw[3]];
    const strides = ints(n, 'strides', [1, 1]);
    const dilations = ints(n, 'dilations', [1, 1]);
    const pads = ints(n, 'pads', [0, 0, 0, 0]);
    const sy = g.shape(dy!);
    // ConvTranspose of dy with the same weights; output_padding restores x's exact size.
    const outPad = [0, 1].map((i) => sx[2 + i] - (strides[i] * (sy[2 + i] - 1) + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[2 + i]));
    const dx = g.node('ConvTranspose', [dy!, w], { shape: sx, dtype: 'float32' }, {
      kernel_shape: { ints: kernel },
      strides: { ints: strides },
      dilations: { ints: dilations },
      pads: { ints: pads },
      output_padding: { ints: outPad },
    });
    // convWeightGrad gives [ci, co, k, k]; Conv weights are [co, ci, k, k].
    const dw = g.transpose(convWeightGrad(g, x, dy!, kernel, strides, dilations, pads), [1, 0, 2, 3]);
    return [dx, dw, bias === undefined ? undefined : g.reduce('ReduceSum', dy!, [0, 2, 3], false)];
  },
  ConvTranspose: (g, n, [dy]) => {
    const [x, w, bias] = n.inputs;
    if (int(n, 'group', 1) !== 1) throw new NotLowerableError('grouped ConvTranspose');
    const sw = g.shape(w);
    const kernel = [sw[2], sw[3]];
    const strides = ints(n, 'strides', [1, 1]);
    const dilations = ints(n, 'dilations', [1, 1]);
    const pads = ints(n, 'pads', [0, 0, 0, 0]);
    const dx = g.node('Conv', [dy!, w], { shape: g.shape(x), dtype: 'float32' }, {
      kernel_shape: { ints: kernel },
      strides: { ints: strides },
      dilations: { ints: dilations },
      pads: { ints: pads },
    });
    const dw = convWeightGrad(g, dy!, x, kernel, strides, dilations, pads);
    // dw is [co, ci, k, k]; ConvTranspose weights are [ci, co, k, k].
    return [dx, g.transpose(dw, [1, 0, 2, 3]), bias === undefined ? undefined : g.reduce('ReduceSum', dy!, [0, 2, 3], false)];
  },
  Softmax: (g, n, [dy]) => {
    // tfjs: dx = dy * y - sum(dy * y) * y over the axis.
    const y = n.outputs[0];
    const axis = int(n, 'axis', -1);
    const dyy = g.mul(dy!, y);
    return [g.sub(dyy, g.mul(g.reduce('ReduceSum', dyy, [axis], true), y))];
  },
  LogSoftmax: (g, n, [dy]) => {
    const axis = int(n, 'axis', -1);
    return [g.sub(dy!, g.mul(g.unary('Exp', n.outputs[0]), g.reduce('ReduceSum', dy!, [axis], true)))];
  },
  ReduceSum: (g, n, [dy]) => [unreduce(g, n, dy!), undefined],
  ReduceMean: (g, n, [dy]) => {
    const s = g.shape(n.inputs[0]);
    const count = reduceAxes(g, n).reduce((c, a) => c * s[a], 1);
    return [unreduce(g, n, g.div(dy!, g.scalar(count)))];
  },
  ReduceMax: (g, n, [dy]) => extremeGrad(g, n, dy!),
  ReduceMin: (g, n, [dy]) => extremeGrad(g, n, dy!),
  Gather: (g, n, [dy]) => {
    const [x, idx] = n.inputs;
    if (int(n, 'axis', 0) !== 0) throw new NotLowerableError('gradient of Gather on an axis other than 0');
    const sx = g.shape(x);
    const count = g.shape(idx).reduce((a, b) => a * b, 1);
    const rows = g.reshape(dy!, [count, ...sx.slice(1)]);
    const where = g.cast(g.reshape(idx, [count, 1]), 'int64');
    const zeros = g.filled(0, sx);
    return [g.node('ScatterND', [zeros, where, rows], { shape: sx, dtype: 'float32' }, { reduction: { s: 'add' } }), undefined];
  },
  ScatterND: (g, n, [dy]) => {
    const [, idx, upd] = n.inputs;
    return [dy, undefined, g.node('GatherND', [dy!, idx], { shape: g.shape(upd), dtype: 'float32' })];
  },
};

/** tfjs's max/min gradient: every element equal to the extreme gets the whole gradient. */
function extremeGrad(g: Graph, n: GraphNode, dy: string): (string | undefined)[] {
  const hit = g.compare('Equal', n.inputs[0], unreduce(g, n, n.outputs[0]));
  return [g.where(hit, unreduce(g, n, dy), g.scalar(0))];
}
