import { describe, expect, it } from 'vitest';
import { Graph } from './graph.js';
import { createSession, loadOrt } from './runtime.js';

async function run(g: Graph, feeds: Record<string, { data: Float32Array; shape: number[] }>): Promise<Float32Array> {
  const ort = await loadOrt();
  if (typeof ort === 'string') throw new Error(ort);
  const s = await createSession(ort, g.toModel(), { intraOp: 1, spinning: false });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)])));
  await s.release();
  return out.y.data as Float32Array;
}

describe('Graph serialisation', () => {
  it('gives every broadcasting operand its node’s rank, with the same values', async () => {
    const g = new Graph();
    const x = g.input('x', [2, 3, 1]);
    const s = g.input('s', []);
    const v = g.input('v', [1]);
    // A stored scalar, a scalar input and a rank-1 input against a [2, 3, 1] tensor.
    const a = g.add(x, g.scalar(1));
    const b = g.mul(g.sub(s, a), v);
    const c = g.where(g.compare('Greater', b, g.scalar(0)), b, g.scalar(-1));
    g.outputAs(g.unary('Identity', c), 'y');
    const spec = g.toSpec();
    const ranks = new Map(spec.initializers.map((t) => [t.name!, t.shape.length]));
    for (const n of spec.nodes.filter((n) => n.op === 'Reshape')) ranks.set(n.outputs[0], spec.initializers.find((t) => t.name === n.inputs[1])!.shape[0]);
    const rank = (name: string) => ranks.get(name) ?? g.shape(name).length;
    for (const n of spec.nodes.filter((n) => ['Add', 'Sub', 'Mul', 'Greater', 'Where'].includes(n.op))) {
      for (const i of n.inputs) expect(rank(i), `${n.op} input ${i}`).toBe(3);
    }
    // The scalar and rank-1 inputs are reshaped once each, however many nodes read them.
    expect(spec.nodes.filter((n) => n.op === 'Reshape')).toHaveLength(2);
    // The graph itself is unchanged: rules and passes still see the scalars.
    expect(g.nodes.some((n) => n.op === 'Reshape')).toBe(false);
    expect(g.shape(g.nodes[0].inputs[1])).toEqual([]);
    const xs = Float32Array.of(-3, -1, 0, 0.5, 2, 4);
    const y = await run(g, { x: { data: xs, shape: [2, 3, 1] }, s: { data: Float32Array.of(1.5), shape: [] }, v: { data: Float32Array.of(2), shape: [1] } });
    const expected = Array.from(xs, (t) => {
      const bb = (1.5 - (t + 1)) * 2;
      return bb > 0 ? bb : -1;
    });
    expect(Array.from(y)).toEqual(expected);
  });

  it('turns a reduction over axes of size 1 into a Reshape', async () => {
    const g = new Graph();
    const x = g.input('x', [2, 3, 1]);
    const kept = g.reduce('ReduceSum', x, [2], true);
    const dropped = g.reduce('ReduceMean', x, [-1], false);
    expect(g.shape(kept)).toEqual([2, 3, 1]);
    expect(kept).toBe(x);
    expect(g.shape(dropped)).toEqual([2, 3]);
    expect(g.nodes.map((n) => n.op)).toEqual(['Reshape']);
    // A reduction over a real axis is still one.
    g.outputAs(g.reduce('ReduceSum', dropped, [1], false), 'y');
    expect(g.nodes.map((n) => n.op)).toContain('ReduceSum');
    expect(Array.from(await run(g, { x: { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3, 1] } }))).toEqual([6, 15]);
  });
});
