/**
 * @file Lab script (issue #18, session 10): the twin step (two half batches in one graph, each
 * running its own copy of the half-batch gradient graph with the weights shared, gradients
 * averaged, one update) on onnxruntime's parallel executor, single steps and runs of k steps in
 * the Loop, against the whole step on 1 thread. Also checks that twin and whole steps give the
 * same loss and weights. The graph takes and gives what the whole step graph does, so it could
 * drop into the step runner; it was not built into it because it did not pay (NOTES.md).
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-twin-loop.ts <dense|conv|sequence> [k]
 */
import { loadavg } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { tf } from '@latentkit/core';
import { compileStepGraph } from '../../packages/core/src/ort/compile.ts';
import { buildMultiStepModel, multiStepIo } from '../../packages/core/src/ort/multi-step.ts';
import { scalarValues } from '../../packages/core/src/ort/optimizer.ts';
import { sessionOptions } from '../../packages/core/src/ort/runtime.ts';
import { buildUpdateGraph, type StepGraph } from '../../packages/core/src/ort/build.ts';
import { Graph } from '../../packages/core/src/ort/graph.ts';
import type { OptimizerPlan } from '../../packages/core/src/ort/optimizer.ts';
import { type BenchModel } from '../lib/engine-models.ts';
import { labStep, median, type LabState } from './lab-setup.ts';

/** Copies `from`'s nodes, values and initializers into `g`, names mapped by `rename`. */
function copyInto(g: Graph, from: Graph, rename: (n: string) => string): void {
  for (const [n, lit] of from.initializers) {
    g.initializers.set(rename(n), { ...lit, name: rename(n) });
    g.values.set(rename(n), from.info(n));
  }
  for (const n of from.nodes) {
    n.outputs.forEach((o) => g.values.set(rename(o), from.info(o)));
    g.nodes.push({ op: n.stopGradient ? 'Identity' : n.op, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename), attrs: n.attrs });
  }
}

/** The twin step of `full` from `half` (its gradients-only graph on the first half of rows). */
function buildTwin(half: StepGraph, full: StepGraph, plan: OptimizerPlan): StepGraph {
  const g = new Graph();
  const halves = [new Map<string, string>(), new Map<string, string>()];
  for (const t of [...full.batch, ...full.random]) {
    const info = full.graph.info(t.name);
    g.input(t.name, info.shape, info.dtype);
    const rows = info.shape[0];
    halves[0].set(t.name, g.slice(t.name, [0], [rows / 2], [0]));
    halves[1].set(t.name, g.slice(t.name, [rows / 2], [rows], [0]));
  }
  const update = buildUpdateGraph(plan, full.trainable.map((index) => ({ index, shape: half.graph.shape(`w:${index}`) })), undefined);
  const shared = (n: string) => n === '' || n.startsWith('w:') || n.startsWith('f:');
  for (const n of half.graph.inputs) if (shared(n)) g.input(n, half.graph.shape(n));
  ['A/', 'B/'].forEach((p, k) => copyInto(g, half.graph, (n) => (shared(n) ? n : (halves[k].get(n) ?? (half.graph.initializers.has(n) ? `H/${n}` : p + n)))));
  // The update graph's gradient inputs ga:/gb: are the halves' g: outputs.
  const fromHalves = (n: string) => (n.startsWith('ga:') ? `A/g:${n.slice(3)}` : n.startsWith('gb:') ? `B/g:${n.slice(3)}` : undefined);
  for (const n of update.graph.inputs) if (!fromHalves(n) && !g.values.has(n)) g.input(n, update.graph.shape(n));
  copyInto(g, update.graph, (n) => fromHalves(n) ?? (update.graph.initializers.has(n) ? `U/${n}` : shared(n) || update.graph.inputs.includes(n) || update.graph.outputs.includes(n) ? n : `U/${n}`));
  for (const o of update.graph.outputs) g.output(o);
  const mean = (n: string) => g.mul(g.add(`A/${n}`, `B/${n}`), g.scalar(0.5));
  g.outputAs(mean('loss'), 'loss');
  for (const m of full.metrics) g.outputAs(mean(`m:${m}`), `m:${m}`);
  return { ...full, graph: g, scalars: update.scalars };
}

