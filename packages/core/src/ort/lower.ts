/**
 * @file Lowers recorded tfjs kernels to ONNX ops, one entry per kernel name (the table is
 * data, like tfjs's own kernel registry). Elementwise, shape and reduction kernels live here;
 * matmul, convolution and the other "nn" kernels in lower-nn.ts.
 *
 * Every lowering states its outputs with the shapes the trace observed, so a wrong lowering
 * fails loudly at build time instead of producing a plausible graph.
 */
import type { DType, Graph } from './graph.js';
import { NotLowerableError, type TracedTensor } from './trace.js';

/** What a lowering sees of one kernel call. */
export interface KernelCall {
  g: Graph;
  kernel: string;
  attrs: Record<string, unknown>;
  /** Graph value of a named input. @throws when the kernel had no such input. */
  x(name: string): string;
  has(name: string): boolean;
  /** Inputs in the kernel's own order (Concat, Pack, AddN take a list). */
  list: string[];
  /** Traced outputs (shape and dtype). */
  out: TracedTensor[];
}

export type Lowering = (k: KernelCall) => string | string[];

/** tfjs dtype -> graph dtype. */
export function dtypeOf(t: { dtype: string }): DType {
  if (t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool') return t.dtype;
  throw new NotLowerableError(`tensors of dtype ${t.dtype} cannot be compiled`);
}

const outInfo = (k: KernelCall, i = 0) => ({ shape: k.out[i].shape, dtype: dtypeOf(k.out[i]) });
const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number') throw new NotLowerableError(`${what} is not a number (${JSON.stringify(v)})`);
  return v;
};

