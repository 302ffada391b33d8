/**
 * @file Lab script (issue #18, session 9): one bench reference AE's multi-step graph (runs of k
 * steps, batch B, Adam) under several session settings, interleaved, 7 rounds: sequential on
 * 1 / 2 sleeping / 2 spinning intra-op threads, and onnxruntime's parallel executor (2 inter-op
 * threads, with 1 or 2 intra-op). Asked whether any setting gives the conv AE a second core.
 *
 *   B=128 npx tsx --conditions=source bench/engine-threads/lab-exec.ts <dense|conv|sequence> [k] [settings,...]
 */
import { loadavg } from 'node:os';
import { initEngine, tf } from '@latentkit/core';
import type * as Ort from 'onnxruntime-node';
import { compileStepGraph } from '../../packages/core/src/ort/compile.ts';
import { buildMultiStepModel, multiStepIo, stackedFeeds } from '../../packages/core/src/ort/multi-step.ts';
import { planOptimizer } from '../../packages/core/src/ort/optimizer.ts';
import { loadOrt, sessionOptions } from '../../packages/core/src/ort/runtime.ts';
import { MODELS, fakeImages, type BenchModel } from '../lib/engine-models.ts';

const name = (process.argv[2] ?? 'conv') as BenchModel;
const k = Number(process.argv[3] ?? 8);
await initEngine({ backend: 'ort' });
const ort = (await loadOrt()) as typeof Ort;
const samples = fakeImages(Number(process.env.B ?? 128));
const model = MODELS[name]();
const plan = planOptimizer(tf.train.adam(1e-3));
const batch = model.collate(samples);
const ctx = { training: true, seed: 1, epoch: 0, batch: 0 };
const c = compileStepGraph(model, model.variables(), batch, ctx, plan, undefined);
const io = multiStepIo(c.step);
const bytes = buildMultiStepModel(c.step);
const variants: Record<string, Ort.InferenceSession.SessionOptions> = {
  seq1: sessionOptions({ intraOp: 1, spinning: false }),
  seq2: sessionOptions({ intraOp: 2, spinning: false }),
  seq2spin: sessionOptions({ intraOp: 2, spinning: true }),
  par2: { ...sessionOptions({ intraOp: 1, spinning: false }), executionMode: 'parallel', interOpNumThreads: 2 } as Ort.InferenceSession.SessionOptions,
  par2i2: { ...sessionOptions({ intraOp: 2, spinning: false }), executionMode: 'parallel', interOpNumThreads: 2 } as Ort.InferenceSession.SessionOptions,
};
const only = process.argv[4]?.split(',') ?? Object.keys(variants);
const sessions: Record<string, Ort.InferenceSession> = {};
for (const v of only) sessions[v] = await ort.InferenceSession.create(bytes, variants[v]);
const g = c.step.graph;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const vars = model.variables();
type State = Record<string, Ort.Tensor>;
const start: State = Object.fromEntries(
  io.carried.map((n) => [n, new ort.Tensor('float32', n.startsWith('w:') ? Float32Array.from(vars[Number(n.split(':').pop())].dataSync() as Float32Array) : new Float32Array(size(g.shape(n))), g.shape(n))]),
);
const items = Array.from({ length: k }, () => ({ batch, ctx, rate: 1e-3 }));
const feeds = await stackedFeeds(ort, c.step, items, plan, 0, new Map());
async function loops(s: Ort.InferenceSession, state: State, runs: number): Promise<State> {
  for (let r = 0; r < runs; r++) {
    const out = await s.run({ ...feeds, ...state });
    state = Object.fromEntries(io.carried.map((x) => [x, out[`${x}:out`] as Ort.Tensor]));
  }
  return state;
}
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const t: Record<string, number[]> = Object.fromEntries(only.map((v) => [v, []]));
const st: Record<string, State> = Object.fromEntries(only.map((v) => [v, start]));
for (const v of only) st[v] = await loops(sessions[v], st[v], 1);
const runs = Math.ceil(48 / k);
for (let round = 0; round < 7; round++) {
  for (const v of only) {
    const t0 = performance.now();
    st[v] = await loops(sessions[v], st[v], runs);
    t[v].push((performance.now() - t0) / (runs * k));
  }
}
const base = median(t[only[0]]);
for (const v of only) console.log(`${name} ${v}: ${median(t[v]).toFixed(2)} ms/step  ${(base / median(t[v])).toFixed(2)}x  [${t[v].map((x) => x.toFixed(1)).join(' ')}]`);
console.log(`load ${loadavg()[0].toFixed(2)}`);
