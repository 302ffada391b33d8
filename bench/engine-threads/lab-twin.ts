/**
 * @file Lab script (issue #18, session 9): can onnxruntime's parallel executor run two half
 * batches at once inside one graph? Two copies of a batch-64 step graph (weights shared, each
 * with its own batch and outputs) in one ONNX graph, run sequentially and with 2 inter-op
 * threads, against the batch-64 step run twice. (Two batch-64 steps in two worker threads ran
 * 1.36x of one thread: lab-graph.ts.)
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-twin.ts <dense|conv|sequence>
 */
import { loadavg } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { scalarValues } from '../../packages/core/src/ort/optimizer.ts';
import { sessionOptions } from '../../packages/core/src/ort/runtime.ts';
import { encodeModel } from '../../packages/core/src/ort/proto.ts';
import { type BenchModel } from '../lib/engine-models.ts';
import { labStep, median, type LabState } from './lab-setup.ts';

const name = (process.argv[2] ?? 'conv') as BenchModel;
const { ort, plan, c, start, batchFeed: bx } = await labStep(name, 64);
const g = c.step.graph;
const shared = new Set(g.inputs.filter((n) => !n.startsWith('b:')));
const spec = g.toSpec();
const ren = (p: string) => (n: string) => (n === '' || shared.has(n) || g.initializers.has(n) ? n : `${p}${n}`);
const twin = {
  graphName: 'twin',
  nodes: ['A/', 'B/'].flatMap((p) => spec.nodes.map((n) => ({ ...n, inputs: n.inputs.map(ren(p)), outputs: n.outputs.map(ren(p)) }))),
  initializers: spec.initializers,
  inputs: [...spec.inputs.filter((i) => shared.has(i.name)), ...['A/', 'B/'].flatMap((p) => spec.inputs.filter((i) => !shared.has(i.name)).map((i) => ({ ...i, name: p + i.name })))],
  outputs: ['A/', 'B/'].flatMap((p) => spec.outputs.map((o) => ({ ...o, name: p + o.name }))),
};
const twinBytes = encodeModel({ opset: 17, irVersion: 8, producer: 'lab', ...twin });
const state: LabState = { ...start };
for (const [k, v] of Object.entries(scalarValues(plan, 1e-3, 0))) state[k] = new ort.Tensor('float32', Float32Array.of(v), []);
const extra = g.inputs.filter((n) => n.startsWith('b:') && n !== 'b:x');
if (extra.length) console.log('other batch inputs', extra);
const single = await ort.InferenceSession.create(c.model, sessionOptions({ intraOp: 1, spinning: false }));
const tw1 = await ort.InferenceSession.create(twinBytes, sessionOptions({ intraOp: 1, spinning: false }));
const opts = (mode: string, inter: number) => ({ ...sessionOptions({ intraOp: 1, spinning: false }), executionMode: mode, interOpNumThreads: inter }) as Ort.InferenceSession.SessionOptions;
const twp = await ort.InferenceSession.create(twinBytes, opts('parallel', 2));
const feedsSingle = { ...state, 'b:x': bx };
const feedsTwin = { ...state, 'A/b:x': bx, 'B/b:x': bx };
const variants: [string, () => Promise<unknown>][] = [
  ['single x2', async () => { await single.run(feedsSingle); await single.run(feedsSingle); }],
  ['twin seq', () => tw1.run(feedsTwin)],
  ['twin par2', () => twp.run(feedsTwin)],
];
const t: number[][] = variants.map(() => []);
for (const [, f] of variants) await f();
for (let r = 0; r < 7; r++) for (const [i, [, f]] of variants.entries()) { const t0 = performance.now(); for (let j = 0; j < 10; j++) await f(); t[i].push((performance.now() - t0) / 10); }
const med = median;
for (const [i, [n]] of variants.entries()) console.log(`${name} ${n}: ${med(t[i]).toFixed(2)} ms per 2x64  ${(med(t[0]) / med(t[i])).toFixed(2)}x  [${t[i].map((x) => x.toFixed(1)).join(' ')}]`);
console.log('load', loadavg()[0].toFixed(2));
