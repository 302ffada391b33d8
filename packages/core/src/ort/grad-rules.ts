/**
 * @file Gradient rules, one per ONNX op the lowering emits, in the spirit of onnxruntime's
 * gradient builder registry: each rule gets the forward node and the gradients of its outputs
 * and emits ONNX ops for the gradients of its inputs. Where tfjs picks a convention (which side
 * of a tie gets the gradient of Max, what |x|' is at 0) the rule follows tfjs, so compiled and
 * tfjs training agree. This file: elementwise and shape ops; grad-rules-nn.ts: the rest.
 */
import { Graph, type GraphNode } from './graph.js';
import { NotLowerableError } from './trace.js';

/** Gradients of a node's inputs (undefined: none) from those of its outputs. */
export type GradRule = (g: Graph, n: GraphNode, dys: (string | undefined)[]) => (string | undefined)[];

/** Both inputs of a broadcasting binary op get `da`/`db` summed back to their shapes. */
function binary(g: Graph, n: GraphNode, da: string | undefined, db: string | undefined): (string | undefined)[] {
  const [a, b] = n.inputs;
  return [da && g.sumTo(da, g.shape(a)), db && g.sumTo(db, g.shape(b))];
}

/** Broadcasts `dy` (e.g. a scalar gradient) to `x`'s shape before an elementwise product. */
const full = (g: Graph, dy: string, like: string) => g.expand(dy, g.shape(like));

