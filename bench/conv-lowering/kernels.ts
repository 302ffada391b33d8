/**
 * @file Lab script (issue #18, session 12): onnxruntime CPU kernels that are far slower than
 * their neighbours, timed as one-node graphs (1 thread, 50 runs x 7 rounds, median; each time
 * includes the run's fixed cost and the output's copy, so compare differences):
 * - relu's gradient in four forms over a [128, 14, 14, 16] relu output (half zeros): dy * Sign(y)
 *   (the rule until session 12), Where(y > 0, dy, 0), dy * Cast(y > 0) (the rule since), dy *
 *   Ceil(Min(y, 1)); and a plain Mul and Relu for scale;
 * - Add of a [128, 28, 28, 1] image and a scalar of rank 0, 1 and 4, and other shapes.
 *
 *   npx tsx --conditions=source bench/conv-lowering/kernels.ts
 */
import { loadavg } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { Graph } from '../../packages/core/src/ort/graph.ts';
import { encodeModel } from '../../packages/core/src/ort/proto.ts';
import { loadOrt } from '../../packages/core/src/ort/runtime.ts';

const ort = (await loadOrt()) as typeof Ort;
const options = { intraOpNumThreads: 1, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } } as Ort.InferenceSession.SessionOptions;
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const wave = (n: number, k: number, relu = false) => Float32Array.from({ length: n }, (_, i) => (relu ? Math.max(0, Math.sin(i * k)) : Math.sin(i * k)));

interface Case {
  name: string;
  session: Ort.InferenceSession;
  feeds: Record<string, Ort.Tensor>;
  elements: number;
}

async function time(cases: Case[]): Promise<void> {
  const ms = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < 7; r++) {
    for (const c of cases) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) await c.session.run(c.feeds);
      ms.get(c.name)!.push((performance.now() - t0) / 50);
    }
  }
  for (const c of cases) {
    const m = ms.get(c.name)!.sort((a, b) => a - b)[3];
    console.log(`  ${c.name.padEnd(30)} ${m.toFixed(3)} ms  ${((m * 1e6) / c.elements).toFixed(2)} ns/element`);
  }
}

console.log(`load at start: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
const shape = [128, 14, 14, 16];
const reluForms: Record<string, (g: Graph, y: string, dy: string) => string> = {
  'dy * Sign(y)': (g, y, dy) => g.mul(dy, g.unary('Sign', y)),
  'Where(y > 0, dy, 0)': (g, y, dy) => g.where(g.compare('Greater', y, g.scalar(0)), dy, g.scalar(0)),
  'dy * Cast(y > 0)': (g, y, dy) => g.mul(dy, g.cast(g.compare('Greater', y, g.scalar(0)), 'float32')),
  'dy * Ceil(Min(y, 1))': (g, y, dy) => g.mul(dy, g.unary('Ceil', g.binary('Min', y, g.scalar(1)))),
  'dy * y (one Mul, for scale)': (g, y, dy) => g.mul(dy, y),
  'Relu(dy) (one op, for scale)': (g, _y, dy) => g.unary('Relu', dy),
};
const reluCases: Case[] = [];
for (const [name, form] of Object.entries(reluForms)) {
  const g = new Graph();
  g.output(form(g, g.input('y', shape), g.input('dy', shape)));
  const feeds = { y: new ort.Tensor('float32', wave(size(shape), 0.37, true), shape), dy: new ort.Tensor('float32', wave(size(shape), 0.11), shape) };
  reluCases.push({ name, session: await ort.InferenceSession.create(g.toModel(), options), feeds, elements: size(shape) });
}
console.log(`relu's gradient over [${shape}]:`);
await time(reluCases);

// Inputs, not stored constants, and built from raw nodes: Graph.toSpec gives stored and computed
// operands their node's rank since session 12, which is what this compares against.
const adds: [number[], number[]][] = [
  [[128, 28, 28, 1], []],
  [[128, 28, 28, 1], [1]],
  [[128, 28, 28, 1], [1, 1, 1, 1]],
  [[128, 14, 14, 16], []],
  [[128, 14, 14, 16], [1, 1, 1, 1]],
  [[128, 14, 14, 16], [16]],
  [[128, 14, 14, 16], [1, 1, 1, 16]],
  [[128, 784], []],
];
const addCases: Case[] = [];
for (const [a, b] of adds) {
  const spec = {
    graphName: 'add',
    nodes: [{ op: 'Add', inputs: ['x', 's'], outputs: ['y'], attrs: {} }],
    initializers: [],
    inputs: [{ name: 'x', dtype: 'float32' as const, shape: a }, { name: 's', dtype: 'float32' as const, shape: b }],
    outputs: [{ name: 'y', dtype: 'float32' as const, shape: a }],
  };
  const session = await ort.InferenceSession.create(encodeModel({ opset: 17, irVersion: 8, producer: 'lab', ...spec }), options);
  const feeds = { x: new ort.Tensor('float32', wave(size(a), 1), a), s: new ort.Tensor('float32', new Float32Array(size(b)).fill(1), b) };
  addCases.push({ name: `[${a}] + [${b}]`, session, feeds, elements: size(a) });
}
console.log('Add with a broadcast operand:');
await time(addCases);
console.log(`load at end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
