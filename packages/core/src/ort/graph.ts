/**
 * @file The compiler's graph: ONNX nodes over named values whose shapes and element types are
 * all static (a training step is compiled for one batch shape). Knowing every shape at build
 * time keeps gradient rules simple: broadcasting is undone with a ReduceSum over known axes,
 * not with Shape/Expand subgraphs, and ORT gets fully shaped graphs to optimise.
 */
import { encodeModel, type AttributeValue, type GraphSpec, type NodeSpec, type OnnxDType, type TensorLiteral } from './proto.js';

export type DType = OnnxDType;

/** Shape and element type of a value. */
export interface ValueInfo {
  shape: number[];
  dtype: DType;
}

/** One ONNX node; `stopGradient` marks an Identity through which no gradient flows. */
export interface GraphNode extends NodeSpec {
  attrs: Record<string, AttributeValue>;
  stopGradient?: boolean;
  /**
   * A gradient that replaces the op's rule for this node: a lowering that knows more than the
   * op does (a Gather whose index is a fixed im2col pattern) gives the adjoint it knows.
   * It returns one gradient per `gradInputs` entry (default: the node's inputs); naming
   * ancestors there lets a lowering differentiate a small subgraph as a whole, and the nodes
   * in between then get no gradient of their own.
   */
  customGrad?: (g: Graph, n: GraphNode, dys: (string | undefined)[]) => (string | undefined)[];
  gradInputs?: string[];
}

/** Ops whose operands broadcast numpy-style (multidirectionally). */
const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'Sum', 'Mean', 'Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor', 'Where']);

/** Element count of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Numpy-style broadcast of two shapes. @throws {Error} when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

const typed = (dtype: DType, data: ArrayLike<number>): TensorLiteral['data'] => {
  if (dtype === 'float32') return Float32Array.from(data);
  if (dtype === 'int32') return Int32Array.from(data);
  if (dtype === 'int64') return BigInt64Array.from(Array.from(data, (v) => BigInt(Math.trunc(v))));
  return Uint8Array.from(data, (v) => (v ? 1 : 0));
};

/** A graph under construction, with shape-inferring helpers for the ops the compiler emits. */
export class Graph {
  readonly values = new Map<string, ValueInfo>();
  readonly nodes: GraphNode[] = [];
  readonly initializers = new Map<string, TensorLiteral>();
  readonly inputs: string[] = [];
  readonly outputs: string[] = [];
  private counter = 0;
  private readonly constCache = new Map<string, string>();

  fresh(prefix = 'v'): string {
    return `${prefix}_${this.counter++}`;
  }

  info(name: string): ValueInfo {
    const v = this.values.get(name);
    if (!v) throw new Error(`unknown graph value '${name}'`);
    return v;
  }

  shape(name: string): number[] {
    return this.info(name).shape;
  }

  input(name: string, shape: number[], dtype: DType = 'float32'): string {
    this.values.set(name, { shape: [...shape], dtype });
    this.inputs.push(name);
    return name;
  }

  output(name: string): void {
    this.outputs.push(name);
  }

  /**
   * Marks `value` as a graph output called `name`: renames it in place when a node made it
   * (no copy), else adds an Identity (inputs, initializers and existing outputs keep names).
   */
  outputAs(value: string, name: string): void {
    const producer = this.nodes.find((n) => n.outputs.includes(value));
    if (!producer || this.outputs.includes(value) || this.inputs.includes(value)) {
      this.node('Identity', [value], this.info(value), {}, name);
    } else {
      for (const n of this.nodes) {
        n.inputs = n.inputs.map((x) => (x === value ? name : x));
        n.outputs = n.outputs.map((x) => (x === value ? name : x));
      }
      this.values.set(name, this.info(value));
      this.values.delete(value);
    }
    this.outputs.push(name);
  }

  /** Adds a node with declared output infos; returns the output names. */
  nodeN(op: string, inputs: string[], outs: ValueInfo[], attrs: Record<string, AttributeValue> = {}, names?: string[]): string[] {
    const outputs = outs.map((o, i) => {
      const name = names?.[i] ?? this.fresh(op.toLowerCase());
      this.values.set(name, { shape: [...o.shape], dtype: o.dtype });
      return name;
    });
    this.nodes.push({ op, inputs, outputs, attrs });
    return outputs;
  }