const name = (process.argv[2] ?? 'conv') as BenchModel;
const k = Number(process.argv[3] ?? 8);
const { ort, model, plan, batch, ctx, c, start, batchFeed } = await labStep(name, 128);
const halfBatch = tf.tidy(() => Object.fromEntries(Object.entries(batch).map(([key, t]) => [key, tf.slice(t, 0, t.shape[0] / 2)])));
const half = compileStepGraph(model, model.variables(), halfBatch, ctx, plan, undefined, { gradientsOnly: true });
const twin = buildTwin(half.step, c.step, plan);
if (c.step.random.length) console.log('random inputs', c.step.random.map((r) => r.name));
const io = multiStepIo(c.step);
const state: LabState = { ...start };
const sc = scalarValues(plan, 1e-3, 0);
const opts = (mode: 'sequential' | 'parallel', inter: number) => ({ ...sessionOptions({ intraOp: 1, spinning: false }), executionMode: mode, interOpNumThreads: inter }) as Ort.InferenceSession.SessionOptions;
const wholeLoop = await ort.InferenceSession.create(buildMultiStepModel(c.step), opts('sequential', 1));
const twinLoopPar = await ort.InferenceSession.create(buildMultiStepModel(twin), opts('parallel', 2));
const twinLoopSeq = await ort.InferenceSession.create(buildMultiStepModel(twin), opts('sequential', 1));
const wholeOne = await ort.InferenceSession.create(c.step.graph.toModel(), opts('sequential', 1));
const twinOnePar = await ort.InferenceSession.create(twin.graph.toModel(), opts('parallel', 2));
const stack = (t: Ort.Tensor, n: number) => {
  const d = t.data as Float32Array;
  const out = new Float32Array(d.length * n);
  for (let j = 0; j < n; j++) out.set(d, j * d.length);
  return new ort.Tensor('float32', out, [n, ...t.dims]);
};
const loopFeeds = (n: number): LabState => {
  const f: LabState = { ...state, steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(n)), []), 'b:x': stack(batchFeed, n) };
  for (const s of c.step.scalars) f[s] = new ort.Tensor('float32', new Float32Array(n).fill(sc[s]), [n]);
  for (const r of c.step.random) f[r.name] = stack(new ort.Tensor('float32', new Float32Array(r.shape.reduce((a, b) => a * b, 1)).map(() => Math.random()), r.shape), n);
  return f;
};
const oneFeeds = (): LabState => {
  const f = loopFeeds(1);
  const o: LabState = { ...state, 'b:x': batchFeed };
  for (const s of c.step.scalars) o[s] = new ort.Tensor('float32', Float32Array.of(sc[s]), []);
  for (const r of c.step.random) o[r.name] = new ort.Tensor('float32', f[r.name].data as Float32Array, r.shape);
  return o;
};
// Same numbers: one loop of k steps, whole vs twin.
const fk = loopFeeds(k);
const a = await wholeLoop.run(fk);
const b = await twinLoopPar.run(fk);
const la = a.loss.data as Float32Array;
const lb = b.loss.data as Float32Array;
let maxW = 0;
for (const n of io.carried.filter((x) => x.startsWith('w:'))) {
  const x = a[`${n}:out`].data as Float32Array;
  const y = b[`${n}:out`].data as Float32Array;
  for (let i = 0; i < x.length; i++) maxW = Math.max(maxW, Math.abs(x[i] - y[i]) / Math.max(1e-3, Math.abs(x[i])));
}
console.log(`${name}: loss after ${k} steps whole ${la[k - 1]} twin ${lb[k - 1]}; max rel weight diff ${maxW.toExponential(2)}`);
const f1 = oneFeeds();
const variants: [string, () => Promise<unknown>, number][] = [
  [`whole loop k=${k} 1t`, () => wholeLoop.run(fk), k],
  [`twin loop k=${k} par2`, () => twinLoopPar.run(fk), k],
  [`twin loop k=${k} seq`, () => twinLoopSeq.run(fk), k],
  ['whole single 1t', () => wholeOne.run(f1), 1],
  ['twin single par2', () => twinOnePar.run(f1), 1],
];
const t: number[][] = variants.map(() => []);
for (const [, f] of variants) await f();
for (let r = 0; r < 7; r++) {
  for (const [i, [, f, steps]] of variants.entries()) {
    const reps = Math.max(1, Math.round(16 / steps));
    const t0 = performance.now();
    for (let j = 0; j < reps; j++) await f();
    t[i].push((performance.now() - t0) / reps / steps);
  }
}
for (const [i, [n]] of variants.entries()) console.log(`${name} ${n}: ${median(t[i]).toFixed(2)} ms/step  ${(median(t[0]) / median(t[i])).toFixed(2)}x of whole loop  [${t[i].map((x) => x.toFixed(1)).join(' ')}]`);
console.log('load', loadavg()[0].toFixed(2));
