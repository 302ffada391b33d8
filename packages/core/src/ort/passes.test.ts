import { describe, expect, it } from 'vitest';
import { Graph } from './graph.js';
import { collapseReshapes, fuseBias } from './passes.js';
import { createSession, loadOrt } from './runtime.js';

/** Gemm -> Reshape -> Add(bias reshaped by tfjs), as a dense layer arrives from a trace. */
function denseLayer(): { g: Graph; y: string } {
  const g = new Graph();
  const a = g.input('a', [3, 4]);
  const w = g.input('w', [4, 5]);
  const b = g.input('b', [5]);
  const prod = g.node('Gemm', [a, g.reshape(g.reshape(w, [1, 4, 5]), [4, 5])], { shape: [3, 5], dtype: 'float32' });
  const y = g.add(g.reshape(prod, [1, 3, 5]), g.reshape(b, [1, 1, 5]));
  return { g, y };
}

async function run(g: Graph, y: string): Promise<Float32Array> {
  const ort = await loadOrt();
  if (typeof ort === 'string') throw new Error(ort);
  g.outputAs(g.unary('Identity', y), 'y');
  const s = await createSession(ort, g.toModel(), { intraOp: 1, spinning: false });
  const feed = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));
  const out = await s.run({ a: new ort.Tensor('float32', feed(12, 1), [3, 4]), w: new ort.Tensor('float32', feed(20, 2), [4, 5]), b: new ort.Tensor('float32', feed(5, 3), [5]) });
  await s.release();
  return out.y.data as Float32Array;
}

describe('graph passes', () => {
  it('fold the bias into Gemm and drop reshape round trips, computing the same values', async () => {
    const plain = denseLayer();
    const expected = await run(plain.g, plain.y);
    const { g, y } = denseLayer();
    let out = y;
    for (const pass of [collapseReshapes, fuseBias]) out = pass(g).get(out) ?? out;
    const ops = g.nodes.map((n) => n.op);
    expect(ops).not.toContain('Add');
    expect(g.nodes.find((n) => n.op === 'Gemm')!.inputs).toHaveLength(3);
    expect(ops.filter((o) => o === 'Reshape').length).toBeLessThanOrEqual(2);
    expect(Array.from(await run(g, out))).toEqual(Array.from(expected));
  });
});