/** Normalises tfjs axis attributes (number, array, null = all) to a list of axes. */
export function axesOf(v: unknown, rank: number): number[] {
  if (v === null || v === undefined) return [...Array(rank).keys()];
  const list = Array.isArray(v) ? (v as number[]) : [v as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

function binary(op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min' | 'Mod'): Lowering {
  return (k) => {
    // ONNX integer Mod takes the divisor's sign, as tfjs does; float Mod would need fmod.
    if (op === 'Mod' && k.out[0].dtype === 'float32') throw new NotLowerableError('float Mod');
    return k.g.binary(op, k.x('a'), k.x('b'));
  };
}

function compare(op: 'Greater' | 'Less' | 'Equal' | 'GreaterOrEqual' | 'LessOrEqual' | 'And' | 'Or'): Lowering {
  return (k) => k.g.compare(op, k.x('a'), k.x('b'));
}

function unary(op: string): Lowering {
  return (k) => k.g.unary(op, k.x('x'));
}

/** Where(x > 0, x, alpha * (exp(x) - 1)): ELU/SELU as compositions, differentiated op by op. */
function elu(g: Graph, x: string, alpha: number, scale: number): string {
  const pos = g.compare('Greater', x, g.scalar(0));
  const neg = g.mul(g.sub(g.unary('Exp', x), g.scalar(1)), g.scalar(alpha * scale));
  const lin = scale === 1 ? x : g.mul(x, g.scalar(scale));
  return g.where(pos, lin, neg);
}

/**
 * The logistic function as 1 / (1 + exp(-x)), not ONNX Sigmoid: onnxruntime's Sigmoid (MLAS)
 * is accurate only to ~6e-8 absolute, so its tail is wrong relative to itself (it gives 0 at
 * -18, 8.9e-8 at -17 against 4.1e-8, 6.0e-8 at -16 against 1.1e-7), and a cross-entropy takes
 * the log of exactly that tail: a denoiser fine-tuned from a trained autoencoder saturates
 * outputs, and its first step disagreed with tfjs. Exp is accurate there. The gradient is
 * given as y (1 - y) straight to x, so no inf * 0 comes out of exp(-x) overflowing.
 */
export function sigmoid(g: Graph, x: string): string {
  const y = g.unary('Reciprocal', g.add(g.unary('Exp', g.unary('Neg', x)), g.scalar(1)));
  const node = g.nodes[g.nodes.length - 1];
  node.gradInputs = [x];
  node.customGrad = (gg, n, [dy]) => {
    const out = n.outputs[0];
    return [gg.mul(dy!, gg.mul(out, gg.sub(gg.scalar(1), out)))];
  };
  return y;
}

/** Applies a fused activation (of _FusedMatMul / FusedConv2D) or a standalone one. */
export function activation(g: Graph, x: string, name: unknown, alpha: unknown, prelu?: string): string {
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return g.unary('Relu', x);
    case 'relu6':
      return g.node('Clip', [x, g.scalar(0), g.scalar(6)], g.info(x));
    case 'sigmoid':
      return sigmoid(g, x);
    case 'elu':
      return elu(g, x, 1, 1);
    case 'leakyrelu':
      return g.unary('LeakyRelu', x, { alpha: { f: num(alpha ?? 0.2, 'leakyreluAlpha') } });
    case 'prelu': {
      if (!prelu) throw new NotLowerableError('prelu without weights');
      return g.where(g.compare('Greater', x, g.scalar(0)), x, g.mul(x, prelu));
    }
    default:
      throw new NotLowerableError(`fused activation '${String(name)}'`);
  }
}

const BASE: Record<string, Lowering> = {
  Add: binary('Add'),
  AddV2: binary('Add'),
  Sub: binary('Sub'),
  Multiply: binary('Mul'),
  RealDiv: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  Mod: binary('Mod'),
  SquaredDifference: (k) => {
    const d = k.g.sub(k.x('a'), k.x('b'));
    return k.g.mul(d, d);
  },
  AddN: (k) => k.list.reduce((acc, x) => k.g.add(acc, x)),
  Greater: compare('Greater'),
  GreaterEqual: compare('GreaterOrEqual'),
  Less: compare('Less'),
  LessEqual: compare('LessOrEqual'),
  Equal: compare('Equal'),
  NotEqual: (k) => k.g.unary('Not', k.g.compare('Equal', k.x('a'), k.x('b'))),
  LogicalAnd: compare('And'),
  LogicalOr: compare('Or'),
  LogicalNot: unary('Not'),
  Neg: unary('Neg'),
  Abs: unary('Abs'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Sqrt: unary('Sqrt'),
  Reciprocal: unary('Reciprocal'),
  Relu: unary('Relu'),
  Sigmoid: (k) => sigmoid(k.g, k.x('x')),
  Tanh: unary('Tanh'),
  Softplus: unary('Softplus'),
  Erf: unary('Erf'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Sign: unary('Sign'),
  Sin: unary('Sin'),
  Cos: unary('Cos'),
  Rsqrt: (k) => k.g.unary('Reciprocal', k.g.unary('Sqrt', k.x('x'))),
  Square: (k) => k.g.mul(k.x('x'), k.x('x')),
  Log1p: (k) => k.g.unary('Log', k.g.add(k.x('x'), k.g.scalar(1))),
  Expm1: (k) => k.g.sub(k.g.unary('Exp', k.x('x')), k.g.scalar(1)),
  Elu: (k) => elu(k.g, k.x('x'), 1, 1),
  Selu: (k) => elu(k.g, k.x('x'), 1.6732632423543772848170429916717, 1.0507009873554804934193349852946),
  Relu6: (k) => activation(k.g, k.x('x'), 'relu6', undefined),
  LeakyRelu: (k) => k.g.unary('LeakyRelu', k.x('x'), { alpha: { f: num(k.attrs.alpha, 'LeakyRelu alpha') } }),
  Prelu: (k) => activation(k.g, k.x('x'), 'prelu', undefined, k.x('alpha')),
  Step: (k) => {
    // tfjs: x > 0 ? 1 : alpha (NaN stays NaN); a constant of the step with zero gradient.
    const x = k.x('x');
    const alpha = num(k.attrs.alpha ?? 0, 'Step alpha');
    return k.g.where(k.g.compare('Greater', x, k.g.scalar(0)), k.g.scalar(1), k.g.scalar(alpha));
  },
  ClipByValue: (k) =>
    k.g.node('Clip', [k.x('x'), k.g.scalar(num(k.attrs.clipValueMin, 'clip min')), k.g.scalar(num(k.attrs.clipValueMax, 'clip max'))], outInfo(k)),
  Cast: (k) => k.g.cast(k.x('x'), dtypeOf(k.out[0])),
  Identity: (k) => k.g.unary('Identity', k.x('x')),
  Select: (k) => {
    let cond = k.x('condition');
    const t = k.x('t');
    const cs = k.g.shape(cond);
    const ts = k.g.shape(t);
    // tfjs lets a rank-1 condition pick whole rows of a higher-rank `t`.
    if (cs.length === 1 && ts.length > 1) cond = k.g.reshape(cond, [cs[0], ...ts.slice(1).map(() => 1)]);
    return k.g.where(cond, t, k.x('e'));
  },
  ZerosLike: (k) => constantFill(k, 0),
  OnesLike: (k) => constantFill(k, 1),
  Fill: (k) => constantFill(k, num(k.attrs.value, 'Fill value')),
  Range: (k) => {
    const [start, step] = [num(k.attrs.start, 'Range start'), num(k.attrs.step, 'Range step')];
    const o = k.out[0];
    return k.g.constant(Array.from({ length: o.shape[0] }, (_, i) => start + i * step), o.shape, dtypeOf(o));
  },
  Reshape: (k) => k.g.reshape(k.x('x'), k.out[0].shape),
  ExpandDims: (k) => k.g.reshape(k.x('input'), k.out[0].shape),
  Squeeze: (k) => k.g.reshape(k.x('x'), k.out[0].shape),
  Transpose: (k) => k.g.transpose(k.x('x'), k.attrs.perm as number[]),
  Concat: (k) => {
    const xs = k.list.filter((x) => k.g.shape(x).every((d) => d > 0) || k.list.length === 1);
    return k.g.concat(xs, axesOf(k.attrs.axis, k.out[0].shape.length)[0]);
  },
  Pack: (k) => {
    const rank = k.out[0].shape.length;
    const axis = axesOf(k.attrs.axis ?? 0, rank)[0];
    const parts = k.list.map((x) => {
      const s = [...k.g.shape(x)];
      s.splice(axis, 0, 1);
      return k.g.reshape(x, s);
    });
    return k.g.concat(parts, axis);
  },
  Unpack: (k) => {
    const x = k.x('value');
    const s = k.g.shape(x);
    const axis = axesOf(k.attrs.axis ?? 0, s.length)[0];
    return k.out.map((o, i) => k.g.reshape(k.g.slice(x, [i], [i + 1], [axis]), o.shape));
  },
  SplitV: (k) => {
    const x = k.x('x');
    const s = k.g.shape(x);
    const axis = axesOf(k.attrs.axis, s.length)[0];
    const sizes = k.out.map((o) => o.shape[axis]);
    const dtype = k.g.info(x).dtype;
    return k.g.nodeN('Split', [x, k.g.ints(sizes)], k.out.map((o) => ({ shape: o.shape, dtype })), { axis: { i: axis } });
  },
  Slice: (k) => {
    const x = k.x('x');
    const s = k.g.shape(x);
    const begin = k.attrs.begin as number[];
    const size = k.attrs.size as number[];
    const axes = s.map((_, i) => i);
    return k.g.reshape(k.g.slice(x, axes.map((i) => begin[i] ?? 0), axes.map((i) => ((size[i] ?? -1) < 0 ? s[i] : (begin[i] ?? 0) + size[i])), axes), k.out[0].shape);
  },
  StridedSlice: (k) => {
    const x = k.x('x');
    const s = k.g.shape(x);
    const a = k.attrs as { begin: number[]; end: number[]; strides: number[]; beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number };
    if (a.ellipsisMask || a.newAxisMask || (a.strides ?? []).some((v) => v !== 1)) throw new NotLowerableError('StridedSlice with strides, ellipsis or new axes');
    const starts: number[] = [];
    const ends: number[] = [];
    s.forEach((d, i) => {
      const b = a.beginMask & (1 << i) ? 0 : (a.begin[i] ?? 0);
      const e = a.endMask & (1 << i) ? d : (a.end[i] ?? d);
      starts.push(b < 0 ? b + d : b);
      ends.push(e < 0 ? e + d : Math.min(e, d));
    });
    return k.g.reshape(k.g.slice(x, starts, ends, s.map((_, i) => i)), k.out[0].shape);
  },
  Tile: (k) => {
    const x = k.x('x');
    return k.g.node('Tile', [x, k.g.ints(k.attrs.reps as number[])], outInfo(k));
  },
  PadV2: (k) => {
    const p = k.attrs.paddings as [number, number][];
    return k.g.pad(k.x('x'), p.map((q) => q[0]), p.map((q) => q[1]), num(k.attrs.constantValue ?? 0, 'pad value'));
  },
  Sum: (k) => reduce(k, 'ReduceSum'),
  Mean: (k) => reduce(k, 'ReduceMean'),
  Max: (k) => reduce(k, 'ReduceMax', 'reductionIndices'),
  Min: (k) => reduce(k, 'ReduceMin'),
  ArgMax: (k) => argExtreme(k, 'ArgMax'),
  ArgMin: (k) => argExtreme(k, 'ArgMin'),
};

function constantFill(k: KernelCall, value: number): string {
  const o = k.out[0];
  return k.g.filled(value, o.shape, dtypeOf(o));
}

function reduce(k: KernelCall, op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin', axisAttr = 'axis'): string {
  const x = k.x('x');
  const rank = k.g.shape(x).length;
  const axes = axesOf(k.attrs[axisAttr] ?? k.attrs.axis ?? null, rank);
  const r = k.g.reduce(op, x, axes, !!k.attrs.keepDims);
  return k.g.reshape(r, k.out[0].shape);
}

function argExtreme(k: KernelCall, op: 'ArgMax' | 'ArgMin'): string {
  const x = k.x('x');
  const axis = axesOf(k.attrs.axis ?? 0, k.g.shape(x).length)[0];
  const i64 = k.g.node(op, [x], { shape: k.out[0].shape, dtype: 'int64' }, { axis: { i: axis }, keepdims: { i: 0 } });
  return k.g.cast(i64, 'int32');
}

/** Elementwise, shape and reduction kernels (lower-nn.ts has the rest). */
export const BASE_LOWERINGS: Record<string, Lowering> = BASE;

/** Checks a lowering's outputs against the trace (shape and dtype). */
export function checkLowered(g: Graph, kernel: string, outs: string[], traced: TracedTensor[]): void {
  if (outs.length !== traced.length) throw new NotLowerableError(`lowering of ${kernel} gave ${outs.length} outputs, tfjs ${traced.length}`);
  outs.forEach((o, i) => {
    const info = g.info(o);
    const want = traced[i].shape;
    if (info.shape.length !== want.length || info.shape.some((d, j) => d !== want[j]) || info.dtype !== dtypeOf(traced[i])) {
      throw new NotLowerableError(`lowering of ${kernel} gave ${info.dtype}[${info.shape}], tfjs ${traced[i].dtype}[${want}]`);
    }
  });
}