  node(op: string, inputs: string[], out: ValueInfo, attrs: Record<string, AttributeValue> = {}, name?: string): string {
    return this.nodeN(op, inputs, [out], attrs, name ? [name] : undefined)[0];
  }

  /** A constant initializer; small ones are shared. */
  constant(data: ArrayLike<number>, shape: number[], dtype: DType = 'float32'): string {
    const small = data.length <= 16;
    const key = small ? `${dtype}|${shape.join(',')}|${Array.from(data).join(',')}` : '';
    if (small && this.constCache.has(key)) return this.constCache.get(key)!;
    const name = this.fresh('const');
    this.initializers.set(name, { name, dtype, shape: [...shape], data: typed(dtype, data) });
    this.values.set(name, { shape: [...shape], dtype });
    if (small) this.constCache.set(key, name);
    return name;
  }

  /**
   * A tensor of `shape` filled with `value`. Past a few hundred elements it is made at run time
   * (Expand of a scalar) instead of stored: the zeros an embedding's gradient scatters into
   * were 13 of the sentence autoencoder's 16 MB of graph, and every session held a copy.
   */
  filled(value: number, shape: number[], dtype: DType = 'float32'): string {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n <= 256) return this.constant(new Array<number>(n).fill(value), shape, dtype);
    return this.node('Expand', [this.scalar(value, dtype), this.ints(shape)], { shape: [...shape], dtype });
  }

  scalar(v: number, dtype: DType = 'float32'): string {
    return this.constant([v], [], dtype);
  }

  ints(v: number[]): string {
    return this.constant(v, [v.length], 'int64');
  }

  // ------------------------------------------------------------------ elementwise

  binary(op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min' | 'Mod', a: string, b: string, attrs: Record<string, AttributeValue> = {}): string {
    return this.node(op, [a, b], { shape: broadcastShapes(this.shape(a), this.shape(b)), dtype: this.info(a).dtype }, attrs);
  }

  compare(op: 'Greater' | 'Less' | 'Equal' | 'GreaterOrEqual' | 'LessOrEqual' | 'And' | 'Or', a: string, b: string): string {
    return this.node(op, [a, b], { shape: broadcastShapes(this.shape(a), this.shape(b)), dtype: 'bool' });
  }

  add(a: string, b: string): string {
    return this.binary('Add', a, b);
  }
  sub(a: string, b: string): string {
    return this.binary('Sub', a, b);
  }
  mul(a: string, b: string): string {
    return this.binary('Mul', a, b);
  }
  div(a: string, b: string): string {
    return this.binary('Div', a, b);
  }

  unary(op: string, x: string, attrs: Record<string, AttributeValue> = {}): string {
    return this.node(op, [x], { ...this.info(x) }, attrs);
  }

  where(cond: string, a: string, b: string): string {
    const shape = broadcastShapes(this.shape(cond), broadcastShapes(this.shape(a), this.shape(b)));
    return this.node('Where', [cond, a, b], { shape, dtype: this.info(a).dtype });
  }

  cast(x: string, dtype: DType): string {
    if (this.info(x).dtype === dtype) return x;
    return this.node('Cast', [x], { shape: this.shape(x), dtype }, { to: { i: { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9 }[dtype] } });
  }

  // ------------------------------------------------------------------ shapes

  reshape(x: string, shape: number[]): string {
    const from = this.shape(x);
    if (from.length === shape.length && from.every((d, i) => d === shape[i])) return x;
    if (sizeOf(from) !== sizeOf(shape)) throw new Error(`cannot reshape [${from}] to [${shape}]`);
    return this.node('Reshape', [x, this.ints(shape)], { shape, dtype: this.info(x).dtype });
  }

  transpose(x: string, perm: number[]): string {
    if (perm.every((p, i) => p === i)) return x;
    const s = this.shape(x);
    return this.node('Transpose', [x], { shape: perm.map((p) => s[p]), dtype: this.info(x).dtype }, { perm: { ints: perm } });
  }

  /** Inverse of a permutation. */
  static invert(perm: number[]): number[] {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return inv;
  }

  expand(x: string, shape: number[]): string {
    const s = this.shape(x);
    if (s.length === shape.length && s.every((d, i) => d === shape[i])) return x;
    return this.node('Expand', [x, this.ints(shape)], { shape, dtype: this.info(x).dtype });
  }

  reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin', x: string, axes: number[], keepdims: boolean): string {
    const s = this.shape(x);
    const norm = [...new Set(axes.map((a) => (a < 0 ? a + s.length : a)))].sort((a, b) => a - b);
    if (norm.length === 0) return x;
    const shape = keepdims ? s.map((d, i) => (norm.includes(i) ? 1 : d)) : s.filter((_, i) => !norm.includes(i));
    // Over axes of size 1 a reduction only drops them: a Reshape, which onnxruntime need not
    // copy (its ReduceSum over the last axis of a [n, 28, 28, 1] image copied at 2 ns an element).
    if (norm.every((a) => s[a] === 1)) return this.reshape(x, shape);
    const dtype = this.info(x).dtype;
    // Opset 17: ReduceSum takes axes as an input; the others as an attribute.
    if (op === 'ReduceSum') return this.node(op, [x, this.ints(norm)], { shape, dtype }, { keepdims: { i: keepdims ? 1 : 0 } });
    return this.node(op, [x], { shape, dtype }, { axes: { ints: norm }, keepdims: { i: keepdims ? 1 : 0 } });
  }

  /** Sums `x` down to `shape` (undoes a numpy broadcast from `shape` to `x`'s shape). */
  sumTo(x: string, shape: number[]): string {
    const s = this.shape(x);
    const lead = s.length - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < s.length; i++) if (i < lead || (shape[i - lead] === 1 && s[i] !== 1)) axes.push(i);
    return this.reshape(this.reduce('ReduceSum', x, axes, true), shape);
  }

  concat(xs: string[], axis: number): string {
    if (xs.length === 1) return xs[0];
    const s0 = this.shape(xs[0]);
    const ax = axis < 0 ? axis + s0.length : axis;
    const shape = [...s0];
    shape[ax] = xs.reduce((n, x) => n + this.shape(x)[ax], 0);
    return this.node('Concat', xs, { shape, dtype: this.info(xs[0]).dtype }, { axis: { i: ax } });
  }

  /** Slice with static starts/ends (and optional positive steps) on the given axes. */
  slice(x: string, starts: number[], ends: number[], axes: number[], steps?: number[]): string {
    const s = [...this.shape(x)];
    const shape = [...s];
    axes.forEach((a, i) => {
      const step = steps?.[i] ?? 1;
      shape[a] = Math.max(0, Math.ceil((Math.min(ends[i], s[a]) - starts[i]) / step));
    });
    const strided = steps?.some((v) => v !== 1) ?? false;
    if (!strided && shape.every((d, i) => d === s[i])) return x;
    const inputs = [x, this.ints(starts), this.ints(ends), this.ints(axes)];
    if (strided) inputs.push(this.ints(steps!));
    return this.node('Slice', inputs, { shape, dtype: this.info(x).dtype });
  }

  /**
   * The adjoint of a strided slice: places `x` into zeros of `shape` at `starts + steps * i`
   * along `axes`. Zeros are interleaved by padding a size-1 axis after each strided one.
   */
  place(x: string, shape: number[], starts: number[], axes: number[], steps: number[]): string {
    const s = this.shape(x);
    let y = x;
    if (steps.some((v) => v !== 1)) {
      const split = s.flatMap((d, i) => (axes.includes(i) && steps[axes.indexOf(i)] > 1 ? [d, 1] : [d]));
      const padded = this.pad(
        this.reshape(x, split),
        split.map(() => 0),
        s.flatMap((_, i) => (axes.includes(i) && steps[axes.indexOf(i)] > 1 ? [0, steps[axes.indexOf(i)] - 1] : [0])),
      );
      const spread = s.map((d, i) => (axes.includes(i) ? d * steps[axes.indexOf(i)] : d));
      // Drop the zeros after the last element so the rest fits in `shape`.
      const used = s.map((d, i) => (axes.includes(i) ? (d - 1) * steps[axes.indexOf(i)] + 1 : d));
      y = this.slice(this.reshape(padded, spread), s.map(() => 0), used, s.map((_, i) => i));
    }
    const ys = this.shape(y);
    const before = shape.map((_, i) => (axes.includes(i) ? starts[axes.indexOf(i)] : 0));
    return this.pad(y, before, shape.map((d, i) => d - before[i] - ys[i]));
  }

  pad(x: string, before: number[], after: number[], value = 0): string {
    if (before.every((b) => b === 0) && after.every((a) => a === 0)) return x;
    const s = this.shape(x);
    const shape = s.map((d, i) => d + before[i] + after[i]);
    const dtype = this.info(x).dtype;
    return this.node('Pad', [x, this.ints([...before, ...after]), this.constant([value], [], dtype)], { shape, dtype }, { mode: { s: 'constant' } });
  }

  matmul(a: string, b: string): string {
    const sa = this.shape(a);
    const sb = this.shape(b);
    const batch = broadcastShapes(sa.slice(0, -2), sb.slice(0, -2));
    return this.node('MatMul', [a, b], { shape: [...batch, sa[sa.length - 2], sb[sb.length - 1]], dtype: this.info(a).dtype });
  }

  /**
   * The graph as the protobuf writer takes it (a model's graph, or a subgraph attribute), with
   * every broadcasting operand of lower rank than its node's output given the full rank
   * (leading 1s): onnxruntime's CPU broadcast of a rank-0 or rank-1 operand against a tensor
   * whose last dimension is 1 goes element by element (9 ns an element against 1.4 with the
   * operand as [1, 1, 1, 1]); the sigmoid of a [n, 28, 28, 1] image's `1 + exp(-x)` took 5% of
   * the conv AE's step. Done here, once, so rules and passes keep writing plain scalars.
   */
  toSpec(graphName = 'training_step'): GraphSpec {
    const initializers = new Map(this.initializers);
    const nodes: NodeSpec[] = [];
    const aligned = new Set<string>();
    const align = (x: string, rank: number): string => {
      // Values the graph does not know (a loop body's iteration input) are left as they are.
      const shape = this.values.get(x)?.shape;
      if (!shape || shape.length >= rank || shape.some((d) => d < 0)) return x;
      const full = [...Array<number>(rank - shape.length).fill(1), ...shape];
      const name = `${x}|rank${rank}`;
      if (aligned.has(name)) return name;
      const init = initializers.get(x);
      if (init) initializers.set(name, { ...init, name, shape: full });
      else {
        const dims = `${name}|shape`;
        initializers.set(dims, { name: dims, dtype: 'int64', shape: [rank], data: BigInt64Array.from(full, BigInt) });
        nodes.push({ op: 'Reshape', inputs: [x, dims], outputs: [name], attrs: {} });
      }
      aligned.add(name);
      return name;
    };
    for (const n of this.nodes) {
      if (n.stopGradient) nodes.push({ ...n, op: 'Identity' });
      else if (BROADCASTING.has(n.op)) {
        const rank = this.values.get(n.outputs[0])?.shape.length ?? 0;
        nodes.push({ ...n, inputs: n.inputs.map((x) => align(x, rank)) });
      } else nodes.push(n);
    }
    return {
      graphName,
      nodes,
      initializers: [...initializers.values()],
      inputs: this.inputs.map((name) => ({ name, ...this.info(name) })),
      outputs: this.outputs.map((name) => ({ name, ...this.info(name) })),
    };
  }

  /** Serialises the graph as an ONNX model. */
  toModel(producer = 'latentkit'): Uint8Array {
    return encodeModel({ opset: 17, irVersion: 8, producer, ...this.toSpec() });
  }
}