const RULES: Record<string, GradRule> = {
  Add: (g, n, [dy]) => binary(g, n, dy, dy),
  Sub: (g, n, [dy]) => binary(g, n, dy, g.unary('Neg', dy!)),
  Mul: (g, n, [dy]) => {
    const [a, b] = n.inputs;
    return binary(g, n, g.mul(dy!, b), g.mul(dy!, a));
  },
  Div: (g, n, [dy]) => {
    const [a, b] = n.inputs;
    // tfjs: da = dy / b; db = -(dy * a) / b^2.
    return binary(g, n, g.div(dy!, b), g.unary('Neg', g.div(g.mul(dy!, a), g.mul(b, b))));
  },
  Pow: (g, n, [dy]) => {
    const [a, b] = n.inputs;
    const y = n.outputs[0];
    // tfjs: da = dy * b * a^(b-1); db = dy * y * (a > 0 ? log a : 0).
    const da = g.mul(dy!, g.mul(b, g.binary('Pow', a, g.sub(b, g.scalar(1)))));
    const logA = g.where(g.compare('Greater', a, g.scalar(0)), g.unary('Log', a), g.scalar(0));
    return binary(g, n, da, g.mul(dy!, g.mul(y, logA)));
  },
  Max: (g, n, [dy]) => {
    const [a, b] = n.inputs;
    // tfjs: a wins ties.
    const aWins = g.compare('GreaterOrEqual', a, b);
    return binary(g, n, g.where(aWins, dy!, g.scalar(0)), g.where(aWins, g.scalar(0), dy!));
  },
  Min: (g, n, [dy]) => {
    const [a, b] = n.inputs;
    const aWins = g.compare('LessOrEqual', a, b);
    return binary(g, n, g.where(aWins, dy!, g.scalar(0)), g.where(aWins, g.scalar(0), dy!));
  },
  Where: (g, n, [dy]) => {
    const [c, a, b] = n.inputs;
    return [undefined, g.sumTo(g.where(c, dy!, g.scalar(0)), g.shape(a)), g.sumTo(g.where(c, g.scalar(0), dy!), g.shape(b))];
  },
  Sum: (g, n, [dy]) => n.inputs.map((x) => g.sumTo(dy!, g.shape(x))),
  Neg: (g, _n, [dy]) => [g.unary('Neg', dy!)],
  Identity: (_g, n, [dy]) => [n.stopGradient ? undefined : dy],
  // tfjs: d|x| = dy * (x > 0 ? 1 : -1), so -dy at exactly 0.
  Abs: (g, n, [dy]) => [g.where(g.compare('Greater', n.inputs[0], g.scalar(0)), full(g, dy!, n.inputs[0]), g.unary('Neg', full(g, dy!, n.inputs[0])))],
  Exp: (g, n, [dy]) => [g.mul(dy!, n.outputs[0])],
  Log: (g, n, [dy]) => [g.div(dy!, n.inputs[0])],
  Sqrt: (g, n, [dy]) => [g.div(dy!, g.mul(n.outputs[0], g.scalar(2)))],
  Reciprocal: (g, n, [dy]) => {
    const x = n.inputs[0];
    return [g.div(dy!, g.unary('Neg', g.mul(x, x)))];
  },
  // dy * float(relu(x) > 0). onnxruntime's Greater, Cast and Mul are vectorised loops; its
  // Sign is not (0.54 ms against 0.14 ms for Greater + Cast on 401k floats), nor is Where's
  // broadcasting select (0.34 ms), bench/conv-lowering/NOTES.md.
  Relu: (g, n, [dy]) => [g.mul(full(g, dy!, n.inputs[0]), g.cast(g.compare('Greater', n.outputs[0], g.scalar(0)), 'float32'))],
  LeakyRelu: (g, n, [dy]) => {
    const alpha = (n.attrs.alpha as { f: number }).f;
    const d = full(g, dy!, n.inputs[0]);
    return [g.where(g.compare('Greater', n.inputs[0], g.scalar(0)), d, g.mul(d, g.scalar(alpha)))];
  },
  Sigmoid: (g, n, [dy]) => {
    const y = n.outputs[0];
    return [g.mul(dy!, g.mul(y, g.sub(g.scalar(1), y)))];
  },
  Tanh: (g, n, [dy]) => {
    const y = n.outputs[0];
    return [g.mul(dy!, g.sub(g.scalar(1), g.mul(y, y)))];
  },
  Softplus: (g, n, [dy]) => [g.mul(dy!, g.unary('Sigmoid', n.inputs[0]))],
  Erf: (g, n, [dy]) => {
    const x = n.inputs[0];
    return [g.mul(dy!, g.mul(g.unary('Exp', g.unary('Neg', g.mul(x, x))), g.scalar(2 / Math.sqrt(Math.PI))))];
  },
  Sin: (g, n, [dy]) => [g.mul(dy!, g.unary('Cos', n.inputs[0]))],
  Cos: (g, n, [dy]) => [g.unary('Neg', g.mul(dy!, g.unary('Sin', n.inputs[0])))],
  Clip: (g, n, [dy]) => {
    // tfjs clipByValue: gradient passes where min <= x <= max.
    const [x, lo, hi] = n.inputs;
    const inside = g.compare('And', g.compare('GreaterOrEqual', x, lo), g.compare('LessOrEqual', x, hi));
    return [g.where(inside, full(g, dy!, x), g.scalar(0)), undefined, undefined];
  },
  // tfjs passes the gradient through every cast, to an integer type too.
  Cast: (g, _n, [dy]) => [g.cast(dy!, 'float32')],
  Reshape: (g, n, [dy]) => [g.reshape(dy!, g.shape(n.inputs[0])), undefined],
  Transpose: (g, n, [dy]) => [g.transpose(dy!, Graph.invert((n.attrs.perm as { ints: number[] }).ints))],
  Expand: (g, n, [dy]) => [g.sumTo(dy!, g.shape(n.inputs[0])), undefined],
  Tile: (g, n, [dy]) => {
    // Split each axis into (repeat, size) and sum over the repeats.
    const x = n.inputs[0];
    const s = g.shape(x);
    const reps = g.shape(n.outputs[0]).map((d, i) => d / s[i]);
    const split = g.reshape(dy!, s.flatMap((d, i) => [reps[i], d]));
    return [g.reshape(g.reduce('ReduceSum', split, s.map((_, i) => 2 * i), false), s), undefined];
  },
  Slice: (g, n, [dy]) => {
    const [x, starts, ends, axes, steps] = n.inputs;
    const read = (name: string) => Array.from(g.initializers.get(name)!.data as BigInt64Array, Number);
    const s = g.shape(x);
    const ax = read(axes).map((a) => (a < 0 ? a + s.length : a));
    const st = read(starts).map((v, i) => (v < 0 ? v + s[ax[i]] : v));
    const sp = steps ? read(steps) : ax.map(() => 1);
    if (sp.some((v) => v < 1)) throw new NotLowerableError('gradient of a Slice with negative steps');
    void ends;
    return [g.place(dy!, s, st, ax, sp), undefined, undefined, undefined, undefined];
  },
  Concat: (g, n, [dy]) => {
    // One Split, not a Slice per input.
    const axis = (n.attrs.axis as { i: number }).i;
    const outs = n.inputs.map((x) => ({ shape: g.shape(x), dtype: g.info(x).dtype }));
    return g.nodeN('Split', [dy!, g.ints(outs.map((o) => o.shape[axis]))], outs, { axis: { i: axis } });
  },
  Split: (g, n, dys) => {
    const axis = (n.attrs.axis as { i: number }).i;
    const parts = n.outputs.map((o, i) => dys[i] ?? g.filled(0, g.shape(o)));
    return [g.concat(parts, axis), undefined];
  },
  Pad: (g, n, [dy]) => {
    const [x, pads] = n.inputs;
    const mode = (n.attrs.mode as { s: string } | undefined)?.s ?? 'constant';
    const p = Array.from(g.initializers.get(pads)!.data as BigInt64Array, Number);
    const s = g.shape(x);
    const r = s.length;
    if (mode === 'constant') return [g.slice(dy!, p.slice(0, r), s.map((d, i) => p[i] + d), s.map((_, i) => i)), undefined, undefined];
    if (mode !== 'reflect') throw new NotLowerableError(`no gradient for Pad mode ${mode}`);
    // Reflection is separable: undo it axis by axis, folding each border back onto the
    // elements it mirrors (the edge element itself is not repeated).
    let d = dy!;
    for (let a = r - 1; a >= 0; a--) {
      const [before, after] = [p[a], p[a + r]];
      if (!before && !after) continue;
      const len = s[a];
      const reverse = (v: string) => g.node('Gather', [v, g.constant([...Array(g.shape(v)[a]).keys()].reverse(), [g.shape(v)[a]], 'int64')], g.info(v), { axis: { i: a } });
      const shape = g.shape(d).map((v, i) => (i === a ? len : v));
      let out = g.slice(d, [before], [before + len], [a]);
      if (before) out = g.add(out, g.place(reverse(g.slice(d, [0], [before], [a])), shape, [1], [a], [1]));
      if (after) out = g.add(out, g.place(reverse(g.slice(d, [before + len], [before + len + after], [a])), shape, [len - 1 - after], [a], [1]));
      d = out;
    }
    return [d, undefined, undefined];
  },
};

/** Ops whose outputs carry no gradient (comparisons, indices, rounding, integer math). */
export const NO_GRADIENT = new Set(['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Not', 'ArgMax', 'ArgMin', 'Floor', 'Ceil', 'Sign', 'Mod', 'Round']);

export { RULES as BASE_RULES };
